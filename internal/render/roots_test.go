package render

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func appYAML(name, path string) string {
	return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ` + name + `, namespace: argocd}
spec:
  project: default
  source: {repoURL: ` + gitopsURL + `, path: ` + path + `, directory: {recurse: true}}
  destination: {server: https://kubernetes.default.svc, namespace: ` + name + `}
`
}

// Without root-app.yaml the roots are the Application manifests no other
// Application reaches; a cycle contributes its first file; chart and hidden
// directories hold no roots; a root reached again is not a duplicate.
func TestFindRoots(t *testing.T) {
	cfg := setup(t, map[string]string{
		"gitops/a/app.yaml":             appYAML("a", "b"),
		"gitops/b/app.yaml":             appYAML("b", "a"),
		"gitops/c/root.yaml":            appYAML("c", "d"),
		"gitops/d/x/child.yaml":         appYAML("child", "e"),
		"gitops/e/cm.yaml":              "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n",
		"gitops/.hidden/app.yaml":       appYAML("hidden", "e"),
		"gitops/chart/Chart.yaml":       "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
		"gitops/chart/templates/a.yaml": appYAML("in-chart", "e"),
		"gitops/sets/set.yaml":          "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: s}\nspec: {}\n",
	})
	if err := os.Remove(filepath.Join(cfg.RepoDir, "root-app.yaml")); err != nil {
		t.Fatal(err)
	}
	ws := open(t, cfg, Options{})
	// A file of ApplicationSets no app deploys is a root too.
	if got, want := ws.Roots().Files, []string{"a/app.yaml", "c/root.yaml", "sets/set.yaml"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("roots %v, want %v", got, want)
	}
	if ws.Roots().Found != RootsDiscovered {
		t.Fatalf("found %q", ws.Roots().Found)
	}
	var names []string
	for _, a := range ws.Apps() {
		names = append(names, a.Name)
	}
	if want := []string{"a", "b", "c", "child"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("apps %v, want %v", names, want)
	}
	if errs := ws.DiscoveryErrors(); len(errs) > 0 {
		t.Fatalf("discovery errors: %v", errs)
	}
	if got := ws.AppSets(); len(got) != 1 || got[0].Name != "s" || got[0].File != "sets/set.yaml" || got[0].Error != "spec.generators is empty" {
		t.Fatalf("appsets %+v", got)
	}
	if errs := ws.AppSetErrors(); len(errs) != 1 || errs[0].Error() != "ApplicationSet s: sets/set.yaml:1: spec.generators is empty" {
		t.Fatalf("appset errors %v", errs)
	}
	// A directory root is searched the same way.
	ws = open(t, cfg, Options{Roots: []string{"d"}})
	if got := ws.Roots().Files; !reflect.DeepEqual(got, []string{"d/x/child.yaml"}) {
		t.Fatalf("roots of d: %v", got)
	}
	// A missing root is an error, unless MissingRootsOK.
	if _, err := Open(context.Background(), Options{Config: cfg, Roots: []string{"nope.yaml"}}); err == nil {
		t.Fatal("missing root: no error")
	}
	ws = open(t, cfg, Options{Roots: []string{"nope.yaml", "c/root.yaml"}, MissingRootsOK: true})
	if r := ws.Roots(); !reflect.DeepEqual(r.Missing, []string{"nope.yaml"}) || len(ws.Apps()) != 2 {
		t.Fatalf("roots %+v, apps %d", r, len(ws.Apps()))
	}
}

// An unknown repository lists the known git repositories and the Helm
// chart copies apart, with no empty entry.
func TestUnknownRepoError(t *testing.T) {
	cfg := setup(t, map[string]string{
		"gitops/argo-apps/x.yaml":  strings.Replace(appYAML("x", "p"), gitopsURL, "https://nowhere.example.com/x.git", 1),
		"vendor/redis/Chart.yaml":  "apiVersion: v2\nname: redis\nversion: 1.0.0\n",
		"other/README.md":          "other\n",
		"configs/README.md":        "configs\n",
		"gitops/argo-apps/keep.md": "",
	})
	ws := open(t, cfg, Options{})
	res, err := ws.Render(context.Background(), "x")
	if err != nil {
		t.Fatal(err)
	}
	var ue *UnknownRepoError
	if !errors.As(res[0].Err, &ue) {
		t.Fatalf("err %v", res[0].Err)
	}
	if len(ue.Git) != 3 || len(ue.Charts) != 1 || ue.Charts[0] != "https://charts.example.com/stable/redis" {
		t.Fatalf("git %q charts %q", ue.Git, ue.Charts)
	}
	for _, g := range ue.Git {
		if strings.HasPrefix(g, " ") || strings.HasPrefix(g, "(") {
			t.Fatalf("empty entry in %q", ue.Git)
		}
	}
	msg := res[0].Err.Error()
	for _, want := range []string{"repository https://nowhere.example.com/x.git has no local checkout", gitopsURL + " (gitops-repo)", configsURL + " (configs-repo)", "known Helm repository charts: https://charts.example.com/stable/redis"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("%q lacks %q", msg, want)
		}
	}
}

// An Application two parents reach (root-app recursing into a cluster's
// directory that the cluster's own root app also manages) is an error of
// the second parent naming both; excluding the directory from root-app
// leaves one parent and no error.
func TestTwoParents(t *testing.T) {
	files := map[string]string{
		"gitops/argo-apps/clusters/prod.yaml":       appYAML("cluster-prod", "argo-apps/clusters/prod"),
		"gitops/argo-apps/clusters/prod/app/x.yaml": appYAML("x", "nothing"),
		"gitops/nothing/cm.yaml":                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n",
	}
	ws := open(t, setup(t, files), Options{})
	errs := ws.DiscoveryErrors()
	if len(errs) != 1 {
		t.Fatalf("discovery errors %v, want one", errs)
	}
	for _, want := range []string{"argo-apps/clusters/prod/app/x.yaml:1", `Application "x" is managed by two parent Applications, "root-app" and "cluster-prod"`, "directory.exclude"} {
		if !strings.Contains(errs[0].Error(), want) {
			t.Fatalf("%q lacks %q", errs[0], want)
		}
	}
	files["gitops/root-app.yaml"] = strings.Replace(testRoot, "recurse: true", "recurse: true\n      exclude: \"clusters/*/*\"", 1)
	ws = open(t, setup(t, files), Options{})
	if errs := ws.DiscoveryErrors(); len(errs) > 0 {
		t.Fatalf("discovery errors with the exclude: %v", errs)
	}
	for _, a := range ws.Apps() {
		if a.Name == "x" && a.Parent != "cluster-prod" {
			t.Fatalf("x's parent %q", a.Parent)
		}
	}
}

// A child app whose own path holds its manifest manages itself as well as
// being managed by its parent: the error says so.
func TestManagesItself(t *testing.T) {
	ws := open(t, setup(t, map[string]string{
		"gitops/argo-apps/platform/platform.yaml": appYAML("platform", "argo-apps/platform"),
		"gitops/argo-apps/platform/cm.yaml":       "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n",
	}), Options{})
	errs := ws.DiscoveryErrors()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), `Application "platform" manages its own manifest and is also managed by "root-app"`) {
		t.Fatalf("discovery errors %v", errs)
	}
}
