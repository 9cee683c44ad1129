package render

import (
	"path"
	"sort"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
)

// Input is a file (or, with Glob, a doublestar pattern of files) an app's
// render reads.
type Input struct {
	// RepoDir is the repository's root directory.
	RepoDir string `json:"repoDir"`
	// Path is slash-separated and relative to RepoDir.
	Path string `json:"path"`
	// Glob marks Path as a pattern ("charts/backend/**").
	Glob bool `json:"glob,omitempty"`
}

// Inputs lists what rendering a depends on: its manifest, each source's
// override files, chart directory (as a pattern and file by file), value
// files and file parameters (missing ones too, since adding them changes
// the render), and the files of Directory sources. Sources that cannot be
// resolved contribute what is known. The list is sorted and deduplicated.
func (ws *Workspace) Inputs(a *App) []Input {
	ws.mu.Lock()
	known, ok := ws.knownInputs[a]
	ws.mu.Unlock()
	if ok {
		return known
	}
	ins, _ := ws.inputs(a)
	seen := map[Input]bool{}
	var out []Input
	for _, in := range ins {
		if !seen[in.Input] {
			seen[in.Input] = true
			out = append(out, in.Input)
		}
	}
	return out
}

// viewInput is an Input with the repository view it is read from.
type viewInput struct {
	Input
	repo *gitrepo.Repo
}

// inputs lists the inputs of a (see Inputs) with their repository views,
// sorted, and the sources' revision variables (envVars).
func (ws *Workspace) inputs(a *App) ([]viewInput, []map[string]string) {
	seen := map[viewInput]bool{}
	var out []viewInput
	var envs []map[string]string
	var cur *gitrepo.Repo // the view the next add reads from
	add := func(in Input) {
		vi := viewInput{Input: in, repo: cur}
		if in.Path == "" || seen[vi] {
			return
		}
		seen[vi] = true
		out = append(out, vi)
	}
	add(Input{RepoDir: a.RepoDir, Path: a.File}) // the manifest: hashed as the decoded app
	for _, in := range a.appSetInputs {
		add(in)
	}
	multi := a.Application.Spec.HasMultipleSources()
	refs := map[string]*refTarget{}
	for _, src := range a.Sources {
		if multi && src.Ref != "" {
			if e, err := ws.repoFor(src.RepoURL); err == nil {
				if r, err := e.open(); err == nil {
					refs["$"+src.Ref] = &refTarget{src: src, repo: r}
				}
			}
		}
	}
	for i, src := range a.Sources {
		if multi && src.Ref != "" && src.Path == "" {
			continue
		}
		s := &source{ws: ws, app: a, index: i, multi: multi, src: src, dir: gitrepo.Clean(src.Path), refs: refs}
		if src.Chart != "" {
			// A mapped copy, else the chart from the cache (its files never
			// change under a version; its $ref value files may).
			if _, err := s.remoteChartRepo(); err != nil {
				continue
			}
		} else {
			e, err := ws.repoFor(src.RepoURL)
			if err != nil {
				continue
			}
			r, err := e.open()
			if err != nil {
				continue
			}
			s.entry, s.repo = e, r
			cur = r
			for _, n := range []string{".argocd-source.yaml", ".argocd-source-" + a.Name + ".yaml"} {
				add(Input{RepoDir: r.Root, Path: path.Join(s.dir, n)})
			}
			_ = s.applyOverrides()
		}
		s.env = s.envVars()
		envs = append(envs, s.env)
		r := s.repo
		cur = r
		t, err := argo.SourceType(r, s.dir, s.src)
		if err != nil {
			continue
		}
		pattern := path.Join(s.dir, "**")
		if s.dir == "." {
			pattern = "**"
		}
		add(Input{RepoDir: r.Root, Path: pattern, Glob: true})
		switch t {
		case argo.SourceTypeHelm:
			if sc := ws.scanChart(r, s.dir); sc.err == nil {
				for _, f := range sc.paths {
					add(Input{RepoDir: r.Root, Path: f})
				}
			}
			h := s.src.Helm
			if h == nil {
				continue
			}
			raws := append([]string(nil), h.ValueFiles...)
			for _, fp := range h.FileParameters {
				raws = append(raws, fp.Path)
			}
			for _, raw := range raws {
				if vf, err := s.resolveFile(raw); err == nil {
					cur = vf.repo
					add(Input{RepoDir: vf.repo.Root, Path: vf.path, Glob: isGlob(vf.path)})
				}
			}
		case argo.SourceTypeKustomize:
			for _, in := range s.kustomizeInputs() {
				add(in)
			}
		case argo.SourceTypeDirectory:
			if ds := ws.scanDirectory(r, s.dir, s.src.Directory); ds.err == nil {
				for _, f := range ds.rels {
					add(Input{RepoDir: r.Root, Path: path.Join(s.dir, f)})
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].RepoDir != out[j].RepoDir {
			return out[i].RepoDir < out[j].RepoDir
		}
		return out[i].Path < out[j].Path
	})
	return out, envs
}
