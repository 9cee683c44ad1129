// Package render reproduces offline what Argo CD renders for the
// Applications of an App of Apps: it discovers Applications and AppProjects
// from the root Application, resolves every source (multi-source, $ref value
// files, overrides) against local checkouts of the repositories, at a git
// revision or as the working tree, renders Helm charts with the Helm library
// and plain manifest directories, and post-processes the objects as Argo CD
// does.
//
// Open resolves a Workspace (repositories at their revisions plus the
// discovered apps); Workspace.Render renders apps in parallel into
// manifest.Objects with a structured *Error per failing app.
package render

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
	"helm.sh/helm/v3/pkg/chart"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/charts"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
	"github.com/gitopsctl/gitopsctl/internal/services"
)

// Options say what to open.
type Options struct {
	// Config is the loaded .gitopsctl.yaml (repository directories, URLs,
	// capabilities, further repos).
	Config *config.Loaded
	// Rev is the gitops-repo revision; "" is the working tree, uncommitted
	// edits included.
	Rev string
	// ConfigsRev is the configs-repo revision; "" is the working tree.
	ConfigsRev string
	// Root is the root Application manifest, relative to the gitops-repo
	// root (kept for callers naming one file; Roots wins).
	Root string
	// Roots are the root Application manifests or directories (every
	// Application manifest in a directory that no other one reaches is a
	// root), relative to the gitops-repo root. Empty: roots: of the config,
	// else root-app.yaml when it exists, else the roots found in the
	// repository (see Workspace.Roots).
	Roots []string
	// MissingRootsOK lets a given root be absent at this revision (diff
	// opens two revisions, and a root may exist at one only); no root at all
	// then gives an empty workspace instead of an error.
	MissingRootsOK bool
	// Branches are further branch names read as opened when a
	// targetRevision names them (diff passes the branch --base names).
	Branches []string
	// Parallelism bounds concurrent renders (0 = GOMAXPROCS).
	Parallelism int
	// Charts is the remote chart cache (nil: one made on first use from
	// Config's chart cache directory, offline mode and chartMirrors).
	Charts *charts.Cache
	// Shared, when set, shares answers about unchanged directories with the
	// workspace of the other side of a diff (see Shared).
	Shared *Shared
	// DiffBase marks the base side of a diff whose Shared expects one
	// (Shared.ExpectBase): it hands its discovery to the work-tree side,
	// which takes it when the differences between the sides change
	// nothing the discovery read (discoreuse.go).
	DiffBase bool
	// RenderCache, when set, keeps renders by InputDigest across runs.
	RenderCache RenderCache
	// CacheSalt is hashed into every InputDigest: the gitopsctl and Helm
	// versions (a build whose output may differ must change it).
	CacheSalt string
	// PrintsYAML: the caller prints the rendered objects as YAML (render):
	// the render cache then keeps each object's printed form too, so that
	// a cached app is printed without marshalling it again (see Printed).
	PrintsYAML bool
	// FileFilter, when set, rewrites the content of every file read from
	// the repositories (gitops-repo, configs-repo, further repos, at any
	// revision), given the repository's root and the root-relative path.
	// Renders and InputDigest both see the rewritten content, so a cached
	// render stays keyed by exactly what was rendered. It must be a pure
	// function of its arguments. seal masks ciphertexts with it.
	FileFilter func(root, p string, data []byte) []byte
}

// App is one discovered Application.
type App struct {
	// Name is metadata.name.
	Name string `json:"name"`
	// Project is spec.project ("default" when empty).
	Project string `json:"project"`
	// File is where the Application is defined, relative to RepoDir: a
	// manifest file, or the template of a Helm chart that renders it.
	File string `json:"file"`
	// Line is the 1-based line of the definition in File (0 when rendered by Helm).
	Line int `json:"line,omitempty"`
	// RepoDir is the directory of the repository holding File.
	RepoDir string `json:"repoDir"`
	// Parent is the Application that renders this one ("" for a root app).
	Parent string `json:"parent,omitempty"`
	// Application is the decoded manifest.
	Application *argo.Application `json:"-"`
	// Sources are the sources in effect (spec.sources, else spec.source).
	Sources []argo.ApplicationSource `json:"sources"`
	// AppSet names the ApplicationSet that generated it (File and Line are
	// then its manifest's).
	AppSet string `json:"applicationSet,omitempty"`
	// appSetInputs are the files its generator read its parameters from.
	appSetInputs []Input

	doc      []byte // the manifest document, for locating fields
	docStart int    // line of File where doc begins
}

// FieldLine returns the line in File of a field of the manifest given as a
// YAML path ("$.spec.sources[0].helm.valueFiles[1]"), or the app's own line.
func (a *App) FieldLine(yamlPath string) int {
	if len(a.doc) > 0 && a.Line > 0 {
		if l := argo.FieldLine(a.doc, yamlPath); l > 0 {
			return a.docStart + l - 1
		}
	}
	return a.Line
}

// Project is one discovered AppProject.
type Project struct {
	Name    string           `json:"name"`
	File    string           `json:"file"`
	Line    int              `json:"line,omitempty"`
	RepoDir string           `json:"repoDir"`
	Parent  string           `json:"parent,omitempty"`
	Project *argo.AppProject `json:"-"`
}

// Result is the render of one app.
type Result struct {
	App *App `json:"app"`
	// Objects are the rendered objects, sorted with manifest.Sort.
	Objects []manifest.Object `json:"objects"`
	// Warnings are non-fatal findings (e.g. a repeated resource).
	Warnings []string `json:"warnings,omitempty"`
	// Err is nil or an *Error.
	Err error `json:"error,omitempty"`
}

// Workspace is a set of repositories at fixed revisions and the
// Applications discovered in them. It is safe for concurrent use.
type Workspace struct {
	opts     Options
	cfg      *config.Loaded
	roots    []string
	rootInfo Roots
	appSets  []AppSet
	// pendingSets are the roots' ApplicationSets, expanded once the roots
	// are read.
	pendingSets []pendingSet
	// gitopsURLs are the normalized URLs known to be the gitops-repo.
	gitopsURLs []string
	repos      map[string]*repoEntry // normalized URL -> entry
	gitops     *repoEntry
	configs    *repoEntry
	apps       []*App
	byName     map[string]*App
	projects   []*Project

	mu         sync.Mutex
	revEntries map[string]*repoEntry // dir + "\x00" + revision -> entry read at a targetRevision
	results    map[string]*Result    // renders done during discovery
	done       map[string]*Result    // renders done since (RenderApps), so a second ask is free
	defs       map[*unstructured.Unstructured]objDef
	charts     map[chartKey]*chartEntry
	values     map[valuesKey]*valuesEntry
	remote     map[string]*repoEntry // unpacked remote chart dir -> entry
	scans      map[chartKey]*scanEntry
	digests    map[*App]digest
	// knownInputs are the apps' inputs, worked out or restored with the
	// discovery (see discocache.go).
	knownInputs map[*App][]Input
	restored    string // where the discovery came from (DiscoveryFromCache, DiscoveryFromBase), "": worked out
	// readLogs record what discovery asks of the gitops-repo and
	// configs-repo views (a side at a commit whose discovery is stored:
	// discoreuse.go).
	readLogs [2]*gitrepo.Log
	cacheCounters

	cacheOnce sync.Once
	cache     *charts.Cache
	cacheErr  error

	replay replayGuard // volatile.go
}

// repoEntry is a repository known by URL, opened on first use.
type repoEntry struct {
	url   string
	dir   string
	rev   string
	label string
	once  sync.Once
	// reviewOnce computes review (the branches read as opened) and isGit.
	reviewOnce sync.Once
	review     map[string]bool
	isGit      bool
	repo       *gitrepo.Repo
	err        error
	// filter is Options.FileFilter.
	filter func(root, p string, data []byte) []byte
}

func (e *repoEntry) open() (*gitrepo.Repo, error) {
	e.once.Do(func() {
		e.repo, e.err = gitrepo.Open(e.dir, e.rev)
		if e.err != nil {
			e.err = fmt.Errorf("%s: %w", e.label, e.err)
			return
		}
		e.repo.Deny = Readable
		if f, root := e.filter, e.repo.Root; f != nil {
			e.repo.Filter = func(p string, data []byte) []byte { return f(root, p, data) }
		}
	})
	return e.repo, e.err
}

// NormalizeURL makes repository URLs comparable: lower case, no scheme, no
// user, no ".git" suffix or trailing slash; "git@host:org/repo" becomes
// "host/org/repo".
func NormalizeURL(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	for _, p := range []string{"https://", "http://", "ssh://", "git://", "git+ssh://", "file://"} {
		u = strings.TrimPrefix(u, p)
	}
	if at := strings.Index(u, "@"); at >= 0 && at < strings.IndexAny(u+"/", "/") {
		u = u[at+1:]
		if i := strings.Index(u, ":"); i >= 0 && (!strings.Contains(u, "/") || i < strings.Index(u, "/")) {
			port := u[i+1:]
			if j := strings.Index(port, "/"); j > 0 && isDigits(port[:j]) {
				u = u[:i] + port[j:]
			} else {
				u = u[:i] + "/" + port
			}
		}
	}
	u = strings.TrimSuffix(u, "/")
	u = strings.TrimSuffix(u, ".git")
	return strings.TrimSuffix(u, "/")
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// Open resolves the repositories and discovers every Application and
// AppProject reachable from the root Application, exactly as Argo CD walks
// an App of Apps (nested app-of-apps included). Errors of a parent found
// while discovering (e.g. a child manifest that does not decode) are kept
// in the parent's Result; Open fails only when the root cannot be read.
func Open(ctx context.Context, o Options) (*Workspace, error) {
	if o.Shared != nil && o.DiffBase {
		// On every return: nothing is handed over unless the discovery
		// was before (handOver).
		defer o.Shared.giveBase(nil, [2]string{})
	}
	if o.Config == nil {
		return nil, errors.New("render: no config")
	}
	cfg := o.Config
	if err := cfg.CheckRepoDirs(); err != nil {
		return nil, err
	}
	ws := &Workspace{
		opts:    o,
		cfg:     cfg,
		repos:   map[string]*repoEntry{},
		byName:  map[string]*App{},
		results: map[string]*Result{},
		done:    map[string]*Result{},
		charts:  map[chartKey]*chartEntry{},
		values:  map[valuesKey]*valuesEntry{},
		remote:  map[string]*repoEntry{},
	}
	if ws.opts.Parallelism <= 0 {
		ws.opts.Parallelism = runtime.GOMAXPROCS(0)
	}
	ws.gitops = &repoEntry{url: cfg.GitopsRepo.URL, dir: cfg.RepoDir, rev: o.Rev, label: "gitops-repo", filter: o.FileFilter}
	ws.configs = &repoEntry{url: cfg.ConfigsRepo.URL, dir: cfg.ConfigsDir, rev: o.ConfigsRev, label: "configs-repo", filter: o.FileFilter}
	urls := make([]string, 0, len(cfg.Repos))
	for u := range cfg.Repos {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	for _, u := range urls {
		ws.repos[NormalizeURL(u)] = &repoEntry{url: u, dir: cfg.MappedDir(cfg.Repos[u]), label: u, filter: o.FileFilter}
	}
	if cfg.ConfigsRepo.URL != "" {
		ws.repos[NormalizeURL(cfg.ConfigsRepo.URL)] = ws.configs
	}
	if cfg.GitopsRepo.URL != "" {
		ws.repos[NormalizeURL(cfg.GitopsRepo.URL)] = ws.gitops
	}

	gr, err := ws.gitops.open()
	if err != nil {
		return nil, err
	}
	ws.mapRemotes()
	ws.noteCommitViews() // before any directory is asked about, by either side
	ctxKey, keyed := ws.discoContext()
	var discoKey string
	if keyed {
		// The base side's discovery, for a work-tree side: taken while
		// git status runs, before the changes key this side's own.
		base := ws.prepareBase(ctx, ctxKey)
		discoKey, keyed = ws.discoKey(ctxKey)
		if keyed {
			if snap := ws.restoreDiscovery(discoKey); snap != nil {
				ws.stopRecording()
				ws.handOver(snap)
				return ws, nil
			}
			if base != nil && ws.adoptBase(base) {
				return ws, nil
			}
		}
	}
	mapped := maps.Clone(ws.repos)
	files, projFiles, err := ws.rootFiles(gr)
	if err != nil {
		return nil, err
	}
	ws.roots = files
	var wave []*App
	for _, f := range files {
		apps, err := ws.readRoot(gr, f, false)
		if err != nil {
			return nil, err
		}
		wave = append(wave, apps...)
	}
	for _, f := range projFiles {
		if _, err := ws.readRoot(gr, f, true); err != nil {
			return nil, err
		}
	}
	if cfg.GitopsRepo.URL == "" && !ws.rootsReadGitops(wave) {
		// Without gitopsRepo.url and with no root app reading the remote of
		// this checkout, the repositories the root apps read are taken to be
		// this gitops-repo (the roots live in it).
		for _, a := range wave {
			for _, s := range a.Sources {
				if k := NormalizeURL(s.RepoURL); s.Chart == "" && s.Ref == "" && ws.repos[k] == nil {
					ws.repos[k] = ws.gitops
				}
			}
		}
		ws.mapAppSetRepos()
	}
	wave = append(wave, ws.expandRootAppSets()...)
	// Breadth-first: render the apps that may render Applications, in
	// parallel per wave, and collect their children.
	for len(wave) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		may := make([]bool, len(wave))
		ws.parallel(len(wave), func(i int) { may[i] = ws.mayRenderApps(wave[i]) })
		var parents []*App
		for i, a := range wave {
			if may[i] {
				parents = append(parents, a)
			}
		}
		results := ws.renderAll(ctx, parents)
		wave = nil
		for i := range results {
			res := &results[i]
			wave = append(wave, ws.collectChildren(res)...)
			ws.results[res.App.Name] = res
		}
	}
	ws.evictIfWritten()
	sort.Slice(ws.apps, func(i, j int) bool { return ws.apps[i].Name < ws.apps[j].Name })
	sort.SliceStable(ws.projects, func(i, j int) bool { return ws.projects[i].Name < ws.projects[j].Name })
	if keyed && ctx.Err() == nil {
		ws.storeDiscovery(discoKey, ctxKey, mapped)
	}
	ws.stopRecording()
	return ws, nil
}

func (ws *Workspace) newApp(doc []byte, obj map[string]any, file string, start, line int, repoDir, parent string) (*App, error) {
	var app *argo.Application
	var err error
	if doc != nil {
		app, err = ws.decodeApplication(doc)
	} else {
		var b []byte
		if b, err = json.Marshal(obj); err == nil {
			app, err = argo.DecodeApplication(b)
		}
	}
	if err != nil {
		return nil, at(repoDir, file, line, err)
	}
	if app.Name == "" {
		//lint:ignore ST1005 the message starts with the kind name Application
		return nil, at(repoDir, file, line, errors.New("Application has no metadata.name"))
	}
	proj := app.Spec.Project
	if proj == "" {
		proj = argo.DefaultProj
	}
	return &App{
		Name: app.Name, Project: proj, File: file, Line: line, RepoDir: repoDir, Parent: parent,
		Application: app, Sources: app.Spec.GetSources(), doc: doc, docStart: start,
	}, nil
}

func newProject(doc []byte, file string, line int, repoDir, parent string) (*Project, error) {
	p, err := argo.DecodeAppProject(doc)
	if err != nil {
		return nil, at(repoDir, file, line, err)
	}
	return &Project{Name: p.Name, File: file, Line: line, RepoDir: repoDir, Parent: parent, Project: p}, nil
}

func (ws *Workspace) addApp(a *App) error {
	if prev, ok := ws.byName[a.Name]; ok {
		//lint:ignore ST1005 the message starts with the kind name Application
		err := fmt.Errorf("Application %q is already defined at %s", a.Name, loc(prev.File, prev.Line))
		if d1, d2 := prev.Application.Spec.Destination, a.Application.Spec.Destination; d1.Server != d2.Server || d1.Name != d2.Name {
			//lint:ignore ST1005 the message starts with the kind name Application
			err = fmt.Errorf("Application %q is already defined at %s for another cluster (%s); Application names are global in the Argo CD namespace, so an app deployed to several clusters needs one name per cluster", a.Name, loc(prev.File, prev.Line), destLabel(ws.cfg, d1))
		}
		return at(a.RepoDir, a.File, a.Line, err)
	}
	ws.byName[a.Name] = a
	ws.apps = append(ws.apps, a)
	return nil
}

// destLabel names a destination's declared cluster, else its server or name.
func destLabel(cfg *config.Loaded, d argo.ApplicationDestination) string {
	if cl, ok := cfg.ClusterFor(d.Server, d.Name); ok {
		return "cluster " + cl.Name
	}
	if d.Server != "" {
		return d.Server
	}
	return d.Name
}

func loc(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}

// collectChildren registers the Applications and AppProjects a parent
// rendered; problems become errors of the parent.
func (ws *Workspace) collectChildren(res *Result) []*App {
	var kids []*App
	var errs []error
	for _, o := range res.Objects {
		u := o.Object.Object
		switch {
		case argo.IsApplication(u):
			doc, file, start, line, repoDir := ws.definition(res.App, o)
			a, err := ws.newApp(doc, u, file, start, line, repoDir, res.App.Name)
			if err == nil {
				if prev := ws.byName[a.Name]; prev != nil && prev.Line > 0 && prev.File == a.File && prev.Line == a.Line && prev.RepoDir == a.RepoDir {
					if prev.Parent == "" || prev.Parent == a.Parent {
						continue // a root that another root (or a cycle) reaches again
					}
					//lint:ignore ST1005 the message starts with the kind name Application
					err = fmt.Errorf("Application %q is managed by two parent Applications, %q and %q: Argo CD reports a shared resource and the parents undo each other's changes; leave it out of one of them (a narrower path, or directory.exclude)", a.Name, prev.Parent, a.Parent)
					if a.Parent == a.Name {
						//lint:ignore ST1005 the message starts with the kind name Application
						err = fmt.Errorf("Application %q manages its own manifest and is also managed by %q: Argo CD reports a shared resource and the two undo each other's changes; leave the manifest out of its own path (directory.exclude, or move it)", a.Name, prev.Parent)
					}
					err = at(a.RepoDir, a.File, a.Line, err)
				} else {
					err = ws.addApp(a)
				}
			}
			if err != nil {
				errs = append(errs, err)
				continue
			}
			kids = append(kids, a)
		case isAppSet(u):
			_, file, _, line, repoDir := ws.definition(res.App, o)
			kids = append(kids, ws.expandAppSet(u, file, line, repoDir, res.App.Name)...)
		case argo.IsAppProject(u):
			doc, file, _, line, repoDir := ws.definition(res.App, o)
			if doc == nil {
				doc, _ = json.Marshal(u)
			}
			p, err := newProject(doc, file, line, repoDir, res.App.Name)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			ws.projects = append(ws.projects, p)
		}
	}
	if len(errs) > 0 && res.Err == nil {
		res.Err = appError(res.App, errors.Join(errs...))
		if len(errs) == 1 {
			res.Err = appError(res.App, errs[0])
		}
	}
	return kids
}

// definition finds the manifest text behind an object a Directory source
// rendered (nil doc for Helm-rendered ones).
func (ws *Workspace) definition(parent *App, o manifest.Object) (doc []byte, file string, start, line int, repoDir string) {
	ws.mu.Lock()
	d, ok := ws.defs[o.Object]
	ws.mu.Unlock()
	if ok {
		return d.doc, d.file, d.start, d.line, d.repoDir
	}
	return nil, o.Source, 0, 0, parent.RepoDir
}

// DiscoveryErrors returns the errors of apps rendered while discovering
// (their children may be missing from Apps), sorted by app name.
func (ws *Workspace) DiscoveryErrors() []error {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	var errs []error
	for _, a := range ws.apps {
		if r, ok := ws.results[a.Name]; ok && r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	return errs
}

// Apps returns every discovered Application, sorted by name.
func (ws *Workspace) Apps() []*App { return append([]*App(nil), ws.apps...) }

// App returns the named Application, or nil.
func (ws *Workspace) App(name string) *App { return ws.byName[name] }

// Projects returns every discovered AppProject, sorted by name.
func (ws *Workspace) Projects() []*Project { return append([]*Project(nil), ws.projects...) }

// Root names the root Application manifests, relative to the gitops-repo
// root (comma-separated when several).
func (ws *Workspace) Root() string { return strings.Join(ws.roots, ", ") }

// GitopsRepo returns the gitops-repo view.
func (ws *Workspace) GitopsRepo() (*gitrepo.Repo, error) { return ws.gitops.open() }

// ConfigsRepo returns the configs-repo view.
func (ws *Workspace) ConfigsRepo() (*gitrepo.Repo, error) { return ws.configs.open() }

// UnknownAppsError lists names that are not discovered Applications.
type UnknownAppsError struct {
	Names []string
	Known []string
}

func (e *UnknownAppsError) Error() string {
	s := "s"
	if len(e.Names) == 1 {
		s = ""
	}
	msg := fmt.Sprintf("unknown application%s %s (known: %s)", s, strings.Join(e.Names, ", "), strings.Join(e.Known, ", "))
	if len(e.Names) == 1 {
		msg += services.DidYouMean(e.Names[0], e.Known)
	}
	return msg
}

// Lookup returns the named apps (all apps when names is empty), or an
// *UnknownAppsError naming the unknown ones and listing the known ones.
func (ws *Workspace) Lookup(names ...string) ([]*App, error) {
	if len(names) == 0 {
		return ws.Apps(), nil
	}
	var apps []*App
	var unknown []string
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		a := ws.byName[n]
		if a == nil {
			unknown = append(unknown, n)
			continue
		}
		apps = append(apps, a)
	}
	if len(unknown) > 0 {
		known := make([]string, 0, len(ws.apps))
		for _, a := range ws.apps {
			known = append(known, a.Name)
		}
		return nil, &UnknownAppsError{Names: unknown, Known: known}
	}
	return apps, nil
}

// Render renders the named apps (all when none are named) in parallel and
// returns one Result per app in the order asked (by name when all). Unknown
// names are an *UnknownAppsError; render failures are per-app Result.Err.
func (ws *Workspace) Render(ctx context.Context, names ...string) ([]Result, error) {
	apps, err := ws.Lookup(names...)
	if err != nil {
		return nil, err
	}
	return ws.RenderApps(ctx, apps), nil
}

// RenderApps renders apps in parallel (bounded by Options.Parallelism).
func (ws *Workspace) RenderApps(ctx context.Context, apps []*App) []Result {
	out := make([]Result, len(apps))
	var todo []*App
	var idx []int
	ws.mu.Lock()
	for i, a := range apps {
		if r, ok := ws.results[a.Name]; ok {
			out[i] = *r
			continue
		}
		if r, ok := ws.done[a.Name]; ok {
			out[i] = *r
			continue
		}
		todo = append(todo, a)
		idx = append(idx, i)
	}
	ws.mu.Unlock()
	rendered := ws.renderAll(ctx, todo)
	ws.evictIfWritten()
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for k, r := range rendered {
		out[idx[k]] = r
		if ctx.Err() == nil {
			ws.done[r.App.Name] = &rendered[k]
		}
	}
	return out
}

func (ws *Workspace) renderAll(ctx context.Context, apps []*App) []Result {
	out := make([]Result, len(apps))
	order := ws.renderOrder(apps)
	ws.parallel(len(apps), func(k int) {
		i := order[k]
		a := apps[i]
		if err := ctx.Err(); err != nil {
			out[i] = Result{App: a, Err: appError(a, err)}
			return
		}
		out[i] = ws.renderAppCached(a)
	})
	return out
}

// parallel runs f(0..n-1) on at most Options.Parallelism goroutines.
func (ws *Workspace) parallel(n int, f func(i int)) {
	var g errgroup.Group
	g.SetLimit(ws.opts.Parallelism)
	for i := range n {
		g.Go(func() error { f(i); return nil })
	}
	_ = g.Wait() // f reports its errors in its results
}

// repoFor finds the repository of a source URL.
func (ws *Workspace) repoFor(url string) (*repoEntry, error) {
	if e, ok := ws.repos[NormalizeURL(url)]; ok {
		return e, nil
	}
	return nil, ws.unknownRepo(url)
}

// UnknownRepoError is a source repository with no local checkout.
type UnknownRepoError struct {
	URL string
	// Git are the git repositories known ("URL (DIR)"), Charts the local
	// copies of Helm repository charts (repos: keys "<repoURL>/<chart>").
	Git, Charts []string
}

func (e *UnknownRepoError) Error() string {
	msg := fmt.Sprintf("git repository %s has no local checkout: pass --configs DIR if it is the configs-repo (a clone of it, whose remote has that URL), or map it to a checkout in repos: of %s (or set gitopsRepo.url / configsRepo.url); a Helm repository or OCI registry is a source with chart: instead, fetched into the chart cache", e.URL, layout.ConfigFileName)
	if len(e.Git) > 0 {
		msg += "; known git repositories: " + strings.Join(e.Git, ", ")
	} else {
		msg += "; no git repository URL is known"
	}
	if len(e.Charts) > 0 {
		msg += "; known Helm repository charts: " + strings.Join(e.Charts, ", ")
	}
	return msg
}

func (ws *Workspace) unknownRepo(url string) error {
	err := &UnknownRepoError{URL: url}
	seen := map[string]bool{}
	for _, k := range slices.Sorted(maps.Keys(ws.repos)) {
		e := ws.repos[k]
		u := e.url
		if u == "" {
			u = k // a remote URL mapped to the entry
		}
		if u == "" || seen[u] {
			continue
		}
		seen[u] = true
		if e != ws.gitops && e != ws.configs && !gitrepo.IsGit(e.dir) && fileExists(filepath.Join(e.dir, "Chart.yaml")) {
			err.Charts = append(err.Charts, u)
			continue
		}
		where := e.dir
		if e == ws.gitops || e == ws.configs {
			where = e.label
		}
		err.Git = append(err.Git, fmt.Sprintf("%s (%s)", u, where))
	}
	return err
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// mayRenderApps reports whether rendering a could yield Applications or
// AppProjects: Directory sources always may; a Helm chart only when one of
// its templates mentions them or builds its kind dynamically. Kustomize
// sources always may too (an app of apps is often a kustomization).
func (ws *Workspace) mayRenderApps(a *App) bool {
	for _, s := range a.Sources {
		if s.Ref != "" && s.Path == "" {
			continue
		}
		if s.Chart != "" {
			// A remote chart (from the cache; fetched on first use) may be
			// an app-of-apps chart too. One that cannot be had is rendered,
			// so that its app reports why.
			src := &source{ws: ws, app: a, src: s}
			r, err := src.remoteChartRepo()
			if err != nil {
				return true
			}
			if ch, err := ws.loadChart(r, "."); err != nil || chartMentionsApps(ch) {
				return true
			}
			continue
		}
		_, r, err := ws.sourceRepo(s)
		if err != nil {
			continue
		}
		dir := gitrepo.Clean(s.Path)
		t, err := argo.SourceType(r, dir, s)
		if err != nil {
			continue
		}
		switch t {
		case argo.SourceTypeDirectory, argo.SourceTypeKustomize:
			return true
		case argo.SourceTypeHelm:
			// From the chart's raw files, without loading (parsing) it: any
			// file under a templates/ directory, the chart's own or a
			// vendored subchart's, that mentions the kinds counts. A
			// packaged (.tgz) subchart, or files that cannot be read, fall
			// back to loading the chart: the slow but exact answer (and the
			// load reports what is wrong where it matters).
			if sc := ws.scanChart(r, dir); sc.mentions {
				return true
			} else if sc.err != nil || sc.packaged {
				if ch, err := ws.loadChart(r, dir); err != nil || chartMentionsApps(ch) {
					return true
				}
			}
		}
	}
	return false
}

// mentionsApps: a kind field (YAML or JSON) whose value is an Application
// kind or is computed by the template ("kind: {{ ... }}"). A comment or a
// name that merely says "Application" does not count. (What the pattern
// kindPattern says, scanned by hand: it runs on every template of every
// chart when discovering.)
func mentionsApps(s string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], "kind")
		if j < 0 {
			return false
		}
		k := i + j
		i = k + 4
		if k > 0 && isWordByte(s[k-1]) {
			continue
		}
		p := skipQuote(s, k+4)
		p = skipSpaces(s, p)
		if p >= len(s) || s[p] != ':' {
			continue
		}
		rest := s[skipQuote(s, skipSpaces(s, p+1)):]
		if strings.HasPrefix(rest, "{{") || strings.HasPrefix(rest, argo.KindApp) || strings.HasPrefix(rest, argo.KindProject) {
			return true
		}
	}
}

// kindPattern is the regular expression mentionsApps scans for.
const kindPattern = `\bkind["']?\s*:\s*["']?(\{\{|` + argo.KindApp + `|` + argo.KindProject + `)`

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func skipQuote(s string, p int) int {
	if p < len(s) && (s[p] == '"' || s[p] == '\'') {
		return p + 1
	}
	return p
}

// skipSpaces skips what \s matches: tab, newline, form feed, carriage
// return and space.
func skipSpaces(s string, p int) int {
	for p < len(s) && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\f' || s[p] == '\r') {
		p++
	}
	return p
}

func chartMentionsApps(ch *chart.Chart) bool {
	for _, t := range ch.Templates {
		if mentionsApps(string(t.Data)) {
			return true
		}
	}
	for _, d := range ch.Dependencies() {
		if chartMentionsApps(d) {
			return true
		}
	}
	return false
}

// chartCache is the remote chart cache, made on first use.
func (ws *Workspace) chartCache() (*charts.Cache, error) {
	ws.cacheOnce.Do(func() {
		if ws.opts.Charts != nil {
			ws.cache = ws.opts.Charts
			return
		}
		ws.cache, ws.cacheErr = charts.New(charts.Options{Dir: ws.cfg.ChartCacheDir, Offline: ws.cfg.Offline, Mirrors: ws.cfg.ChartMirrors})
	})
	return ws.cache, ws.cacheErr
}

// remoteEntry is the repository view of an unpacked remote chart.
func (ws *Workspace) remoteEntry(dir, label string) *repoEntry {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	e, ok := ws.remote[dir]
	if !ok {
		e = &repoEntry{dir: dir, label: label}
		ws.remote[dir] = e
	}
	return e
}

// offline reports whether network access is forbidden (--offline).
func (ws *Workspace) offline() bool {
	if ws.opts.Charts != nil {
		return ws.opts.Charts.Offline()
	}
	return ws.cfg.Offline
}
