package render

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// kustFiles is a gitops-repo with a Kustomize app whose overlay uses a base
// elsewhere in the repository.
func kustFiles(opts string) map[string]string {
	return map[string]string{
		"gitops/argo-apps/web.yaml":               app("web", "  source:\n    repoURL: "+gitopsURL+"\n    path: overlays/prod\n"+opts+"  destination: {namespace: web}\n"),
		"gitops/overlays/prod/kustomization.yaml": "resources: [../../bases/web]\n",
		"gitops/bases/web/kustomization.yaml":     "resources: [deploy.yaml]\n",
		"gitops/bases/web/deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: ghcr.io/acme/web:1.0.0}]
`,
	}
}

func TestKustomizeSource(t *testing.T) {
	cfg := setup(t, kustFiles("    kustomize:\n      namePrefix: prod-\n      images: ['ghcr.io/acme/web:$ARGOCD_APP_NAME-2']\n"))
	objs := mustRender(t, cfg, "web")
	if got := keys(objs); !reflect.DeepEqual(got, []string{"Deployment/web/prod-web"}) {
		t.Fatalf("objects %v", got)
	}
	img := objs[0].Object.Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)["image"]
	if img != "ghcr.io/acme/web:web-2" {
		t.Errorf("image %v", img)
	}
	if objs[0].Source != "overlays/prod" {
		t.Errorf("source %q", objs[0].Source)
	}

	// The inputs reach the base, so a change there affects the app.
	ws := open(t, cfg, Options{})
	var paths []string
	for _, in := range ws.Inputs(ws.App("web")) {
		paths = append(paths, in.Path)
	}
	for _, want := range []string{"bases/web/**", "bases/web/deploy.yaml", "overlays/prod/**"} {
		found := false
		for _, p := range paths {
			found = found || p == want
		}
		if !found {
			t.Errorf("inputs %v lack %s", paths, want)
		}
	}
}

func TestKustomizeErrors(t *testing.T) {
	cfg := setup(t, kustFiles("    kustomize:\n      namePrefx: prod-\n"))
	e := renderErr(t, cfg, "web")
	if !strings.Contains(e.Error(), "argo-apps/web.yaml:11:") || !strings.Contains(e.Error(), `unknown field "namePrefx"`) {
		t.Errorf("error %q", e)
	}

	files := kustFiles("")
	files["gitops/bases/web/kustomization.yaml"] = "resources: [deploy.yaml, 'github.com/acme/base?ref=v1']\n"
	e = renderErr(t, setup(t, files), "web")
	if !strings.Contains(e.Error(), `bases/web/kustomization.yaml: resources: remote kustomize base "github.com/acme/base?ref=v1" is not fetched offline`) {
		t.Errorf("error %q", e)
	}

	files = kustFiles("")
	files["gitops/.gitopsctl.yaml"] = testConfig + "kustomize:\n  buildOptions: --enable-alpha-plugins\n"
	e = renderErr(t, setup(t, files), "web")
	if !strings.Contains(e.Error(), ".gitopsctl.yaml: kustomize.buildOptions:") || !strings.Contains(e.Error(), `"--enable-alpha-plugins" is not supported offline`) {
		t.Errorf("error %q", e)
	}

	files = kustFiles("")
	files["gitops/bases/web/kustomization.yaml"] = "resources: [deploy.yaml]\nhelmCharts: [{name: redis}]\n"
	e = renderErr(t, setup(t, files), "web")
	if !strings.Contains(e.Error(), "bases/web/kustomization.yaml: helmCharts (redis) are inflated only with the kustomize build option --enable-helm") {
		t.Errorf("error %q", e)
	}
}

// A kustomization may render Applications: an app of apps.
func TestKustomizeAppOfApps(t *testing.T) {
	files := map[string]string{
		"gitops/root-app.yaml":           strings.Replace(strings.Replace(testRoot, "path: argo-apps", "path: apps", 1), "    directory:\n      recurse: true\n", "", 1),
		"gitops/apps/kustomization.yaml": "resources: [child.yaml]\nnamePrefix: team-\n",
		"gitops/apps/child.yaml":         app("child", "  source: {repoURL: "+gitopsURL+", path: child}\n  destination: {namespace: c}\n"),
		"gitops/child/cm.yaml":           "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
	}
	ws := open(t, setup(t, files), Options{})
	var names []string
	for _, a := range ws.Apps() {
		names = append(names, a.Name)
	}
	if !reflect.DeepEqual(names, []string{"root-app", "team-child"}) {
		t.Fatalf("apps %v", names)
	}
	rs, err := ws.Render(context.Background(), "team-child")
	if err != nil || rs[0].Err != nil {
		t.Fatal(err, rs[0].Err)
	}
	if got := keys(rs[0].Objects); !reflect.DeepEqual(got, []string{"ConfigMap/c/c"}) {
		t.Errorf("objects %v", got)
	}
}

// A remote base whose repository has a local checkout (repos:) is served
// from it.
func TestKustomizeRemoteBaseFromRepos(t *testing.T) {
	files := kustFiles("")
	files["gitops/overlays/prod/kustomization.yaml"] = "resources: ['" + strings.TrimSuffix(otherURL, ".git") + "//web']\nnamePrefix: prod-\n"
	files["other/web/kustomization.yaml"] = "resources: [cm.yaml]\n"
	files["other/web/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-other}\n"
	objs := mustRender(t, setup(t, files), "web")
	if got := keys(objs); !reflect.DeepEqual(got, []string{"ConfigMap/web/prod-from-other"}) {
		t.Fatalf("objects %v", got)
	}
}
