package render

import (
	"context"
	"path/filepath"
	"slices"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

// RepoName maps a repository directory to the name used in Changes and
// RepoInput.Repo: RepoGitops, RepoConfigs, or the directory itself for other
// repositories (whose changes are not computed: they are read at the same
// state on both sides).
func RepoName(cfg *config.Loaded, dir string) string {
	switch dir { // the usual case, without cleaning either path
	case cfg.RepoDir:
		return RepoGitops
	case cfg.ConfigsDir:
		return RepoConfigs
	}
	switch filepath.Clean(dir) {
	case filepath.Clean(cfg.RepoDir):
		return RepoGitops
	case filepath.Clean(cfg.ConfigsDir):
		return RepoConfigs
	}
	return dir
}

// Side is one side of a diff (or check's work tree) backed by the
// renderer: its apps, their inputs, their renders.
type Side struct {
	cfg *config.Loaded
	ws  *Workspace
}

// NewSide wraps an open workspace (check uses it for the work tree).
func NewSide(cfg *config.Loaded, ws *Workspace) *Side {
	return &Side{cfg: cfg, ws: ws}
}

func (s *Side) Apps() []string {
	apps := s.ws.Apps()
	out := make([]string, len(apps))
	for i, a := range apps {
		out[i] = a.Name
	}
	return out
}

func (s *Side) Inputs(app string) ([]RepoInput, error) {
	a := s.ws.App(app)
	if a == nil {
		return nil, nil
	}
	return AppInputs(s.cfg, s.ws, a), nil
}

// AppInputs lists what an app's render depends on. An Application rendered
// by a parent's Helm chart (no manifest line of its own) also depends on
// everything its parent's render reads, since its spec comes from there.
func AppInputs(cfg *config.Loaded, ws *Workspace, a *App) []RepoInput {
	var out []RepoInput
	for hops := 0; a != nil && hops < 32; hops++ {
		ins := ws.Inputs(a)
		out = slices.Grow(out, len(ins))
		for _, in := range ins {
			out = append(out, RepoInput{Repo: RepoName(cfg, in.RepoDir), Path: in.Path, Glob: in.Glob})
		}
		if a.Parent == "" || a.Line > 0 {
			break
		}
		a = ws.App(a.Parent)
	}
	return out
}

func (s *Side) Render(ctx context.Context, apps ...string) []Rendered {
	if len(apps) == 0 {
		return nil
	}
	res, err := s.ws.Render(ctx, apps...)
	if err != nil {
		out := make([]Rendered, len(apps))
		for i, a := range apps {
			out[i] = Rendered{App: a, Err: err}
		}
		return out
	}
	out := make([]Rendered, len(res))
	for i, r := range res {
		out[i] = Rendered{App: r.App.Name, Objects: r.Objects, Err: r.Err}
	}
	return out
}

// Rendered is the output of one app on one side.
type Rendered struct {
	App     string
	Objects []manifest.Object
	Err     error
}
