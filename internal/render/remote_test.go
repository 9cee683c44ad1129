package render

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/charts"
	"github.com/gitopsctl/gitopsctl/internal/charts/chartstest"
	"github.com/gitopsctl/gitopsctl/internal/config"
)

func testCache(t testing.TB, dir string, offline bool) *charts.Cache {
	t.Helper()
	s := charts.HelmSettings()
	s.RepositoryConfig = filepath.Join(t.TempDir(), "repositories.yaml")
	s.RegistryConfig = filepath.Join(t.TempDir(), "config.json")
	c, err := charts.New(charts.Options{Dir: dir, Offline: offline, Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func renderAllWith(t *testing.T, cfg *config.Loaded, c *charts.Cache) map[string]Result {
	t.Helper()
	ws := open(t, cfg, Options{Charts: c})
	rs, err := ws.Render(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Result{}
	for _, r := range rs {
		out[r.App.Name] = r
	}
	return out
}

func objectsJSON(t *testing.T, r Result) string {
	t.Helper()
	if r.Err != nil {
		t.Fatalf("%s: %v", r.App.Name, r.Err)
	}
	var parts []string
	for _, o := range r.Objects {
		b, err := json.Marshal(o.Object.Object)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, o.Source+" "+string(b))
	}
	return strings.Join(parts, "\n")
}

func remoteRepos(t *testing.T) (*chartstest.HelmRepo, *chartstest.Registry, map[string]string) {
	hr := chartstest.NewHelmRepo(t)
	hr.Add(t, chartstest.SimpleChart(t, "podinfo", "1.0.0"))
	hr.Add(t, chartstest.SimpleChart(t, "podinfo", "1.1.0"))
	hr.Add(t, chartstest.SimpleChart(t, "podinfo", "2.0.0"))
	hr.Add(t, chartstest.SimpleChart(t, "base", "3.0.0"))
	reg := chartstest.NewRegistry(t)
	reg.Push(t, "charts", chartstest.SimpleChart(t, "ociapp", "0.3.0"))
	reg.Push(t, "charts", chartstest.SimpleChart(t, "ociapp", "0.4.0"))

	dest := "  destination: { server: https://kubernetes.default.svc, namespace: apps }\n"
	files := map[string]string{
		"gitops/argo-apps/wrapper.yaml": app("wrapper", "  project: default\n  source:\n    repoURL: "+gitopsURL+"\n    path: charts/wrapper\n"+dest),
		"gitops/charts/wrapper/Chart.yaml": `apiVersion: v2
name: wrapper
version: 0.1.0
dependencies:
  - name: podinfo
    version: ^1.0.0
    repository: ` + hr.URL + `
    alias: web
  - name: base
    version: ">=3"
    repository: ` + hr.URL + `/
    condition: base.enabled
`,
		"gitops/charts/wrapper/values.yaml":        "web:\n  greeting: from-wrapper\nbase:\n  enabled: false\n",
		"gitops/charts/wrapper/templates/own.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: own\ndata:\n  subcharts: {{ len .Subcharts | quote }}\n",
		"gitops/argo-apps/remote.yaml":             app("remote", "  project: default\n  source:\n    repoURL: "+hr.URL+"\n    chart: podinfo\n    targetRevision: 1.0.0\n    helm:\n      values: |\n        greeting: remote\n"+dest),
		"gitops/argo-apps/oci.yaml":                app("oci", "  project: default\n  source:\n    repoURL: "+reg.Host+"/charts\n    chart: ociapp\n    targetRevision: '*'\n"+dest),
	}
	return hr, reg, files
}

// The done-when scenario: a wrapper chart with remote dependencies, a chart
// source from a Helm repository and one from an OCI registry render with no
// prior setup, then again with the servers gone and offline, identically.
func TestRemoteChartsRenderThenOffline(t *testing.T) {
	hr, reg, files := remoteRepos(t)
	cfg := setup(t, files)
	cacheDir := t.TempDir()

	first := renderAllWith(t, cfg, testCache(t, cacheDir, false))
	want := map[string]string{}
	for _, name := range []string{"wrapper", "remote", "oci"} {
		want[name] = objectsJSON(t, first[name])
	}
	for name, sub := range map[string][]string{
		"wrapper": {`"chart":"web-1.1.0"`, `"greeting":"from-wrapper"`, `"name":"wrapper-podinfo"`, `"subcharts":"1"`},
		"remote":  {`"chart":"podinfo-1.0.0"`, `"greeting":"remote"`, `"script":"echo remote\n"`},
		"oci":     {`"chart":"ociapp-0.4.0"`, `"name":"oci-ociapp"`},
	} {
		for _, s := range sub {
			if !strings.Contains(want[name], s) {
				t.Errorf("%s: %s not in\n%s", name, s, want[name])
			}
		}
	}
	if strings.Contains(want["wrapper"], "base-3.0.0") {
		t.Errorf("wrapper: the disabled dependency rendered:\n%s", want["wrapper"])
	}

	hr.Close()
	reg.Close()
	second := renderAllWith(t, cfg, testCache(t, cacheDir, true))
	for name, w := range want {
		if got := objectsJSON(t, second[name]); got != w {
			t.Errorf("%s offline differs:\n got %s\nwant %s", name, got, w)
		}
	}
}

func TestRemoteChartOfflineMissNamesTheFix(t *testing.T) {
	_, reg, files := remoteRepos(t)
	cfg := setup(t, files)
	r := renderAllWith(t, cfg, testCache(t, t.TempDir(), true))
	for name, want := range map[string]string{
		"remote":  "chart podinfo version 1.0.0 from " + r["remote"].App.Sources[0].RepoURL,
		"oci":     "chart ociapp version * from " + reg.Host + "/charts",
		"wrapper": "dependency podinfo of chart charts/wrapper: chart podinfo version ^1.0.0",
	} {
		err := r[name].Err
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), charts.PullCommand) {
			t.Errorf("%s: want %q and the pull command, got %v", name, want, err)
		}
	}
	if e := r["remote"].Err.Error(); !strings.Contains(e, "argo-apps/remote.yaml:") {
		t.Errorf("remote: error not located at the Application: %s", e)
	}
}

func TestChartLockHonouredAndOutOfSync(t *testing.T) {
	hr, _, files := remoteRepos(t)
	files["gitops/charts/wrapper/Chart.lock"] = "dependencies:\n- name: podinfo\n  repository: " + hr.URL + "\n  version: 1.0.0\n- name: base\n  repository: " + hr.URL + "/\n  version: 3.0.0\ndigest: sha256:0\ngenerated: \"2024-01-01T00:00:00Z\"\n"
	cfg := setup(t, files)
	r := renderAllWith(t, cfg, testCache(t, t.TempDir(), false))
	if got := objectsJSON(t, r["wrapper"]); !strings.Contains(got, `"chart":"web-1.0.0"`) {
		t.Fatalf("Chart.lock's version not used:\n%s", got)
	}

	files["gitops/charts/wrapper/Chart.lock"] = "dependencies:\n- name: podinfo\n  repository: " + hr.URL + "\n  version: 2.0.0\ndigest: sha256:0\n"
	cfg = setup(t, files)
	r = renderAllWith(t, cfg, testCache(t, t.TempDir(), false))
	if err := r["wrapper"].Err; err == nil || !strings.Contains(err.Error(), "Chart.lock is out of sync with Chart.yaml (dependency podinfo)") || !strings.Contains(err.Error(), "charts/wrapper/Chart.yaml") {
		t.Fatalf("got %v", err)
	}
}

func TestRepoChartMappingStillWins(t *testing.T) {
	_, _, files := remoteRepos(t)
	files["gitops/argo-apps/mapped.yaml"] = app("mapped", "  project: default\n  source:\n    repoURL: https://charts.example.com/stable\n    chart: redis\n    targetRevision: 1.0.0\n  destination: { server: https://kubernetes.default.svc, namespace: apps }\n")
	files = withChart(files, "vendor/redis", map[string]string{"Chart.yaml": "apiVersion: v2\nname: redis\nversion: 1.0.0\n", "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: vendored\n"})
	cfg := setup(t, files)
	r := renderAllWith(t, cfg, testCache(t, t.TempDir(), true))
	if got := objectsJSON(t, r["mapped"]); !strings.Contains(got, `"name":"vendored"`) {
		t.Fatalf("got %s", got)
	}
}

func TestSchemaRefOverTheNetwork(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	schema := func(ref string) map[string]string {
		return map[string]string{
			"Chart.yaml":         "apiVersion: v2\nname: schemed\nversion: 0.1.0\n",
			"values.yaml":        "port: 80\n",
			"values.schema.json": `{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {"port": {"$ref": "` + ref + `"}}}`,
			"templates/cm.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: schemed}\n",
		}
	}
	files := withChart(map[string]string{
		"gitops/argo-apps/a.yaml":    singleSource("a", "charts/schemed", "      valueFiles: []"),
		"gitops/argo-apps/skip.yaml": singleSource("skip", "charts/schemed", "      skipSchemaValidation: true"),
	}, "gitops/charts/schemed", schema("https://schemas.example.com/port.json"))
	cfg := setup(t, files)
	r := renderAllWith(t, cfg, testCache(t, t.TempDir(), true))
	if err := r["a"].Err; err == nil || !strings.Contains(err.Error(), "schemed: https://schemas.example.com/port.json over the network, which --offline forbids") || !strings.Contains(err.Error(), "helm.skipSchemaValidation") {
		t.Fatalf("offline: %v", err)
	}
	if r["skip"].Err != nil {
		t.Fatalf("skipSchemaValidation: %v", r["skip"].Err)
	}

	// Online, a $ref that cannot be fetched names the same way out.
	cfg = setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml": singleSource("a", "charts/schemed", "      valueFiles: []"),
	}, "gitops/charts/schemed", schema(deadURL+"/port.json")))
	r = renderAllWith(t, cfg, testCache(t, t.TempDir(), false))
	if err := r["a"].Err; err == nil || !strings.Contains(err.Error(), "helm.skipSchemaValidation") {
		t.Fatalf("online: %v", err)
	}
}

// A chart: source's $ref value files are inputs of the app, so a change to
// them selects it for diff.
func TestRemoteChartValueFilesAreInputs(t *testing.T) {
	hr, _, files := remoteRepos(t)
	files["gitops/argo-apps/multi.yaml"] = app("multi", "  project: default\n  sources:\n  - repoURL: "+hr.URL+"\n    chart: podinfo\n    targetRevision: 1.0.0\n    helm:\n      valueFiles: [$values/values/podinfo.yaml]\n  - repoURL: "+gitopsURL+"\n    ref: values\n  destination: { server: https://kubernetes.default.svc, namespace: apps }\n")
	files["gitops/values/podinfo.yaml"] = "greeting: from-values\n"
	cfg := setup(t, files)
	ws := open(t, cfg, Options{Charts: testCache(t, t.TempDir(), false)})
	found := false
	for _, in := range ws.Inputs(ws.App("multi")) {
		if in.Path == "values/podinfo.yaml" {
			found = true
		}
	}
	if !found {
		t.Fatalf("values/podinfo.yaml is not an input: %+v", ws.Inputs(ws.App("multi")))
	}
	rs, err := ws.Render(context.Background(), "multi")
	if err != nil {
		t.Fatal(err)
	}
	if got := objectsJSON(t, rs[0]); !strings.Contains(got, `"greeting":"from-values"`) {
		t.Fatalf("got %s", got)
	}
}

// A remote chart that renders Applications (an app-of-apps chart from a Helm
// repository) has its children discovered.
func TestRemoteAppOfAppsChart(t *testing.T) {
	hr := chartstest.NewHelmRepo(t)
	hr.Add(t, chartstest.Package(t, map[string]string{
		"Chart.yaml": "apiVersion: v2\nname: apps\nversion: 1.0.0\n",
		"templates/child.yaml": `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: child
  namespace: argocd
spec:
  project: default
  source: {repoURL: ` + gitopsURL + `, path: child}
  destination: {server: https://kubernetes.default.svc, namespace: child}
`,
	}))
	cfg := setup(t, map[string]string{
		"gitops/argo-apps/parent.yaml": app("parent", "  project: default\n  source:\n    repoURL: "+hr.URL+"\n    chart: apps\n    targetRevision: 1.0.0\n  destination: { server: https://kubernetes.default.svc, namespace: argocd }\n"),
		"gitops/child/cm.yaml":         "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-child}\n",
	})
	r := renderAllWith(t, cfg, testCache(t, t.TempDir(), false))
	c, ok := r["child"]
	if !ok || c.App.Parent != "parent" {
		t.Fatalf("child not discovered under parent: %v", r)
	}
	if got := objectsJSON(t, c); !strings.Contains(got, `"name":"from-child"`) {
		t.Fatalf("child: %s", got)
	}
}

// An unknown git repository is told apart from chart repositories, and
// repositories without a URL are not listed as known.
func TestUnknownGitRepoMessage(t *testing.T) {
	cfg := setup(t, map[string]string{
		"gitops/.gitopsctl.yaml":     "cluster: prod\n",
		"gitops/argo-apps/lost.yaml": app("lost", "  project: default\n  source:\n    repoURL: https://example.com/lost.git\n    path: x\n  destination: { server: https://kubernetes.default.svc, namespace: apps }\n"),
	})
	e := renderErr(t, cfg, "lost").Error()
	if !strings.Contains(e, "git repository https://example.com/lost.git has no local checkout") || !strings.Contains(e, "known git repositories: "+NormalizeURL(gitopsURL)+" (gitops-repo)") || !strings.Contains(e, "a source with chart:") {
		t.Fatalf("got %s", e)
	}
}
