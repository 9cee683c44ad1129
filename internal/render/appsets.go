package render

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/appset"
)

// AppSetError is an ApplicationSet that generated no Applications, or not
// all of them: a generator or template failed, a generator needs a live
// service, or a generated name is missing or taken. The other apps render
// on.
type AppSetError struct {
	// Name is the ApplicationSet's metadata.name.
	Name string `json:"name"`
	// Repo, File and Line locate its manifest (Line 0 when rendered by Helm).
	Repo string `json:"repo,omitempty"`
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Err  error  `json:"-"`
}

func (e *AppSetError) Error() string {
	return fmt.Sprintf("ApplicationSet %s: %s: %v", e.Name, loc(e.File, e.Line), e.Err)
}

func (e *AppSetError) Unwrap() error { return e.Err }

// appSetClusters are the clusters the clusters generator sees: the ones
// .gitopsctl.yaml declares under clusters: (each a cluster secret of Argo
// CD's, with its name, server and labels). The one Argo CD runs in is added
// by the generator itself as in-cluster unless a declared cluster has its
// address, as Argo CD does when no cluster secret has it. A file without
// clusters: declares no cluster secret: the generator sees in-cluster only.
func (ws *Workspace) appSetClusters() []appset.Cluster {
	if ws.cfg == nil || !ws.cfg.DeclaresClusters() {
		return nil
	}
	var out []appset.Cluster
	for _, cl := range ws.cfg.Clusters() {
		server := cl.Server
		if server == "" {
			server = appset.InClusterServer
		}
		out = append(out, appset.Cluster{Name: cl.Name, Server: server, Labels: cl.Labels})
	}
	return out
}

// appSetRepo opens the repository a git generator reads, at its revision,
// by the rules of a source's targetRevision (see SourceRead).
func (ws *Workspace) appSetRepo(repoURL, revision string) (appset.Repo, error) {
	e, err := ws.repoFor(repoURL)
	if err != nil {
		return appset.Repo{}, err
	}
	if e, _, err = ws.atRevision(e, repoURL, revision); err != nil {
		return appset.Repo{}, err
	}
	r, err := e.open()
	if err != nil {
		return appset.Repo{}, err
	}
	return appset.Repo{FS: checkoutFS{r.FS()}, ID: r.Root}, nil
}

// checkoutFS is a repository as a git generator lists it: without the files
// gitopsctl never reads (local plaintext, which git ignores, and .git), as
// Argo CD's checkout has none of them. Reading one is still refused.
type checkoutFS struct{ fs.FS }

func (c checkoutFS) ReadDir(name string) ([]fs.DirEntry, error) {
	ents, err := fs.ReadDir(c.FS, name)
	out := ents[:0]
	for _, e := range ents {
		if Readable(path.Join(name, e.Name())) == nil {
			out = append(out, e)
		}
	}
	return out, err
}

// appSetEntry finds or adds the entry of an ApplicationSet (one per file,
// line and name).
func (ws *Workspace) appSetEntry(obj map[string]any, file string, line int) *AppSet {
	name := ""
	if md, ok := obj["metadata"].(map[string]any); ok {
		name, _ = md["name"].(string)
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for i := range ws.appSets {
		if s := &ws.appSets[i]; s.File == file && s.Line == line && s.Name == name {
			return s
		}
	}
	ws.appSets = append(ws.appSets, AppSet{Name: name, File: file, Line: line})
	return &ws.appSets[len(ws.appSets)-1]
}

// expandAppSet registers the Applications an ApplicationSet generates, once
// per ApplicationSet, as children of parent ("" for a root): each is then
// rendered, diffed and checked like a hand-written one, located at the
// ApplicationSet's manifest. Problems are kept as the set's *AppSetError.
func (ws *Workspace) expandAppSet(obj map[string]any, file string, line int, repoDir, parent string) []*App {
	set := ws.appSetEntry(obj, file, line)
	if set.expanded {
		return nil
	}
	set.expanded = true
	name := set.Name
	ws.replay.checkAppSet(name, obj)
	gen, genErr := appset.Generate(obj, appset.Options{Clusters: ws.appSetClusters(), Git: ws.appSetRepo})
	var errs []error
	if genErr != nil {
		var ae *appset.Error
		if errors.As(genErr, &ae) {
			genErr = ae.Err
		}
		errs = append(errs, genErr)
	}
	var kids []*App
	for _, g := range gen {
		a, err := ws.newApp(nil, g.Object, file, 0, line, repoDir, parent)
		if err == nil {
			a.AppSet = name
			for _, f := range g.Files {
				a.appSetInputs = append(a.appSetInputs, Input{RepoDir: f.Repo, Path: f.Path})
			}
			err = ws.addApp(a)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		kids = append(kids, a)
		set.Apps = append(set.Apps, a.Name)
	}
	if len(errs) > 0 {
		set.err = &AppSetError{Name: name, Repo: repoDir, File: file, Line: line, Err: errors.Join(errs...)}
		set.Error = set.err.Err.Error()
	}
	return kids
}

// expandRootAppSets expands the ApplicationSets of the root manifests
// (after the gitops-repo's URLs are known).
func (ws *Workspace) expandRootAppSets() []*App {
	var out []*App
	for _, p := range ws.pendingSets {
		out = append(out, ws.expandAppSet(p.obj, p.file, p.line, p.repoDir, "")...)
	}
	ws.pendingSets = nil
	return out
}

// pendingSet is an ApplicationSet of a root manifest, expanded once the
// roots are read.
type pendingSet struct {
	obj     map[string]any
	file    string
	line    int
	repoDir string
}

// mapAppSetRepos takes the repositories the root ApplicationSets' git
// generators read, when not known, to be this gitops-repo (as Open does
// for the root apps' sources when neither gitopsRepo.url nor a remote says
// which URL this checkout is).
func (ws *Workspace) mapAppSetRepos() {
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if g, ok := t["git"].(map[string]any); ok {
				if u, ok := g["repoURL"].(string); ok && u != "" && !strings.Contains(u, "{{") {
					if k := NormalizeURL(u); ws.repos[k] == nil {
						ws.repos[k] = ws.gitops
					}
				}
			}
			for _, x := range t {
				walk(x)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	for _, p := range ws.pendingSets {
		if spec, ok := p.obj["spec"].(map[string]any); ok {
			walk(spec["generators"])
		}
	}
}

// AppSetErrors are the errors of the ApplicationSets, by file and line.
func (ws *Workspace) AppSetErrors() []error {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	var sets []AppSet
	for _, s := range ws.appSets {
		if s.err != nil {
			sets = append(sets, s)
		}
	}
	sort.SliceStable(sets, func(i, j int) bool {
		if sets[i].File != sets[j].File {
			return sets[i].File < sets[j].File
		}
		return sets[i].Line < sets[j].Line
	})
	out := make([]error, len(sets))
	for i, s := range sets {
		out[i] = s.err
	}
	return out
}

// appSetNotes say which Applications each ApplicationSet generated.
func (ws *Workspace) appSetNotes() []string {
	var out []string
	for _, s := range ws.appSets {
		if !s.expanded {
			out = append(out, fmt.Sprintf("ApplicationSet %s (%s) is not deployed from the roots: not rendered", s.Name, loc(s.File, s.Line)))
			continue
		}
		apps := "no apps"
		if len(s.Apps) > 0 {
			apps = fmt.Sprintf("%d %s: %s", len(s.Apps), plural(len(s.Apps), "app", "apps"), strings.Join(s.Apps, ", "))
		}
		out = append(out, fmt.Sprintf("ApplicationSet %s (%s) generated %s", s.Name, loc(s.File, s.Line), apps))
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
