package render

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
)

// The discovery cache keeps, across runs of diff, what opening a side
// found: its Applications and AppProjects, where each is defined, the roots,
// and the inputs of every app. A side is keyed by the exact state of what
// it reads:
//
//   - a repository at a commit by the commit (its tree is a content hash);
//   - the work tree by its HEAD commit, the content (or absence) of every
//     path git status reports changed since the base of the diff (a
//     superset of what differs from HEAD), and the ignored entries git
//     status passes over (the file contents; inside an ignored directory,
//     every entry's size and modification time);
//
// plus the build (CacheSalt), the config, the options, the remote URLs
// mapped to the repositories and the branches read as opened. A side is
// stored only when its discovery read nothing else: no other repository,
// no source at another revision, no remote chart, no ApplicationSet, no
// Kustomize parent, no parent chart with unpinned dependencies, and no
// discovery error. Entries live in the render cache (atomic, checksummed,
// evicted with the renders).

// discoFormat names the stored form; change it when the form or what it
// means changes.
const discoFormat = "gitopsctl discovery 3"

// maxIgnoredEntries bounds what an ignored directory may hold for the work
// tree to be keyed (each entry is one lstat per run).
const maxIgnoredEntries = 4096

// discoSnap is the stored form of a side's discovery.
type discoSnap struct {
	Format   string        `json:"format"`
	Key      string        `json:"key"`
	Dirs     []string      `json:"dirs"` // repository directories, indexed by Dir fields
	Roots    []string      `json:"roots"`
	Found    string        `json:"found"`
	Missing  []string      `json:"missing,omitempty"`
	Fallback []string      `json:"fallback,omitempty"` // URLs mapped to the gitops-repo by Open
	Apps     []discoApp    `json:"apps"`
	Projects []discoObject `json:"projects,omitempty"`
	// Context is discoKey's context key: what the discovery depends on
	// besides the repositories' files.
	Context string `json:"context"`
	// Observed: Seen holds every question the discovery asked of the
	// gitops-repo and configs-repo views, encoded (encodeSeen).
	Observed bool   `json:"observed,omitempty"`
	Seen     []byte `json:"seen,omitempty"`

	// decoded are the apps' inputs, decoded once for both sides of a diff
	// (appInputs).
	decodeOnce sync.Once
	decoded    [][]Input
	decodedOK  bool
}

// appInputs returns every app's inputs, decoded once (the sides of a diff
// share them: callers do not change them); false when one does not decode.
func (s *discoSnap) appInputs() ([][]Input, bool) {
	s.decodeOnce.Do(func() {
		dir := func(i int) (string, bool) {
			if i < 0 || i >= len(s.Dirs) {
				return "", false
			}
			return s.Dirs[i], true
		}
		s.decoded, s.decodedOK = make([][]Input, len(s.Apps)), true
		for i := range s.Apps {
			in := make([]Input, len(s.Apps[i].In))
			for j, x := range s.Apps[i].In {
				var ok bool
				if in[j], ok = decodeInput(x, dir); !ok {
					s.decodedOK = false
					return
				}
			}
			s.decoded[i] = in
		}
	})
	return s.decoded, s.decodedOK
}

type discoApp struct {
	discoObject
	// App is the decoded Application, as JSON.
	App      json.RawMessage `json:"app"`
	DocStart int             `json:"docStart,omitempty"`
	// In are the inputs, each the index of its repository directory in
	// Dirs, "g" for a pattern or "f" for a file, and the path ("0fa/b.yaml").
	In []string `json:"in"`
}

type discoObject struct {
	Name   string `json:"name"`
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Dir    int    `json:"dir"`
	Parent string `json:"parent,omitempty"`
	// Doc is the manifest document (YAML), when the object has one.
	Doc []byte `json:"doc,omitempty"`
}

func encodeInput(dir int, in Input) string {
	g := "f"
	if in.Glob {
		g = "g"
	}
	return strconv.Itoa(dir) + g + in.Path
}

func decodeInput(s string, dir func(int) (string, bool)) (Input, bool) {
	i := strings.IndexAny(s, "fg")
	if i <= 0 {
		return Input{}, false
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil {
		return Input{}, false
	}
	d, ok := dir(n)
	return Input{RepoDir: d, Path: s[i+1:], Glob: s[i] == 'g'}, ok
}

// hashField writes parts to h, each with its length, and a newline.
func hashField(h hash.Hash, parts ...string) {
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s", len(p), p)
	}
	h.Write([]byte{'\n'})
}

// discoContext returns this side's context key: what its discovery
// depends on besides the repositories' files (the build, the config, the
// options, the roots, the branches under review, the remotes); false when
// the side cannot be keyed (no render cache, not a diff, a repository that
// is not git or has no commit, a staged view).
func (ws *Workspace) discoContext() (string, bool) {
	s := ws.opts.Shared
	if s == nil || ws.opts.RenderCache == nil {
		return "", false
	}
	field := hashField
	c := sha256.New()
	field(c, discoFormat, ws.opts.CacheSalt)
	cfg, err := ws.configJSON()
	if err != nil {
		return "", false
	}
	field(c, "config", string(cfg))
	field(c, "options", ws.opts.Root, fmt.Sprint(ws.opts.MissingRootsOK))
	field(c, append([]string{"roots"}, ws.opts.Roots...)...)
	field(c, append([]string{"branches"}, ws.opts.Branches...)...)
	for i, e := range []*repoEntry{ws.gitops, ws.configs} {
		r, err := e.open()
		if err != nil || r.Commit == "" || r.IsIndex() {
			return "", false
		}
		review := ws.branchesUnderReview(e)
		field(c, append([]string{"repo", []string{RepoGitops, RepoConfigs}[i], r.Root, fmt.Sprint(e.isGit)}, slices.Sorted(maps.Keys(review))...)...)
	}
	// The repositories each URL maps to (the remotes of the checkouts).
	for _, u := range slices.Sorted(maps.Keys(ws.repos)) {
		e := ws.repos[u]
		rev := e.rev
		if e == ws.gitops || e == ws.configs {
			rev = "" // the side's revision: in the key below
		}
		field(c, "url", u, e.dir, rev, fmt.Sprint(e == ws.gitops), fmt.Sprint(e == ws.configs))
	}
	return hex.EncodeToString(c.Sum(nil)), true
}

// discoKey returns the key of this side's discovery, given its context
// key: the context, the revisions, and for a work tree the state of every
// path git status reports changed and of the ignored entries; false when
// it cannot be keyed (the changes unknown, not a diff against the work
// tree, an ignored directory too large to check).
func (ws *Workspace) discoKey(ctxKey string) (string, bool) {
	s := ws.opts.Shared
	views, ok := ws.sideViews()
	if !ok {
		return "", false
	}
	field := hashField
	h := sha256.New()
	field(h, "context", ctxKey)
	field(h, "options", ws.opts.Rev, ws.opts.ConfigsRev)
	for i, r := range views {
		name := []string{RepoGitops, RepoConfigs}[i]
		field(h, "repo", name, r.Rev, r.Commit)
		if r.Rev != "" {
			continue // a commit: its hash says it all
		}
		<-s.ready
		ignored, ok := s.ignored[name]
		if s.cs == nil || !ok || ignored == nil {
			return "", false // not a diff against the work tree
		}
		for _, p := range s.cs.paths[name] {
			if !hashWorkTreePath(h, r.Root, p, "changed") {
				return "", false
			}
		}
		budget := maxIgnoredEntries
		for _, p := range ignored {
			if Readable(strings.TrimSuffix(p, "/")) != nil {
				continue // never read
			}
			if strings.HasSuffix(p, "/") {
				if !hashIgnoredDir(h, r.Root, strings.TrimSuffix(p, "/"), &budget) {
					return "", false
				}
				continue
			}
			if !hashWorkTreePath(h, r.Root, p, "ignored") {
				return "", false
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

// hashWorkTreePath hashes the state of the work-tree path p: missing, a
// link and its target, a directory, or a file and its content.
func hashWorkTreePath(h hash.Hash, root, p, kind string) bool {
	full := filepath.Join(root, filepath.FromSlash(p))
	fi, err := os.Lstat(full)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(h, "%s missing %d:%s\n", kind, len(p), p)
		return true
	case err != nil:
		return false
	case fi.Mode()&fs.ModeSymlink != 0:
		t, err := os.Readlink(full)
		if err != nil {
			return false
		}
		fmt.Fprintf(h, "%s link %d:%s %d:%s\n", kind, len(p), p, len(t), t)
		return true
	case fi.IsDir():
		fmt.Fprintf(h, "%s dir %d:%s\n", kind, len(p), p)
		return true
	case !fi.Mode().IsRegular():
		return false
	}
	data, err := os.ReadFile(full)
	if err != nil {
		return false
	}
	sum := sha256.Sum256(data)
	fmt.Fprintf(h, "%s file %d:%s %x %o\n", kind, len(p), p, sum, fi.Mode().Perm())
	return true
}

// hashIgnoredDir hashes the entries below an ignored directory by name,
// mode, size and modification time (as git status compares tracked
// files), within budget entries.
func hashIgnoredDir(h hash.Hash, root, dir string, budget *int) bool {
	ok := true
	err := filepath.WalkDir(filepath.Join(root, filepath.FromSlash(dir)), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		*budget--
		if *budget < 0 {
			ok = false
			return filepath.SkipAll
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fmt.Fprintf(h, "ignored entry %d:%s %o %d %d\n", len(rel), rel, fi.Mode(), fi.Size(), fi.ModTime().UnixNano())
		return nil
	})
	return ok && err == nil
}

// restoreDiscovery fills the workspace from the stored discovery under
// key and returns it; nil (the workspace untouched) on a miss or an entry
// that does not decode.
func (ws *Workspace) restoreDiscovery(key string) *discoSnap {
	data, ok := ws.opts.RenderCache.Get(key)
	if !ok {
		return nil
	}
	var snap discoSnap
	if err := snap.decode(data); err != nil || snap.Key != key || !ws.restoreSnap(&snap, DiscoveryFromCache) {
		return nil
	}
	return &snap
}

// restoreSnap fills the workspace from a stored discovery; false (the
// workspace untouched) when it does not decode.
func (ws *Workspace) restoreSnap(snap *discoSnap, from string) bool {
	r, ok := ws.prepareSnap(snap, from == DiscoveryFromCache)
	if ok {
		ws.applySnap(r, from)
	}
	return ok
}

// restoredSnap is a stored discovery decoded for a workspace.
type restoredSnap struct {
	snap     *discoSnap
	apps     []*App
	byName   map[string]*App
	inputs   map[*App][]Input
	projects []*Project
}

// prepareSnap decodes a stored discovery for the workspace without
// changing it; seed also offers its Applications to the other side (which
// decodes the documents it reads no more).
func (ws *Workspace) prepareSnap(snap *discoSnap, seed bool) (*restoredSnap, bool) {
	dir := func(i int) (string, bool) {
		if i < 0 || i >= len(snap.Dirs) {
			return "", false
		}
		return snap.Dirs[i], true
	}
	ins, ok := snap.appInputs()
	if !ok {
		return nil, false
	}
	apps := make([]*App, len(snap.Apps))
	bad := make([]bool, len(snap.Apps))
	ws.parallel(len(snap.Apps), func(i int) {
		sa := &snap.Apps[i]
		rd, ok := dir(sa.Dir)
		app := ws.opts.Shared.decodeStored(sa.App)
		if !ok || app == nil || app.Name != sa.Name || app.Name == "" {
			bad[i] = true
			return
		}
		proj := app.Spec.Project
		if proj == "" {
			proj = argo.DefaultProj
		}
		a := &App{Name: app.Name, Project: proj, File: sa.File, Line: sa.Line, RepoDir: rd, Parent: sa.Parent,
			Application: app, Sources: app.Spec.GetSources(), docStart: sa.DocStart}
		if len(sa.Doc) > 0 {
			a.doc = sa.Doc
			if seed {
				ws.opts.Shared.seedApplication(string(sa.Doc), app)
			}
		}
		apps[i] = a
	})
	r := &restoredSnap{snap: snap, apps: apps, byName: make(map[string]*App, len(apps)), inputs: make(map[*App][]Input, len(apps))}
	for i, a := range apps {
		if bad[i] || r.byName[a.Name] != nil {
			return nil, false
		}
		r.byName[a.Name] = a
		r.inputs[a] = ins[i]
	}
	for _, sp := range snap.Projects {
		rd, ok := dir(sp.Dir)
		if !ok {
			return nil, false
		}
		p, err := newProject(sp.Doc, sp.File, sp.Line, rd, sp.Parent)
		if err != nil {
			return nil, false
		}
		r.projects = append(r.projects, p)
	}
	return r, true
}

// applySnap fills the workspace from a prepared discovery.
func (ws *Workspace) applySnap(r *restoredSnap, from string) {
	for _, u := range r.snap.Fallback {
		if ws.repos[u] == nil {
			ws.repos[u] = ws.gitops
		}
	}
	ws.roots = r.snap.Roots
	ws.rootInfo.Found, ws.rootInfo.Missing = r.snap.Found, r.snap.Missing
	ws.apps, ws.byName, ws.projects = r.apps, r.byName, r.projects
	ws.mu.Lock()
	ws.knownInputs = r.inputs
	ws.restored = from
	ws.mu.Unlock()
}

// Where a side's apps and their inputs came from (DiscoverySource).
const (
	DiscoveryWorkedOut = "worked out"
	DiscoveryFromCache = "the render cache" // a diff side whose state was seen before
	// DiscoveryFromBase: a work-tree side whose differences from the base
	// change nothing its discovery read (discoreuse.go).
	DiscoveryFromBase = "the base side"
)

// DiscoverySource says where the workspace's apps and their inputs came
// from: one of the Discovery* constants.
func (ws *Workspace) DiscoverySource() string {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.restored == "" {
		return DiscoveryWorkedOut
	}
	return ws.restored
}

// storeDiscovery keeps the discovery of an opened workspace under key,
// with every app's inputs (worked out now: diff asks for them all), when
// it read nothing the key does not cover (see discoKey).
func (ws *Workspace) storeDiscovery(key, ctxKey string, before map[string]*repoEntry) {
	ins := make([][]Input, len(ws.apps))
	ws.parallel(len(ws.apps), func(i int) { ins[i] = ws.Inputs(ws.apps[i]) })
	known := make(map[*App][]Input, len(ws.apps))
	for i, a := range ws.apps {
		known[a] = ins[i]
	}
	ws.mu.Lock()
	ws.knownInputs = known
	ws.mu.Unlock()
	if ws.discoveryUncacheable() != "" {
		return
	}
	snap := discoSnap{Format: discoFormat, Key: key, Context: ctxKey, Roots: ws.roots, Found: ws.rootInfo.Found, Missing: ws.rootInfo.Missing}
	snap.Seen, snap.Observed = ws.seenEntries()
	dirs := map[string]int{}
	dirIndex := func(d string) int {
		i, ok := dirs[d]
		if !ok {
			i = len(snap.Dirs)
			dirs[d] = i
			snap.Dirs = append(snap.Dirs, d)
		}
		return i
	}
	for u, e := range ws.repos {
		if before[u] == nil && e == ws.gitops {
			snap.Fallback = append(snap.Fallback, u)
		}
	}
	sort.Strings(snap.Fallback)
	// The decoded Application as JSON decodes back to the same value (and
	// to the same InputDigest, which hashes this very form).
	docs := make([][]byte, len(ws.apps))
	errs := make([]error, len(ws.apps))
	ws.parallel(len(ws.apps), func(i int) { docs[i], errs[i] = ws.opts.Shared.applicationJSON(ws.apps[i].Application) })
	for i, a := range ws.apps {
		doc, err := docs[i], errs[i]
		if err != nil {
			return
		}
		sa := discoApp{discoObject: discoObject{Name: a.Name, File: a.File, Line: a.Line, Dir: dirIndex(a.RepoDir), Parent: a.Parent, Doc: a.doc},
			App: doc, DocStart: a.docStart, In: make([]string, len(ins[i]))}
		for j, in := range ins[i] {
			sa.In[j] = encodeInput(dirIndex(in.RepoDir), in)
		}
		snap.Apps = append(snap.Apps, sa)
	}
	for _, p := range ws.projects {
		doc, err := json.Marshal(p.Project)
		if err != nil {
			return
		}
		snap.Projects = append(snap.Projects, discoObject{Name: p.Name, File: p.File, Line: p.Line, Dir: dirIndex(p.RepoDir), Parent: p.Parent, Doc: doc})
	}
	ws.handOver(&snap)
	if ws.opts.RenderCache.Put(key, snap.encode()) == nil {
		ws.puts.Add(1)
	}
}

// discoveryUncacheable says why the discovery may not be stored ("" when
// it may): it (and the inputs worked out since) must have read only the
// gitops-repo and configs-repo as opened, and nothing may have failed.
func (ws *Workspace) discoveryUncacheable() string {
	ws.mu.Lock()
	uncacheable := len(ws.revEntries) > 0 || len(ws.remote) > 0
	ws.mu.Unlock()
	if uncacheable || len(ws.appSets) > 0 || len(ws.pendingSets) > 0 || ws.cache != nil || ws.cacheErr != nil {
		return "an ApplicationSet, a source at another revision, a remote chart"
	}
	for _, e := range ws.repos {
		if e != ws.gitops && e != ws.configs && (e.repo != nil || e.err != nil) {
			return "another repository"
		}
	}
	for name, res := range ws.results {
		if res.Err != nil {
			return "a discovery error"
		}
		a := ws.byName[name]
		if a == nil || a.AppSet != "" || len(a.appSetInputs) > 0 {
			return "an app of an ApplicationSet"
		}
		if ws.replay.loadsOutside(a) {
			// The key does not cover the document, which may decide the
			// render (a schema default) and so what was discovered.
			return "a parent whose values schema loads an outside document"
		}
		// A parent's render decided what was discovered: it must depend on
		// the repositories' files only.
		for _, src := range a.Sources {
			if src.Ref != "" && src.Path == "" {
				continue
			}
			if src.Chart != "" {
				return "a parent with a remote chart"
			}
			e, err := ws.sourceEntry(src)
			if err != nil || (e != ws.gitops && e != ws.configs) {
				return "a parent reading another repository"
			}
			r, err := e.open()
			if err != nil {
				return "a parent reading another repository"
			}
			t, err := argo.SourceType(r, gitrepo.Clean(src.Path), src)
			if err != nil || t == argo.SourceTypeKustomize || t == argo.SourceTypeHelm && !ws.chartDepsPinned(r, gitrepo.Clean(src.Path)) {
				return "a Kustomize parent or a chart with unpinned dependencies"
			}
		}
	}
	for _, a := range ws.apps {
		if a.AppSet != "" {
			return "an app of an ApplicationSet"
		}
	}
	return ""
}

// decodeStored decodes a stored Application (JSON) once per Shared: the
// two sides' discoveries hold mostly the same Applications. nil when it
// does not decode as an Application.
func (s *Shared) decodeStored(raw []byte) *argo.Application {
	s.mu.Lock()
	if s.stored == nil {
		s.stored = map[string]*storedApp{}
	}
	e, found := s.stored[string(raw)]
	if !found {
		e = &storedApp{}
		s.stored[string(raw)] = e
	}
	s.mu.Unlock()
	e.once.Do(func() {
		var app argo.Application
		if json.Unmarshal(raw, &app) == nil && app.Kind == argo.KindApp {
			e.app = &app
		}
	})
	return e.app
}

type storedApp struct {
	once sync.Once
	app  *argo.Application
}

// applicationJSON marshals a decoded Application once per Shared: the two
// sides' Applications are mostly the same decoded values (decodeApplication).
func (s *Shared) applicationJSON(app *argo.Application) ([]byte, error) {
	s.mu.Lock()
	if s.appJSON == nil {
		s.appJSON = map[*argo.Application]*marshalled{}
	}
	e, found := s.appJSON[app]
	if !found {
		e = &marshalled{}
		s.appJSON[app] = e
	}
	s.mu.Unlock()
	e.once.Do(func() { e.data, e.err = json.Marshal(app) })
	return e.data, e.err
}

type marshalled struct {
	once sync.Once
	data []byte
	err  error
}
