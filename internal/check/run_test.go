package check

import (
	"github.com/gitopsctl/gitopsctl/internal/gittest"

	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
	"github.com/gitopsctl/gitopsctl/internal/render"
)

// memWorkspace is an in-memory workspace over hand-built objects.
type memWorkspace struct {
	apps     []App
	projects []Project
	objects  map[string][]manifest.Object
	errs     map[string]error
	rendered []string
}

func (w *memWorkspace) Apps() []App         { return w.apps }
func (w *memWorkspace) Projects() []Project { return w.projects }
func (w *memWorkspace) Inputs(app string) ([]render.RepoInput, error) {
	return []render.RepoInput{{Repo: RepoGitops, Path: "charts/" + app}, {Repo: RepoConfigs, Path: app + "/config.yaml"}}, nil
}
func (w *memWorkspace) Render(_ context.Context, apps ...string) []render.Rendered {
	var out []render.Rendered
	for _, a := range apps {
		w.rendered = append(w.rendered, a)
		out = append(out, render.Rendered{App: a, Objects: w.objects[a], Err: w.errs[a]})
	}
	return out
}

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	gittest.Run(t, dir, args...)
}

func writeFile(t *testing.T, dir, p, s string) {
	t.Helper()
	f := filepath.Join(dir, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

type fixture struct {
	gitops, configs string
	ws              *memWorkspace
}

func appFor(t *testing.T, name, configsURL string) App {
	y := strings.ReplaceAll(appManifest, "backend", name)
	y = strings.ReplaceAll(y, "https://github.com/evil/configs-repo.git", configsURL)
	a, err := argo.DecodeApplication([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return App{Name: name, Project: "app", File: "argo-apps/clusters/prod/app/" + name + ".yaml", Application: a}
}

// newFixture makes two committed repositories and a clean workspace of two
// apps, backend and frontend.
func newFixture(t *testing.T) *fixture {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	root := t.TempDir()
	f := &fixture{gitops: filepath.Join(root, "gitops-repo"), configs: filepath.Join(root, "configs-repo")}
	const good = "https://github.com/acme/configs-repo.git"
	for _, n := range []string{"backend", "frontend"} {
		a := appFor(t, n, good)
		b, _ := argo.Marshal(a.Application)
		writeFile(t, f.gitops, a.File, string(b))
		writeFile(t, f.gitops, "charts/"+n+"/values.yaml", "image: {tag: v1}\n")
		writeFile(t, f.configs, n+"/config.yaml", "config: {}\n")
	}
	writeFile(t, f.gitops, "argo-apps/projects/app.yaml", appProject)
	writeFile(t, f.configs, ".gitignore", "*.local.env\n")
	for _, d := range []string{f.gitops, f.configs} {
		gitRun(t, d, "init", "-q", "-b", "main")
		gitRun(t, d, "add", "-A")
		gitRun(t, d, "commit", "-qm", "init")
	}
	f.ws = &memWorkspace{
		apps:     []App{appFor(t, "backend", good), appFor(t, "frontend", good)},
		projects: []Project{{Name: "app", File: "argo-apps/projects/app.yaml", Project: project(t, appProject)}},
		objects: map[string][]manifest.Object{
			"backend":  loadObjects(t, "backend", "good.yaml"),
			"frontend": loadObjects(t, "frontend", "good.yaml"),
		},
	}
	return f
}

func (f *fixture) run(t *testing.T, o Options) *Result {
	t.Helper()
	o.GitopsDir, o.ConfigsDir, o.Workspace = f.gitops, f.configs, f.ws
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func classes(ps []Problem) string {
	var out []string
	for _, p := range ps {
		out = append(out, string(p.Class))
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func TestRunClean(t *testing.T) {
	f := newFixture(t)
	res := f.run(t, Options{})
	if len(res.Problems) != 0 {
		t.Fatalf("clean repos have problems:\n%s", messages(res.Problems))
	}
	if strings.Join(res.Checked, ",") != "backend,frontend" || len(res.Skipped) != 0 || res.Scope != "all" {
		t.Fatalf("%+v", res)
	}
}

func TestRunEachClass(t *testing.T) {
	for _, tc := range []struct {
		class Class
		setup func(t *testing.T, f *fixture)
		want  string
	}{
		{ClassRender, func(t *testing.T, f *fixture) {
			f.ws.errs = map[string]error{"backend": errors.New(`template: backend/templates/rollout.yaml:12:3: executing "backend/templates/rollout.yaml": function "args" not defined`)}
		}, `argo-apps/clusters/prod/app/backend.yaml: render: backend: template: backend/templates/rollout.yaml:12:3`},
		{ClassDecode, func(t *testing.T, f *fixture) {
			f.ws.objects["backend"] = loadObjects(t, "backend", "bad-decode.yaml")[:1]
		}, `charts/backend/templates/rollout.yaml: decode: backend: Rollout backend/backend: argoproj.io/v1alpha1: unknown field "spec.strategy.blueGreen.autoPromote"`},
		{ClassProject, func(t *testing.T, f *fixture) {
			f.ws.apps[0] = appFor(t, "backend", "https://github.com/evil/configs-repo.git")
			writeFile(t, f.gitops, f.ws.apps[0].File, appManifest)
		}, `argo-apps/clusters/prod/app/backend.yaml:16: project: backend: ref source $configs repository https://github.com/evil/configs-repo.git is not permitted`},
		{ClassSecret, func(t *testing.T, f *fixture) {
			writeFile(t, f.configs, "backend/db-secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {PASSWORD: hunter2}\n")
			gitRun(t, f.configs, "add", "backend/db-secret.yaml")
		}, `backend/db-secret.yaml:2: secret: plain Secret "db" committed in git`},
		{ClassPlaintext, func(t *testing.T, f *fixture) {
			writeFile(t, f.configs, "backend/secrets.local.env", "DB_PASSWORD=hunter2\n")
			gitRun(t, f.configs, "add", "-f", "backend/secrets.local.env")
		}, `backend/secrets.local.env: plaintext: plaintext secrets file is staged by git`},
		{ClassImage, func(t *testing.T, f *fixture) {
			f.ws.objects["frontend"] = loadObjects(t, "frontend", "bad-images.yaml")[1:]
		}, `charts/frontend/templates/cronjob.yaml: image: frontend: CronJob backend/nightly: spec.jobTemplate.spec.template.spec.containers "job": image "registry.local:5000/tools/job:latest" uses the tag latest`},
	} {
		t.Run(string(tc.class), func(t *testing.T) {
			f := newFixture(t)
			tc.setup(t, f)
			for _, o := range []Options{{}, {Staged: tc.class == ClassSecret || tc.class == ClassPlaintext}} {
				res := f.run(t, o)
				if got := classes(res.Problems); got != string(tc.class) {
					t.Fatalf("scope %s: classes %q, want only %s:\n%s", res.Scope, got, tc.class, messages(res.Problems))
				}
				if got := res.Problems[0].String(); !strings.HasPrefix(got, tc.want) {
					t.Errorf("got  %s\nwant %s...", got, tc.want)
				}
			}
		})
	}
}

func TestRunSealSeam(t *testing.T) {
	f := newFixture(t)
	var asked []string
	res := f.run(t, Options{Sealed: func(_ context.Context, apps []string) ([]Problem, error) {
		asked = apps
		return []Problem{{Class: ClassSealed, App: "backend", Repo: RepoConfigs, File: "backend/secrets.yaml", Message: "DB_PASSWORD is stale"}}, nil
	}})
	if strings.Join(asked, ",") != "backend,frontend" || classes(res.Problems) != "sealed" {
		t.Fatalf("asked %v, problems %s", asked, messages(res.Problems))
	}
}

func TestRunStagedSelectsApps(t *testing.T) {
	f := newFixture(t)
	// Nothing staged: nothing rendered.
	res := f.run(t, Options{Staged: true})
	if len(f.ws.rendered) != 0 || strings.Join(res.Skipped, ",") != "backend,frontend" {
		t.Fatalf("rendered %v, %+v", f.ws.rendered, res)
	}
	// A staged configs change of frontend renders frontend only; an
	// unstaged change of backend is not looked at.
	writeFile(t, f.configs, "frontend/config.yaml", "config: {A: b}\n")
	gitRun(t, f.configs, "add", "frontend/config.yaml")
	writeFile(t, f.configs, "backend/config.yaml", "config: {A: c}\n")
	f.ws.rendered = nil
	res = f.run(t, Options{Staged: true})
	if strings.Join(f.ws.rendered, ",") != "frontend" || strings.Join(res.Skipped, ",") != "backend" {
		t.Fatalf("rendered %v, %+v", f.ws.rendered, res)
	}
	// --base: what changed since a revision, staged or not.
	f.ws.rendered = nil
	res = f.run(t, Options{Base: "HEAD"})
	if strings.Join(f.ws.rendered, ",") != "backend,frontend" || res.Scope != "since HEAD" {
		t.Fatalf("rendered %v, %+v", f.ws.rendered, res)
	}
	// A changed AppProject re-checks the apps of the project.
	gitRun(t, f.configs, "checkout", "-q", "--", ".")
	gitRun(t, f.configs, "reset", "-q", "--hard")
	writeFile(t, f.gitops, "argo-apps/projects/app.yaml", appProject+"  description: changed\n")
	gitRun(t, f.gitops, "add", "-A")
	f.ws.rendered = nil
	f.run(t, Options{Staged: true})
	if strings.Join(f.ws.rendered, ",") != "backend,frontend" {
		t.Fatalf("project change rendered %v", f.ws.rendered)
	}
	if _, err := Run(context.Background(), Options{Staged: true, Base: "x", Workspace: f.ws, GitopsDir: f.gitops, ConfigsDir: f.configs}); err == nil {
		t.Fatal("--staged with --base should fail")
	}
}

func TestRunNotGit(t *testing.T) {
	f := newFixture(t)
	os.RemoveAll(filepath.Join(f.configs, ".git"))
	res := f.run(t, Options{})
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "not a git repository") || len(res.Problems) != 0 {
		t.Fatalf("%+v", res)
	}
	if _, err := Run(context.Background(), Options{Staged: true, Workspace: f.ws, GitopsDir: f.gitops, ConfigsDir: f.configs}); err == nil {
		t.Fatal("--staged needs git")
	}
}
