package render

import (
	"encoding/json"
	"path"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
)

// Shared lets the workspaces of the two sides of a diff share what they work
// out about a directory in which no path changed between the sides: the
// files of a chart (and whether its templates may render Applications), and
// the parsed manifests of a Directory source. The side reading a commit
// works the answer out (a commit's trees and blobs are read once per object
// id, however many directories hold them); the side reading the work tree
// takes it, or waits for it, instead of walking, reading and parsing the
// same files at its own state. An answer is shared only when it depends on
// nothing outside the directory (no symbolic link was followed) and
// succeeded; errors are always worked out by each side, so that they name
// its revision.
//
// A Shared is used by workspaces opened with it in Options.Shared. Until
// SetChanges is called, a workspace reading the work tree (or an index)
// that asks for a shared answer waits.
type Shared struct {
	ready chan struct{}
	once  sync.Once
	cs    *changeSet // nil: share nothing
	// ignored are the ignored work-tree entries per repository (SetIgnored).
	ignored Changes
	// shareCS are the changes and the ignored entries: what a directory
	// must hold none of to be shared.
	shareCS *changeSet

	mu   sync.Mutex
	memo map[sharedKey]*sharedEntry
	// views are the repository views the sides asked about, by share
	// name: an answer shared between the sides is worked out from a view
	// of a commit (or an index) when one asked, whose trees and blobs are
	// read once per object id however many directories hold them.
	views map[string][]*gitrepo.Repo
	apps  map[string]*argo.Application // manifest document -> decoded
	// stored are the Applications of stored discoveries (discocache.go),
	// appJSON the decoded Applications marshalled to store them.
	stored  map[string]*storedApp
	appJSON map[*argo.Application]*marshalled

	// base is the base side's discovery, handed to the work-tree side
	// (discoreuse.go).
	base baseHandoff
}

type sharedEntry struct {
	done chan struct{}
	v    any
	ok   bool
}

// NewShared returns a Shared that shares nothing until SetChanges.
func NewShared() *Shared {
	return &Shared{ready: make(chan struct{}), memo: map[sharedKey]*sharedEntry{}, apps: map[string]*argo.Application{}}
}

// SetChanges gives the paths changed between the two sides (as Changes of
// Affected). nil shares nothing (the changes could not be worked out).
// Only the first call counts.
func (s *Shared) SetChanges(c Changes) {
	s.once.Do(func() {
		if c != nil {
			cs := newChangeSet(c)
			s.cs = &cs
			// An ignored entry is read from the work tree but is no change
			// git reports: a directory holding one is not shared.
			touched := Changes{}
			for repo, paths := range c {
				touched[repo] = append(touched[repo], paths...)
			}
			for repo, paths := range s.ignored {
				for _, p := range paths {
					if p = strings.TrimSuffix(p, "/"); Readable(p) == nil {
						touched[repo] = append(touched[repo], p)
					}
				}
			}
			ts := newChangeSet(touched)
			s.shareCS = &ts
		}
		close(s.ready)
	})
}

// SetIgnored gives, before SetChanges, the ignored entries of each
// repository whose head is the work tree (gitx.Reader.ChangedIgnored): with
// the changes, they key the work tree's discovery in the render cache.
func (s *Shared) SetIgnored(c Changes) {
	select {
	case <-s.ready:
	default:
		s.ignored = c
	}
}

// shareName names r when it is a repository both sides read at the state
// Changes describes: the gitops-repo and configs-repo as opened, or another
// repository mapped in the config (read as it is on both sides). Views at a
// targetRevision and chart copies are not shared.
func (ws *Workspace) shareName(r *gitrepo.Repo) (string, bool) {
	if r == nil {
		return "", false
	}
	for _, e := range []*repoEntry{ws.gitops, ws.configs} {
		if er, err := e.open(); err == nil && er == r {
			if e == ws.gitops {
				return RepoGitops, true
			}
			return RepoConfigs, true
		}
	}
	for _, e := range ws.repos {
		if e == ws.gitops || e == ws.configs || e.rev != "" || e.dir != r.Root {
			continue
		}
		if er, err := e.open(); err == nil && er == r {
			return "dir:" + e.dir, true
		}
	}
	return "", false
}

// share returns the answer of f about directory dir of r. f works the
// answer out from the view it is given and returns it and whether it may be
// shared. A view of a commit answers from itself, once, without waiting for
// the changes (its answer is its own whatever changed). Another view (the
// work tree, an index) takes the answer of a commit's view when dir is
// unchanged between the sides and that answer may be shared (the directory
// holds the same there, and a commit's trees and blobs are read once per
// object id however many directories hold them); else, or when no side has
// a view of a commit, its own.
func (ws *Workspace) share(kind string, r *gitrepo.Repo, dir, extra string, f func(*gitrepo.Repo) (any, bool)) any {
	s := ws.opts.Shared
	if s == nil {
		v, _ := f(r)
		return v
	}
	name, ok := ws.shareName(r)
	if !ok {
		v, _ := f(r)
		return v
	}
	s.addView(name, r)
	key := strings.Join([]string{kind, name, dir, extra}, "\x00")
	if isCommitView(r) {
		v, _ := s.answer(key, r, f)
		return v
	}
	<-s.ready
	pattern := "**"
	if dir != "." {
		pattern = path.Join(dir, "**")
	}
	if s.shareCS == nil || s.shareCS.touches(RepoInput{Repo: name, Path: pattern, Glob: true}) {
		v, _ := f(r)
		return v
	}
	view := s.commitView(name, r)
	v, ok := s.answer(key, view, f)
	if !ok && view != r { // f has not run on r yet
		v, _ = f(r)
	}
	return v
}

// answer returns view's answer under key, worked out by f once.
func (s *Shared) answer(key string, view *gitrepo.Repo, f func(*gitrepo.Repo) (any, bool)) (any, bool) {
	k := sharedKey{key, view}
	s.mu.Lock()
	e, found := s.memo[k]
	if !found {
		e = &sharedEntry{done: make(chan struct{})}
		s.memo[k] = e
	}
	s.mu.Unlock()
	if found {
		<-e.done
	} else {
		e.v, e.ok = f(view)
		close(e.done)
	}
	return e.v, e.ok
}

type sharedKey struct {
	key  string
	view *gitrepo.Repo
}

func isCommitView(r *gitrepo.Repo) bool { return r.Rev != "" && !r.IsIndex() }

// noteCommitViews notes this side's views of a commit in the Shared as
// soon as it opens, not when its discovery first reads them: a side whose
// discovery comes from the cache reads nothing, and the other side would
// then read every unchanged directory from its work tree instead of from
// these views' objects (an edit since the last run); and a work-tree side
// that asks first would not find them yet.
func (ws *Workspace) noteCommitViews() {
	s := ws.opts.Shared
	if s == nil {
		return
	}
	ws.recordReads() // before the other side may ask anything of them
	for _, e := range []*repoEntry{ws.gitops, ws.configs} {
		r, err := e.open()
		if err != nil || !isCommitView(r) {
			continue
		}
		if name, ok := ws.shareName(r); ok {
			s.addView(name, r)
		}
	}
}

// addView notes a view a side asked about under its share name.
func (s *Shared) addView(name string, r *gitrepo.Repo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.Contains(s.views[name], r) {
		return
	}
	if s.views == nil {
		s.views = map[string][]*gitrepo.Repo{}
	}
	s.views[name] = append(s.views[name], r)
}

// commitView returns a view of a commit noted under name, else r.
func (s *Shared) commitView(name string, r *gitrepo.Repo) *gitrepo.Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.views[name] {
		if isCommitView(v) {
			return v
		}
	}
	return r
}

// seedApplication makes app the decoded form of the manifest document doc
// (as decodeApplication would return it), unless one is known.
func (s *Shared) seedApplication(doc string, app *argo.Application) {
	s.mu.Lock()
	if _, ok := s.apps[doc]; !ok {
		s.apps[doc] = app
	}
	s.mu.Unlock()
}

// decodeApplication decodes an Application manifest document once per
// Shared (the two sides read most documents unchanged).
func (ws *Workspace) decodeApplication(doc []byte) (*argo.Application, error) {
	s := ws.opts.Shared
	if s == nil {
		return argo.DecodeApplication(doc)
	}
	s.mu.Lock()
	app, ok := s.apps[string(doc)]
	s.mu.Unlock()
	if ok {
		return app, nil
	}
	app, err := argo.DecodeApplication(doc)
	if err == nil {
		s.mu.Lock()
		s.apps[string(doc)] = app
		s.mu.Unlock()
	}
	return app, err
}

// chartScan is what discovery and Inputs need of a chart directory: its
// files (listChart) and whether its templates may render Applications.
type chartScan struct {
	list  []chartListEntry
	paths []string
	err   error
	// mentions: a template mentions Application kinds; packaged: a
	// packaged subchart, whose templates only loading the chart reveals.
	mentions, packaged bool
}

// scanChart lists a chart directory and scans its templates, once per
// workspace (and once per diff for a directory unchanged between sides).
func (ws *Workspace) scanChart(r *gitrepo.Repo, dir string) *chartScan {
	k := chartKey{r, "scan\x00" + dir}
	ws.mu.Lock()
	if ws.scans == nil {
		ws.scans = map[chartKey]*scanEntry{}
	}
	e, ok := ws.scans[k]
	if !ok {
		e = &scanEntry{done: make(chan struct{})}
		ws.scans[k] = e
	}
	ws.mu.Unlock()
	if ok {
		<-e.done
		return e.scan
	}
	e.scan = ws.share("chart", r, dir, "", func(r *gitrepo.Repo) (any, bool) {
		sc := doScanChart(r, dir)
		rp, err := r.Resolve(dir)
		return sc, sc.err == nil && err == nil && rp == dir && len(sc.paths) == len(sc.list)
	}).(*chartScan)
	close(e.done)
	return e.scan
}

type scanEntry struct {
	done chan struct{}
	scan *chartScan
}

func doScanChart(r *gitrepo.Repo, dir string) *chartScan {
	sc := &chartScan{}
	sc.list, sc.paths, sc.err = listChart(r, dir)
	if sc.err != nil {
		return sc
	}
	for _, f := range sc.list {
		if strings.HasSuffix(f.rel, ".tgz") {
			sc.packaged = true
			continue
		}
		if sc.mentions || !strings.HasPrefix(f.rel, "templates/") && !strings.Contains(f.rel, "/templates/") {
			continue
		}
		id, byID := r.BlobID(f.full)
		if byID {
			if m, ok := mentionsByBlob.Load(id); ok {
				sc.mentions = m.(bool)
				continue
			}
		}
		data, err := r.ReadFile(f.full)
		if err != nil {
			sc.err = err
			return sc
		}
		sc.mentions = mentionsApps(string(data))
		if byID {
			mentionsByBlob.Store(id, sc.mentions)
		}
	}
	return sc
}

// mentionsByBlob keeps mentionsApps' answer by git blob id: a chart copied
// per service holds the same templates many times over.
var mentionsByBlob sync.Map

// parsedFile is one parsed file of a Directory source.
type parsedFile struct {
	full string
	objs []argo.FileObject
	err  error
}

// dirScan is a Directory source's files, parsed.
type dirScan struct {
	rels  []string
	files []parsedFile
	err   error
}

// scanDirectory lists and parses the files of a Directory source (shared
// between the sides of a diff when its directory is unchanged). Objects are
// shared: callers copy them before changing them.
func (ws *Workspace) scanDirectory(r *gitrepo.Repo, dir string, d *argo.ApplicationSourceDirectory) *dirScan {
	spec, _ := json.Marshal(d)
	return ws.share("dir", r, dir, string(spec), func(r *gitrepo.Repo) (any, bool) {
		ds := &dirScan{}
		ds.rels, ds.err = argo.DirectoryFiles(r, dir, d)
		if ds.err != nil {
			return ds, false
		}
		ok := true
		if rp, err := r.Resolve(dir); err != nil || rp != dir {
			ok = false
		}
		// Read and parse the files in parallel (a directory of a thousand
		// Applications is read while the other side waits for it); the
		// answer is what reading them in order up to the first error gives.
		files := make([]parsedFile, len(ds.rels))
		linked := make([]bool, len(ds.rels))
		ws.parallel(len(ds.rels), func(i int) {
			full := path.Join(dir, ds.rels[i])
			if dir == "." {
				full = ds.rels[i]
			}
			if rp, err := r.Resolve(full); err != nil || rp != full {
				linked[i] = true
			}
			pf := parsedFile{full: full}
			data, err := r.ReadFile(full)
			if err == nil {
				pf.objs, err = argo.ParseManifestFile(full, data)
			}
			pf.err = err
			files[i] = pf
			if ws.opts.Shared == nil {
				return
			}
			// Both sides decode the Applications found here (once, kept
			// by document): decode them now, in parallel too.
			for _, fo := range pf.objs {
				if argo.IsApplication(fo.Object) {
					_, _ = ws.decodeApplication(fo.Doc)
				}
			}
		})
		for i, pf := range files {
			if linked[i] || pf.err != nil {
				ok = false
			}
			ds.files = append(ds.files, pf)
			if pf.err != nil {
				break
			}
		}
		return ds, ok
	}).(*dirScan)
}

// copyObject returns an object a caller may change.
func copyObject(o map[string]any) map[string]any {
	return runtime.DeepCopyJSON(o)
}
