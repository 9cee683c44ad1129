package render

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
	"github.com/gitopsctl/gitopsctl/internal/layout"
)

// KindAppSet is the kind of an Argo CD ApplicationSet.
const KindAppSet = "ApplicationSet"

// AppSet is an ApplicationSet manifest: found while looking for roots, or
// deployed by a root or an app; those are expanded into the Applications
// they generate (see appsets.go).
type AppSet struct {
	Name string `json:"name"`
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	// Apps are the names of the Applications it generated.
	Apps []string `json:"apps,omitempty"`
	// Error says why it generated none or not all of them.
	Error string `json:"error,omitempty"`

	expanded bool
	err      *AppSetError
}

// Roots says where discovery started.
type Roots struct {
	// Files are the root manifests, relative to the gitops-repo root.
	Files []string `json:"files"`
	// Found is how they were chosen: "flag" (--root), "config" (roots: in
	// .gitopsctl.yaml), "default" (root-app.yaml) or "discovered" (found in
	// the repository: Application manifests no other Application reaches).
	Found string `json:"found"`
	// Missing are given roots absent at this revision (only with
	// Options.MissingRootsOK).
	Missing []string `json:"missing,omitempty"`
}

// How roots were chosen.
const (
	RootsFlag       = "flag"
	RootsConfig     = "config"
	RootsDefault    = "default"
	RootsDiscovered = "discovered"
)

// NoRootsError says that no root Application was found and how to name one.
type NoRootsError struct {
	Repo string
	Rev  string
}

func (e *NoRootsError) Error() string {
	at := e.Repo
	if e.Rev != "" {
		at += "@" + e.Rev
	}
	return fmt.Sprintf("no root application: %s has no %s and no Application manifest outside a chart directory: pass --root FILE|DIR (repeatable) or set roots: in %s",
		at, layout.RootAppFile, layout.ConfigFileName)
}

// manifestCandidate is a manifest file holding Argo CD objects.
type manifestCandidate struct {
	file    string
	apps    []argo.FileObject
	appSets []AppSet
	hasProj bool
}

// isChartDir reports whether dir holds a Helm chart.
func isChartDir(r *gitrepo.Repo, dir string) bool {
	return r.Exists(path.Join(dir, "Chart.yaml"))
}

// scanManifests lists, in lexical order, the manifest files below dir
// (recursively; hidden directories and chart directories are skipped) that
// hold Applications, ApplicationSets or AppProjects. Files that do not parse
// are passed over: a repository holds many YAML files that are not manifests.
func scanManifests(r *gitrepo.Repo, dir string) ([]*manifestCandidate, error) {
	dir = gitrepo.Clean(dir)
	if dir != "." && isChartDir(r, dir) {
		return nil, nil
	}
	var out []*manifestCandidate
	join := func(rel string) string {
		if dir == "." {
			return rel
		}
		return path.Join(dir, rel)
	}
	err := r.Walk(dir, gitrepo.WalkOptions{Recurse: true, SkipDir: func(rel string) bool {
		return strings.HasPrefix(path.Base(rel), ".") || isChartDir(r, join(rel))
	}}, func(rel, full string) error {
		if !strings.HasSuffix(rel, ".yaml") && !strings.HasSuffix(rel, ".yml") && !strings.HasSuffix(rel, ".json") {
			return nil
		}
		if Readable(full) != nil {
			return nil
		}
		data, err := r.ReadFile(full)
		if err != nil {
			return nil
		}
		if !bytes.Contains(data, []byte(argo.Group)) {
			return nil
		}
		objs, err := argo.ParseManifestFile(full, data)
		if err != nil {
			return nil
		}
		c := &manifestCandidate{file: full}
		for _, fo := range objs {
			switch {
			case argo.IsApplication(fo.Object):
				c.apps = append(c.apps, fo)
			case argo.IsAppProject(fo.Object):
				c.hasProj = true
			case isAppSet(fo.Object):
				name := ""
				if md, ok := fo.Object["metadata"].(map[string]any); ok {
					name, _ = md["name"].(string)
				}
				c.appSets = append(c.appSets, AppSet{Name: name, File: full, Line: fo.Line})
			}
		}
		if len(c.apps) > 0 || len(c.appSets) > 0 || c.hasProj {
			out = append(out, c)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return out, err
}

func isAppSet(obj map[string]any) bool {
	k, _ := obj["kind"].(string)
	av, _ := obj["apiVersion"].(string)
	return k == KindAppSet && strings.HasPrefix(av, argo.Group+"/")
}

// reaches reports which candidate files the Applications of c deploy: a
// source in this repository reaches the manifest files it reads (a
// Directory source: exactly those; another kind of source: every file below
// its path).
func (ws *Workspace) reaches(r *gitrepo.Repo, c *manifestCandidate, files map[string]bool) map[string]bool {
	out := map[string]bool{}
	for _, fo := range c.apps {
		app, err := argo.DecodeApplication(fo.Doc)
		if err != nil {
			continue
		}
		for _, s := range app.Spec.GetSources() {
			if s.Chart != "" || (s.Ref != "" && s.Path == "") || !ws.isGitopsURL(s.RepoURL) {
				continue
			}
			dir := gitrepo.Clean(s.Path)
			if strings.HasPrefix(dir, "..") {
				continue
			}
			t, err := argo.SourceType(r, dir, s)
			if err != nil {
				continue
			}
			if t == argo.SourceTypeDirectory {
				rels, err := argo.DirectoryFiles(r, dir, s.Directory)
				if err != nil {
					continue
				}
				for _, rel := range rels {
					full := rel
					if dir != "." {
						full = path.Join(dir, rel)
					}
					if files[full] {
						out[full] = true
					}
				}
				continue
			}
			for f := range files {
				if dir == "." || strings.HasPrefix(f, dir+"/") {
					out[f] = true
				}
			}
		}
	}
	return out
}

// isGitopsURL reports whether a source URL is the gitops-repo: its
// configured or remote URL, or, when neither is known, any URL not mapped
// elsewhere.
func (ws *Workspace) isGitopsURL(u string) bool {
	if e, ok := ws.repos[NormalizeURL(u)]; ok {
		return e == ws.gitops
	}
	return len(ws.gitopsURLs) == 0
}

// findRoots picks, among the manifest files below dir, those holding
// Applications that no other candidate's Application reaches; files in a
// cycle (each reached by another) contribute their first file in lexical
// order. It also returns the ApplicationSets and the files holding
// AppProjects no Application reaches.
func (ws *Workspace) findRoots(r *gitrepo.Repo, dir string) (roots, projects []string, sets []AppSet, err error) {
	cands, err := scanManifests(r, dir)
	if err != nil {
		return nil, nil, nil, err
	}
	files := map[string]bool{}
	for _, c := range cands {
		files[c.file] = true
		sets = append(sets, c.appSets...)
	}
	edges := map[string]map[string]bool{}
	reached := map[string]bool{}
	for _, c := range cands {
		if len(c.apps) == 0 {
			continue
		}
		edges[c.file] = ws.reaches(r, c, files)
		for f := range edges[c.file] {
			if f != c.file {
				reached[f] = true
			}
		}
	}
	covered := map[string]bool{}
	var cover func(f string)
	cover = func(f string) {
		if covered[f] {
			return
		}
		covered[f] = true
		for g := range edges[f] {
			cover(g)
		}
	}
	for _, c := range cands {
		if len(c.apps) > 0 && !reached[c.file] {
			roots = append(roots, c.file)
			cover(c.file)
		}
	}
	for _, c := range cands {
		if len(c.apps) > 0 && !covered[c.file] {
			roots = append(roots, c.file)
			cover(c.file)
		}
	}
	// A file of ApplicationSets no Application deploys is a root too.
	for _, c := range cands {
		if len(c.apps) == 0 && len(c.appSets) > 0 && !covered[c.file] {
			roots = append(roots, c.file)
			covered[c.file] = true
		}
	}
	for _, c := range cands {
		if c.hasProj && len(c.apps) == 0 && !covered[c.file] {
			projects = append(projects, c.file)
		}
	}
	sort.Strings(roots)
	return roots, projects, sets, nil
}

// rootFiles resolves the roots to read: Options.Roots (files or
// directories), else roots: of the config, else root-app.yaml when it
// exists, else the roots found in the repository.
func (ws *Workspace) rootFiles(r *gitrepo.Repo) (files, projects []string, err error) {
	given, found := ws.opts.Roots, RootsFlag
	if len(given) == 0 && ws.opts.Root != "" {
		given = []string{ws.opts.Root}
	}
	if len(given) == 0 && len(ws.cfg.Roots) > 0 {
		given, found = ws.cfg.Roots, RootsConfig
	}
	ws.rootInfo.Found = found
	if len(given) == 0 {
		if r.Exists(layout.RootAppFile) {
			ws.rootInfo.Found = RootsDefault
			return []string{layout.RootAppFile}, nil, nil
		}
		ws.rootInfo.Found = RootsDiscovered
		roots, projects, sets, err := ws.findRoots(r, ".")
		if err != nil {
			return nil, nil, fmt.Errorf("find root applications: %w", err)
		}
		ws.appSets = sets
		if len(roots) == 0 && !ws.opts.MissingRootsOK {
			return nil, nil, &NoRootsError{Repo: r.Root, Rev: r.Rev}
		}
		return roots, projects, nil
	}
	seen := map[string]bool{}
	for _, g := range given {
		g = gitrepo.Clean(g)
		if strings.HasPrefix(g, "..") {
			return nil, nil, fmt.Errorf("root %s is outside the gitops-repo", g)
		}
		fi, err := r.Stat(g)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && ws.opts.MissingRootsOK {
				ws.rootInfo.Missing = append(ws.rootInfo.Missing, g)
				continue
			}
			return nil, nil, fmt.Errorf("root application: %w", err)
		}
		var add []string
		if fi.IsDir() {
			roots, _, sets, err := ws.findRoots(r, g)
			if err != nil {
				return nil, nil, fmt.Errorf("root directory %s: %w", g, err)
			}
			ws.appSets = append(ws.appSets, sets...)
			if len(roots) == 0 && len(sets) == 0 {
				return nil, nil, fmt.Errorf("root directory %s holds no Application manifest", g)
			}
			add = roots
		} else {
			add = []string{g}
		}
		for _, f := range add {
			if !seen[f] {
				seen[f] = true
				files = append(files, f)
			}
		}
	}
	return files, nil, nil
}

// Roots says which root manifests discovery started from and how they were
// chosen.
func (ws *Workspace) Roots() Roots {
	r := ws.rootInfo
	r.Files = append([]string(nil), ws.roots...)
	return r
}

// AppSets lists the ApplicationSets found while looking for roots (they are
// not rendered).
func (ws *Workspace) AppSets() []AppSet { return append([]AppSet(nil), ws.appSets...) }

// Notes are what a command should tell the user about the workspace: the
// roots it found by itself and the Applications each ApplicationSet
// generated.
func (ws *Workspace) Notes() []string {
	var out []string
	if ws.rootInfo.Found == RootsDiscovered && len(ws.roots) > 0 {
		out = append(out, fmt.Sprintf("no %s: rendering from the root applications found in the repository: %s (choose with --root or roots: in %s)",
			layout.RootAppFile, strings.Join(ws.roots, ", "), layout.ConfigFileName))
	}
	for _, m := range ws.rootInfo.Missing {
		out = append(out, fmt.Sprintf("root %s does not exist at %s", m, orWorkTree(ws.opts.Rev)))
	}
	return append(out, ws.appSetNotes()...)
}

// Warnings are findings about the repository as a whole (none today: the
// ApplicationSets' errors are AppSetErrors).
func (ws *Workspace) Warnings() []string {
	return nil
}

func orWorkTree(rev string) string {
	if rev == "" {
		return "the work tree"
	}
	return rev
}

// readRoot registers the Applications (unless projectsOnly), AppProjects and
// ApplicationSets of one root manifest file and returns the Applications.
func (ws *Workspace) readRoot(gr *gitrepo.Repo, file string, projectsOnly bool) ([]*App, error) {
	data, err := gr.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("root application: %w", err)
	}
	objs, err := argo.ParseManifestFile(file, data)
	if err != nil {
		return nil, fmt.Errorf("root application: %w", err)
	}
	var apps []*App
	sets := 0
	for _, fo := range objs {
		switch {
		case argo.IsApplication(fo.Object) && !projectsOnly:
			a, err := ws.newApp(fo.Doc, fo.Object, file, fo.Start, fo.Line, gr.Root, "")
			if err != nil {
				return nil, fmt.Errorf("root application: %w", err)
			}
			if err := ws.addApp(a); err != nil {
				return nil, fmt.Errorf("root application: %w", err)
			}
			apps = append(apps, a)
		case argo.IsAppProject(fo.Object):
			p, err := newProject(fo.Doc, file, fo.Line, gr.Root, "")
			if err != nil {
				return nil, fmt.Errorf("root application: %w", err)
			}
			ws.projects = append(ws.projects, p)
		case isAppSet(fo.Object) && !projectsOnly:
			sets++
			ws.pendingSets = append(ws.pendingSets, pendingSet{obj: fo.Object, file: file, line: fo.Line, repoDir: gr.Root})
		}
	}
	if len(apps) == 0 && sets == 0 && !projectsOnly {
		return nil, fmt.Errorf("root application: %s holds no Application", file)
	}
	return apps, nil
}

// mapRemotes maps the remote URLs of the gitops-repo (when gitopsRepo.url
// is not set) and of the configs-repo (when configsRepo.url is not set)
// to their checkouts, so a repository without .gitopsctl.yaml resolves the
// sources that read itself, and --configs DIR the sources that read DIR.
func (ws *Workspace) mapRemotes() {
	if u := ws.cfg.GitopsRepo.URL; u != "" {
		ws.gitopsURLs = append(ws.gitopsURLs, NormalizeURL(u))
	} else {
		for _, rm := range gitrepo.Remotes(ws.cfg.RepoDir) {
			for _, u := range rm.URLs {
				k := NormalizeURL(u)
				if _, ok := ws.repos[k]; !ok {
					ws.repos[k] = ws.gitops
					ws.gitopsURLs = append(ws.gitopsURLs, k)
					if ws.gitops.url == "" {
						ws.gitops.url = u
					}
				}
			}
		}
	}
	if ws.cfg.ConfigsRepo.URL == "" && ws.cfg.ConfigsDir != "" {
		for _, rm := range gitrepo.Remotes(ws.cfg.ConfigsDir) {
			for _, u := range rm.URLs {
				if k := NormalizeURL(u); ws.repos[k] == nil {
					ws.repos[k] = ws.configs
					if ws.configs.url == "" {
						ws.configs.url = u
					}
				}
			}
		}
	}
}

// rootsReadGitops reports whether a root app has a source known to be the
// gitops-repo.
func (ws *Workspace) rootsReadGitops(apps []*App) bool {
	for _, a := range apps {
		for _, s := range a.Sources {
			if e := ws.repos[NormalizeURL(s.RepoURL)]; e != nil && e == ws.gitops && s.Chart == "" {
				return true
			}
		}
	}
	return false
}
