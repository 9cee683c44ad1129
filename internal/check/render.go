package check

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/diff"
	"github.com/gitopsctl/gitopsctl/internal/render"
)

// repoName maps a repository directory to RepoGitops, RepoConfigs, or the
// directory itself.
func repoName(cfg *config.Loaded, dir string) string {
	switch filepath.Clean(dir) {
	case filepath.Clean(cfg.RepoDir):
		return RepoGitops
	case filepath.Clean(cfg.ConfigsDir):
		return RepoConfigs
	}
	return dir
}

// renderWorkspace is a Workspace backed by the renderer.
type renderWorkspace struct {
	cfg *config.Loaded
	ws  *render.Workspace
}

// OpenWorkspace renders the work trees of both repositories.
func OpenWorkspace(ctx context.Context, cfg *config.Loaded) (Workspace, error) {
	ws, err := render.Open(ctx, render.Options{Config: cfg})
	if err != nil {
		return nil, err
	}
	return &renderWorkspace{cfg: cfg, ws: ws}, nil
}

func (w *renderWorkspace) Apps() []App {
	apps := w.ws.Apps()
	out := make([]App, len(apps))
	for i, a := range apps {
		out[i] = App{Name: a.Name, Project: a.Project, File: a.File, Line: a.Line, Repo: repoName(w.cfg, a.RepoDir),
			Application: a.Application, FieldLine: a.FieldLine}
	}
	return out
}

func (w *renderWorkspace) Projects() []Project {
	ps := w.ws.Projects()
	out := make([]Project, 0, len(ps))
	for _, p := range ps {
		if repoName(w.cfg, p.RepoDir) != RepoGitops {
			continue
		}
		out = append(out, Project{Name: p.Name, File: p.File, Project: p.Project})
	}
	return out
}

func (w *renderWorkspace) Inputs(app string) ([]diff.Input, error) {
	a := w.ws.App(app)
	if a == nil {
		return nil, errors.New("unknown app")
	}
	return diff.AppInputs(w.cfg, w.ws, a), nil
}

func (w *renderWorkspace) Render(ctx context.Context, apps ...string) []diff.Rendered {
	if len(apps) == 0 {
		return nil
	}
	res, err := w.ws.Render(ctx, apps...)
	if err != nil {
		out := make([]diff.Rendered, len(apps))
		for i, a := range apps {
			out[i] = diff.Rendered{App: a, Err: err}
		}
		return out
	}
	out := make([]diff.Rendered, len(res))
	for i, r := range res {
		out[i] = diff.Rendered{App: r.App.Name, Objects: r.Objects, Err: r.Err}
	}
	return out
}

// renderProblem turns a render failure into a problem located at the file
// and line the renderer blamed.
func renderProblem(cfg func(string) string, a App, err error) Problem {
	p := Problem{Class: ClassRender, App: a.Name, Repo: a.Repo, File: a.File, Line: a.Line, Message: err.Error()}
	var re *render.Error
	if errors.As(err, &re) {
		p.Message = re.Err.Error()
		if re.File != "" {
			p.File, p.Line = re.File, re.Line
			if re.Repo != "" && cfg != nil {
				p.Repo = cfg(re.Repo)
			}
		}
	}
	return p
}
