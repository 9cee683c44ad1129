package diff

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/render"
	"github.com/gitopsctl/gitopsctl/internal/render/benchgen"
	"github.com/gitopsctl/gitopsctl/internal/rendercache"
)

// cachedRun is one diff as the command runs it: both sides opened with a
// render.Shared fed by Run, through the render cache in cacheDir (none when
// cacheDir is ""). It returns the result as JSON, how many sides'
// discoveries were worked out (neither from the cache nor taken from the
// base side), and whether the work-tree side took the base side's.
func cachedRun(t *testing.T, gitops, cacheDir, base, head string) (string, int, bool) {
	t.Helper()
	out, worked, adopted := cachedRunRoots(t, gitops, cacheDir, base, head, nil)
	if strings.HasPrefix(out, "error: ") {
		t.Fatal(out)
	}
	return out, worked, adopted
}

// cachedRunRoots is cachedRun with roots (relative to the gitops-repo); a
// diff that fails returns "error: " and the error.
func cachedRunRoots(t *testing.T, gitops, cacheDir, base, head string, roots []string) (string, int, bool) {
	t.Helper()
	cfg, err := config.Load(config.Options{RepoDir: gitops})
	if err != nil {
		t.Fatal(err)
	}
	shared := render.NewShared()
	shared.ExpectBase()
	var mu sync.Mutex
	var wss []*render.Workspace
	open := func(ctx context.Context, rev, configsRev string, isBase bool) (Side, error) {
		o := render.Options{Config: cfg, Rev: rev, ConfigsRev: configsRev, MissingRootsOK: true, Roots: roots,
			Branches: []string{base, head}, Shared: shared, DiffBase: isBase, CacheSalt: "test"}
		if cacheDir != "" {
			o.RenderCache = rendercache.New(cacheDir, 0)
		}
		ws, err := render.Open(ctx, o)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		wss = append(wss, ws)
		mu.Unlock()
		return render.NewSide(cfg, ws), nil
	}
	res, err := Run(context.Background(), RunOptions{GitopsDir: cfg.RepoDir, ConfigsDir: cfg.ConfigsDir,
		Base: base, Head: head, ConfigsBase: base, ConfigsHead: head, Open: open,
		Changed: shared.SetChanges, Ignored: shared.SetIgnored})
	worked, adopted := 0, false
	if err != nil {
		for _, ws := range wss {
			adopted = adopted || ws.DiscoverySource() == render.DiscoveryFromBase
		}
		return "error: " + err.Error(), len(wss), adopted
	}
	for _, ws := range wss {
		switch ws.DiscoverySource() {
		case render.DiscoveryFromBase:
			adopted = true
		case render.DiscoveryWorkedOut:
			worked++
		}
		for _, e := range ws.DiscoveryErrors() {
			res.Notes = append(res.Notes, "discovery: "+e.Error())
		}
		res.Notes = append(res.Notes, ws.Notes()...)
	}
	b, err := json.MarshalIndent(res, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b), worked, adopted
}

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	if err := benchgen.Git(dir, args...); err != nil {
		t.Fatal(err)
	}
}

func editFile(t *testing.T, file, old, new string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", file, old)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, file, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The discovery cache never makes a diff stale: after any single kind of
// change, in the work tree or in a new commit, the diff equals one run
// without a cache, and a run on a state seen before works no discovery
// out. The work-tree side takes the base side's discovery only when the
// change cannot alter it (a value file); every other kind of change is
// seen and refused.
func TestDiscoveryCacheNeverStale(t *testing.T) {
	svc := benchgen.Services(8)[3]
	app := "argo-apps/clusters/prod/" + svc.Project + "/" + svc.Name + ".yaml"
	newSvc := benchgen.Service{Name: "svc-new", Project: svc.Project}
	draft := "argo-apps/clusters/prod/" + svc.Project + "/svc-draft.draft.yaml"
	for _, tc := range []struct {
		name string
		// adopts: the changed work tree still takes the base's discovery.
		adopts bool
		change func(t *testing.T, gitops, configs string)
	}{
		{"Application file", false, func(t *testing.T, gitops, _ string) {
			editFile(t, filepath.Join(gitops, app), "        valueFiles:", "        parameters: [{name: replicaCount, value: \"7\"}]\n        valueFiles:")
		}},
		{"value file in the configs-repo", true, func(t *testing.T, _, configs string) {
			editFile(t, filepath.Join(configs, svc.Name, "config.yaml"), "LOG_LEVEL: info", "LOG_LEVEL: debug")
		}},
		{"value file made a link to another service's", false, func(t *testing.T, _, configs string) {
			p := filepath.Join(configs, svc.Name, "config.yaml")
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join("..", benchgen.Services(8)[0].Name, "config.yaml"), p); err != nil {
				t.Fatal(err)
			}
		}},
		{"chart template", false, func(t *testing.T, gitops, _ string) {
			writeFile(t, filepath.Join(gitops, "charts", svc.Name, "templates", "extra.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n")
		}},
		{"chart template rendering an Application", false, func(t *testing.T, gitops, _ string) {
			writeFile(t, filepath.Join(gitops, "charts", svc.Name, "templates", "child.yaml"),
				"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: child-of-{{ .Release.Name }}\n  namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: "+benchgen.GitopsURL+"\n    path: charts/"+benchgen.Services(8)[0].Name+"\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: child\n")
		}},
		{"app added", false, func(t *testing.T, gitops, configs string) {
			writeFile(t, filepath.Join(gitops, "argo-apps/clusters/prod", newSvc.Project, newSvc.Name+".yaml"), benchgen.Application(newSvc))
			if err := benchgen.WriteChart(filepath.Join(gitops, "charts", newSvc.Name), newSvc.Name); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(configs, newSvc.Name, "config.yaml"), benchgen.ConfigValues(newSvc))
			writeFile(t, filepath.Join(configs, newSvc.Name, "secrets.yaml"), benchgen.SecretValues(1))
		}},
		{"app removed", false, func(t *testing.T, gitops, _ string) {
			if err := os.Remove(filepath.Join(gitops, app)); err != nil {
				t.Fatal(err)
			}
		}},
		{"ignored Application file", false, func(t *testing.T, gitops, _ string) {
			// git status does not show ignored files; the work tree's
			// discovery reads them (a Directory source lists the disk).
			writeFile(t, filepath.Join(gitops, ".gitignore"), "*.draft.yaml\n")
			gitIn(t, gitops, "add", ".gitignore")
			gitIn(t, gitops, "commit", "-q", "-m", "ignore drafts")
			writeFile(t, filepath.Join(gitops, draft), strings.Replace(benchgen.Application(svc), "name: "+svc.Name, "name: svc-draft", 1))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := benchgen.Generate(dir, benchgen.Options{Services: 8, Git: true}); err != nil {
				t.Fatal(err)
			}
			gitops, configs := filepath.Join(dir, "gitops-repo"), filepath.Join(dir, "configs-repo")
			cache := t.TempDir()
			// A change already in the work tree, seen by the cache.
			editFile(t, filepath.Join(configs, benchgen.Services(8)[1].Name, "config.yaml"), "LOG_LEVEL: info", "LOG_LEVEL: warn")
			// check runs a diff with the cache and one without, and wants
			// the same result, with wantWorked sides worked out (-1: any).
			check := func(step, base, head string, wantWorked int) bool {
				t.Helper()
				got, worked, adopted := cachedRun(t, gitops, cache, base, head)
				want, _, _ := cachedRun(t, gitops, "", base, head)
				if got != want {
					t.Errorf("%s: the cached diff differs from an uncached one:\n%s\n--- uncached:\n%s", step, clip(got), clip(want))
				}
				if wantWorked >= 0 && worked != wantWorked {
					t.Errorf("%s: %d sides worked out, want %d", step, worked, wantWorked)
				}
				return adopted
			}
			// The work tree holds a value edit: it takes the base's discovery.
			if !check("first run", "HEAD", "", 1) {
				t.Errorf("first run: the work tree did not take the base's discovery (only a value file differs)")
			}
			check("same state", "HEAD", "", 0)
			tc.change(t, gitops, configs)
			// The base side did not change (except when the change
			// committed something); the work tree side must be worked out,
			// unless the change cannot alter discovery.
			if adopted := check("changed in the work tree", "HEAD", "", -1); adopted != tc.adopts {
				t.Errorf("changed in the work tree: took the base's discovery: %v, want %v", adopted, tc.adopts)
			}
			check("changed in the work tree, again", "HEAD", "", 0)
			// The same change in a new commit.
			for _, d := range []string{gitops, configs} {
				gitIn(t, d, "add", "-A")
				gitIn(t, d, "commit", "-q", "--allow-empty", "-m", "change")
			}
			check("committed, against the work tree", "HEAD", "", -1)
			check("committed, against the work tree, again", "HEAD", "", 0)
			check("committed, commit against commit", "HEAD~1", "HEAD", -1)
			check("committed, commit against commit, again", "HEAD~1", "HEAD", 0)
			// An ignored file changed: git status says nothing.
			if _, err := os.Stat(filepath.Join(gitops, draft)); err == nil {
				editFile(t, filepath.Join(gitops, draft), "namespace: "+svc.Name, "namespace: drafts")
				check("ignored file changed", "HEAD", "", 1)
				check("ignored file changed, again", "HEAD", "", 0)
				if err := os.Remove(filepath.Join(gitops, draft)); err != nil {
					t.Fatal(err)
				}
				check("ignored file removed", "HEAD", "", 0)
			}
		})
	}
}

func clip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "..."
	}
	return s
}

// A question that followed a link is asked again whatever changed: two
// services whose chart directories are links to one chart outside charts/
// see a template of that chart change, although no path they name did.
func TestDiscoveryAdoptionFollowsLinks(t *testing.T) {
	dir := t.TempDir()
	if err := benchgen.Generate(dir, benchgen.Options{Services: 4, Git: true}); err != nil {
		t.Fatal(err)
	}
	gitops := filepath.Join(dir, "gitops-repo")
	svcs := benchgen.Services(4)
	shared := filepath.Join(gitops, "shared", "chart")
	if err := os.MkdirAll(filepath.Dir(shared), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(gitops, "charts", svcs[3].Name), shared); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(gitops, "charts", svcs[2].Name)); err != nil {
		t.Fatal(err)
	}
	for _, s := range svcs[2:] {
		if err := os.Symlink(filepath.Join("..", "shared", "chart"), filepath.Join(gitops, "charts", s.Name)); err != nil {
			t.Fatal(err)
		}
	}
	gitIn(t, gitops, "add", "-A")
	gitIn(t, gitops, "commit", "-q", "-m", "one chart for two services")
	cache := t.TempDir()
	run := func(step string) (string, bool) {
		t.Helper()
		got, _, adopted := cachedRun(t, gitops, cache, "HEAD", "")
		want, _, _ := cachedRun(t, gitops, "", "HEAD", "")
		if got != want {
			t.Errorf("%s: the cached diff differs from an uncached one:\n%s\n--- uncached:\n%s", step, clip(got), clip(want))
		}
		return got, adopted
	}
	if _, adopted := run("unchanged"); !adopted {
		t.Error("unchanged: the work tree did not take the base's discovery")
	}
	// A new template in the shared chart: both services' inputs change.
	writeFile(t, filepath.Join(shared, "templates", "extra.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n")
	got, adopted := run("a template added to the links' target")
	if adopted {
		t.Error("a template added to the links' target: the work tree took the base's discovery")
	}
	for _, s := range svcs[2:] {
		if !strings.Contains(got, `"app": "`+s.Name+`"`) {
			t.Errorf("%s is not in the diff: %s", s.Name, clip(got))
		}
	}
}

// What git status does not show still keeps the work tree from taking the
// base's discovery when it matters: an empty untracked directory (given
// as a root), and a file of a sparse checkout missing from the work tree.
func TestDiscoveryAdoptionSeesWhatStatusHides(t *testing.T) {
	svc := benchgen.Services(4)[1]
	app := "argo-apps/clusters/prod/" + svc.Project + "/" + svc.Name + ".yaml"
	for _, tc := range []struct {
		name   string
		roots  []string
		change func(t *testing.T, gitops string)
	}{
		{"empty directory given as a root", []string{"root-app.yaml", "extra-roots"}, func(t *testing.T, gitops string) {
			if err := os.Mkdir(filepath.Join(gitops, "extra-roots"), 0o755); err != nil {
				t.Fatal(err)
			}
		}},
		{"sparse checkout's Application file missing", nil, func(t *testing.T, gitops string) {
			gitIn(t, gitops, "update-index", "--skip-worktree", app)
			if err := os.Remove(filepath.Join(gitops, app)); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := benchgen.Generate(dir, benchgen.Options{Services: 4, Git: true}); err != nil {
				t.Fatal(err)
			}
			gitops := filepath.Join(dir, "gitops-repo")
			cache := t.TempDir()
			cachedRunRoots(t, gitops, cache, "HEAD", "", tc.roots) // the base's discovery, stored
			tc.change(t, gitops)
			for _, step := range []string{"first", "again"} {
				got, _, adopted := cachedRunRoots(t, gitops, cache, "HEAD", "", tc.roots)
				want, _, _ := cachedRunRoots(t, gitops, "", "HEAD", "", tc.roots)
				if got != want {
					t.Errorf("%s: the cached diff differs from an uncached one:\n%s\n--- uncached:\n%s", step, clip(got), clip(want))
				}
				if adopted {
					t.Errorf("%s: the work tree took the base's discovery", step)
				}
			}
		})
	}
}

// A parent whose values schema loads a document from outside the
// repositories keeps its side's discovery out of the cache: the key does
// not cover that document, and the parent's render decides what is found.
func TestDiscoveryNotKeptWithOutsideSchema(t *testing.T) {
	dir := t.TempDir()
	if err := benchgen.Generate(dir, benchgen.Options{Services: 4, Git: true}); err != nil {
		t.Fatal(err)
	}
	gitops := filepath.Join(dir, "gitops-repo")
	parent, child := benchgen.Services(4)[1], benchgen.Services(4)[0]
	ext := filepath.Join(t.TempDir(), "defs.json")
	writeFile(t, ext, `{"type": "object"}`)
	writeFile(t, filepath.Join(gitops, "charts", parent.Name, "values.schema.json"), `{"$ref": "file://`+filepath.ToSlash(ext)+`"}`)
	writeFile(t, filepath.Join(gitops, "charts", parent.Name, "templates", "child.yaml"),
		"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: child-of-{{ .Release.Name }}\n  namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: "+benchgen.GitopsURL+"\n    path: charts/"+child.Name+"\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: child\n")
	gitIn(t, gitops, "add", "-A")
	gitIn(t, gitops, "commit", "-q", "-m", "a parent with an outside schema")
	cache := t.TempDir()
	for _, step := range []string{"first", "again"} {
		if _, worked, _ := cachedRun(t, gitops, cache, "HEAD", ""); worked != 2 {
			t.Errorf("%s: %d sides worked out, want 2 (nothing kept)", step, worked)
		}
	}
}
