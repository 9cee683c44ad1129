package check

import (
	"errors"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/render"
)

// renderWorkspace is a Workspace backed by the renderer: the renderer's Side for
// inputs and renders, plus the apps' and projects' details check needs.
type renderWorkspace struct {
	*render.Side
	cfg *config.Loaded
	ws  *render.Workspace
}

// NewWorkspace checks what an open render workspace renders (the work
// trees of both repositories, for check). Sharing it with seal's locator
// means each app is rendered once.
func NewWorkspace(cfg *config.Loaded, ws *render.Workspace) Workspace {
	return &renderWorkspace{Side: render.NewSide(cfg, ws), cfg: cfg, ws: ws}
}

func (w *renderWorkspace) Apps() []App {
	apps := w.ws.Apps()
	out := make([]App, len(apps))
	for i, a := range apps {
		out[i] = App{Name: a.Name, Project: a.Project, File: a.File, Line: a.Line, Repo: render.RepoName(w.cfg, a.RepoDir),
			Application: a.Application, FieldLine: a.FieldLine}
	}
	return out
}

func (w *renderWorkspace) Projects() []Project {
	ps := w.ws.Projects()
	out := make([]Project, 0, len(ps))
	for _, p := range ps {
		if render.RepoName(w.cfg, p.RepoDir) != RepoGitops {
			continue
		}
		out = append(out, Project{Name: p.Name, File: p.File, Project: p.Project})
	}
	return out
}

func (w *renderWorkspace) Inputs(app string) ([]render.RepoInput, error) {
	if w.ws.App(app) == nil {
		return nil, errors.New("unknown app")
	}
	return w.Side.Inputs(app)
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
