package check

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/gitx"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
	"github.com/gitopsctl/gitopsctl/internal/render"
	"github.com/gitopsctl/gitopsctl/internal/rules"
)

// App is one Application of the gitops-repo.
type App struct {
	Name    string
	Project string
	// Repo and File locate the Application manifest (File relative to the
	// repo root; Repo RepoGitops unless defined elsewhere), Line its line.
	Repo        string
	File        string
	Line        int
	Application *argo.Application
	// FieldLine returns the line of a manifest field given as a YAML path
	// ("$.spec.sources[1].repoURL"), 0 when unknown (may be nil).
	FieldLine func(yamlPath string) int
}

// Project is one AppProject of the gitops-repo.
type Project struct {
	Name    string
	File    string // gitops-repo relative
	Project *argo.AppProject
}

// Workspace is the rendered view of the two repositories' work trees.
type Workspace interface {
	Apps() []App
	Projects() []Project
	// Inputs lists the files an app's rendering reads (repos named
	// RepoGitops / RepoConfigs).
	Inputs(app string) ([]render.RepoInput, error)
	Render(ctx context.Context, apps ...string) []render.Rendered
}

// SealChecker reports sealed data that is missing or stale for the given
// apps (nil: not available in this build).
type SealChecker func(ctx context.Context, apps []string) ([]Problem, error)

// Options select what Run checks.
type Options struct {
	GitopsDir  string
	ConfigsDir string
	// Staged checks only what is staged in either repository (the
	// pre-commit case): files staged, and the apps whose inputs are staged.
	// Files are read from the index; the Workspace must render the
	// repositories' indexes too (see StagedIndexes).
	Staged bool
	// GitopsIndex and ConfigsIndex, with Staged, are the index files to
	// read ("" = the repository's own index; see StagedIndexes).
	GitopsIndex  string
	ConfigsIndex string
	// Base checks what changed in the gitops-repo since this revision
	// (and in the configs-repo since ConfigsBase, default HEAD).
	Base        string
	ConfigsBase string
	Workspace   Workspace
	Sealed      SealChecker
	// Shard restricts the app checks to one shard's apps; the repository's
	// files (secret, plaintext) are checked by shard 1 only (and the
	// caller reports ApplicationSet errors there too), so that the
	// shards' problems together are the unsharded run's, each once.
	Shard render.Shard
	// SecretPatterns are the globs of env var names that look secret
	// (sealing.secretPatterns): such a key in a config.yaml is a problem
	// of class exposed, as is a value holding a URL with a password.
	SecretPatterns []string
	// Config, when set, declares the clusters: destinations are checked
	// against them (see clusterProblems).
	Config *config.Config
	// RepoName maps a repository directory named in a render error to
	// RepoGitops, RepoConfigs or itself (nil: keep the directory).
	RepoName func(dir string) string
}

// Result lists the problems found.
type Result struct {
	// Scope is "all", "staged" or "since <rev>".
	Scope string `json:"scope"`
	// Shard is the part of the apps checked, when sharded.
	Shard    *render.Shard `json:"shard,omitempty"`
	Problems []Problem     `json:"problems"`
	// Checked are the apps rendered and checked; Skipped those whose
	// inputs did not change (with --staged or --base).
	Checked []string `json:"checked"`
	Skipped []string `json:"skipped"`
	// Notes say what could not be checked (e.g. a repository that is not
	// under git).
	Notes []string `json:"notes,omitempty"`
}

type repoState struct {
	name, dir string
	index     string // index file read with --staged ("" = the repository's own)
	g         *gitx.Reader
	changed   []string // nil in "all" mode
	staged    map[string]bool
	tracked   []string
}

// StagedIndexes returns the index files 'check --staged' reads for the
// gitops-repo and the configs-repo: in a pre-commit hook, GIT_INDEX_FILE
// for the repository being committed (git points it at a temporary index
// for 'git commit -a' and 'git commit -- PATH'), and the other
// repository's own index; "" means the repository's own index. getenv is
// os.Getenv, cwd the current directory (git runs hooks at the top of the
// work tree being committed).
func StagedIndexes(getenv func(string) string, cwd, gitopsDir, configsDir string) (gitops, configs string, err error) {
	idx, err := gitx.CommitIndexes(getenv, cwd, gitopsDir, configsDir)
	if err != nil {
		return "", "", err
	}
	return idx[0], idx[1], nil
}

// Run performs the checks.
func Run(ctx context.Context, o Options) (*Result, error) {
	res := &Result{Scope: "all", Problems: []Problem{}, Checked: []string{}, Skipped: []string{}}
	switch {
	case o.Staged && o.Base != "":
		return nil, errors.New("--staged and --base exclude each other")
	case o.Staged:
		res.Scope = "staged"
	case o.Base != "":
		res.Scope = "since " + o.Base
	}
	if o.Shard.Sharded() {
		sh := o.Shard
		res.Shard = &sh
	}
	partial := res.Scope != "all"
	repos := []*repoState{{name: RepoGitops, dir: o.GitopsDir, index: o.GitopsIndex}, {name: RepoConfigs, dir: o.ConfigsDir, index: o.ConfigsIndex}}
	changes := render.Changes{}
	for _, r := range repos {
		if r.name == RepoConfigs && !isDir(r.dir) {
			// No configs-repo: only an app reading one needs it, and that
			// app's render says so.
			changes[r.name] = []string{}
			continue
		}
		g, err := gitx.OpenReader(r.dir)
		if err != nil {
			if errors.Is(err, gitx.ErrNotRepo) && !partial {
				res.Notes = append(res.Notes, fmt.Sprintf("%s-repo %s is not a git repository: tracked-file checks skipped", r.name, r.dir))
				continue
			}
			return nil, err
		}
		r.g = g
		if o.Staged {
			g.SetIndexFile(r.index)
		}
		if r.tracked, err = g.Tracked(); err != nil {
			return nil, err
		}
		staged, err := g.Staged()
		if err != nil {
			return nil, err
		}
		r.staged = map[string]bool{}
		for _, p := range staged {
			r.staged[p] = true
		}
		switch {
		case o.Staged:
			r.changed = staged
		case o.Base != "":
			base := o.Base
			if r.name == RepoConfigs {
				base = o.ConfigsBase
				if base == "" {
					base = "HEAD"
				}
			}
			if r.changed, err = g.Changed(base, gitx.WorkTree); err != nil {
				return nil, err
			}
		}
		if r.changed == nil {
			r.changed = []string{}
		}
		changes[r.name] = r.changed
	}

	// Files in git: plaintext secrets files and plain Secret manifests.
	for _, r := range repos {
		if r.g == nil || o.Shard.Index > 1 {
			continue
		}
		var stagedList, trackedOnly []string
		for _, p := range r.tracked {
			if r.staged[p] {
				stagedList = append(stagedList, p)
			} else {
				trackedOnly = append(trackedOnly, p)
			}
		}
		res.Problems = append(res.Problems, PlaintextProblems(r.name, stagedList, "staged")...)
		res.Problems = append(res.Problems, PlaintextProblems(r.name, trackedOnly, "tracked")...)
		files := r.tracked
		if partial {
			files = intersect(r.changed, r.tracked)
		}
		for _, f := range files {
			if !manifestFile(f) {
				continue
			}
			var data []byte
			var err error
			if o.Staged {
				data, err = r.g.IndexFile(f)
			} else {
				data, err = os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(f)))
			}
			if err != nil {
				continue // deleted in the work tree: nothing to commit there
			}
			res.Problems = append(res.Problems, SecretFileProblems(r.name, f, data)...)
		}
	}

	// Apps: every one, or those whose inputs (or project) changed.
	ws := o.Workspace
	apps := ws.Apps()
	byName := map[string]App{}
	var names []string
	for _, a := range apps {
		byName[a.Name] = a
		if o.Shard.Owns(a.Name) {
			names = append(names, a.Name)
		}
	}
	sort.Strings(names)
	projects := map[string]*argo.AppProject{}
	projectFile := map[string]string{}
	for _, p := range ws.Projects() {
		projects[p.Name] = p.Project
		projectFile[p.Name] = p.File
	}
	toCheck := names
	if partial {
		inputs := map[string][]render.RepoInput{}
		for _, n := range names {
			in, err := ws.Inputs(n)
			if err != nil {
				in = nil
			} else {
				in = append(in, render.RepoInput{Repo: RepoGitops, Path: byName[n].File})
				if f := projectFile[projectOf(byName[n])]; f != "" {
					in = append(in, render.RepoInput{Repo: RepoGitops, Path: f})
				}
			}
			inputs[n] = in
		}
		toCheck, res.Skipped = render.Affected(names, inputs, inputs, changes)
		if res.Skipped == nil {
			res.Skipped = []string{}
		}
	}
	res.Checked = append(res.Checked, toCheck...)
	srcCache := map[string][]byte{}
	appSource := func(a App) []byte {
		if b, ok := srcCache[a.File]; ok {
			return b
		}
		if a.Repo != RepoGitops && a.Repo != "" {
			return nil
		}
		var b []byte
		if o.Staged && repos[0].g != nil {
			b, _ = repos[0].g.IndexFile(a.File)
		} else {
			b, _ = os.ReadFile(filepath.Join(o.GitopsDir, filepath.FromSlash(a.File)))
		}
		srcCache[a.File] = b
		return b
	}
	var nodePorts []rules.NodePortUse
	nodePortObj := map[rules.NodePortUse]manifest.Object{}
	nodePortFile := map[string]func(manifest.Object) string{}
	for _, r := range ws.Render(ctx, toCheck...) {
		a := byName[r.App]
		if a.Repo == "" {
			a.Repo = RepoGitops
		}
		if r.Err != nil {
			res.Problems = append(res.Problems, renderProblem(o.RepoName, a, r.Err))
			continue
		}
		fileOf := objectFile(a)
		res.Problems = append(res.Problems, decodeProblems(r.App, RepoGitops, fileOf, r.Objects)...)
		res.Problems = append(res.Problems, imageProblems(r.App, RepoGitops, fileOf, r.Objects)...)
		res.Problems = append(res.Problems, clusterProblems(o.Config, a)...)
		if a.Application != nil {
			d := a.Application.Spec.Destination
			nodePortFile[r.App] = fileOf
			for _, o := range r.Objects {
				for _, u := range rules.ServiceNodePorts(rules.Cluster(d.Server, d.Name), r.App, o) {
					nodePorts = append(nodePorts, u)
					nodePortObj[u] = o
				}
			}
		}
		if a.Application != nil {
			res.Problems = append(res.Problems, ProjectProblems(ProjectInput{
				App: withClusterDestination(o.Config, a.Application), Repo: a.Repo, File: a.File, Line: a.Line, FieldLine: a.FieldLine,
				Source: appSource(a), Objects: r.Objects, ObjectFile: fileOf,
			}, projects)...)
		}
	}
	res.Problems = append(res.Problems, nodePortProblems(nodePorts, nodePortFile, nodePortObj)...)
	res.Problems = append(res.Problems, configProblems(ws, o.ConfigsDir, toCheck, o.SecretPatterns)...)
	if o.Sealed != nil && len(toCheck) > 0 {
		ps, err := o.Sealed(ctx, toCheck)
		if err != nil {
			return nil, err
		}
		res.Problems = append(res.Problems, ps...)
	}
	sortProblems(res.Problems)
	return res, nil
}

func projectOf(a App) string {
	if a.Project == "" {
		return argo.DefaultProj
	}
	return a.Project
}

// objectFile maps a rendered object's Source ("<chart>/templates/x.yaml")
// to its file in the gitops-repo, using the path of the app's chart source.
func objectFile(a App) func(manifest.Object) string {
	chartPath := ""
	if a.Application != nil {
		for _, s := range a.Application.Spec.GetSources() {
			if s.Path != "" && s.Ref == "" {
				chartPath = strings.Trim(s.Path, "/")
				break
			}
		}
	}
	return func(o manifest.Object) string {
		src := o.Source
		if chartPath == "" || src == "" || strings.HasPrefix(src, chartPath+"/") {
			return src // a Directory source names files by their repo path
		}
		if i := strings.Index(src, "/"); i >= 0 {
			return path.Join(chartPath, src[i+1:])
		}
		return path.Join(chartPath, src)
	}
}

func intersect(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if in[x] {
			out = append(out, x)
		}
	}
	return out
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
