package kustomize

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
)

// fakeHelm records the helm template runs and prints one ConfigMap per run
// (no namespace) naming the release, and one Secret in the release's
// namespace.
type fakeHelm struct {
	runs   []Template
	pulled []string
	pull   func(repo, name, version string) (*gitrepo.Repo, string, error)
}

func (h *fakeHelm) Pull(repo, name, version string, devel bool) (*gitrepo.Repo, string, error) {
	h.pulled = append(h.pulled, fmt.Sprintf("%s %s %s %v", repo, name, version, devel))
	if h.pull == nil {
		return nil, "", errors.New("not cached")
	}
	return h.pull(repo, name, version)
}

func (h *fakeHelm) Template(t Template) ([]byte, error) {
	h.runs = append(h.runs, t)
	ns := t.Namespace
	if ns == "" {
		ns = "default"
	}
	return []byte(fmt.Sprintf("---\n# Source: x/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s-cm\n---\n# Source: x/templates/s.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: %s-s\n  namespace: %s\n", t.ReleaseName, t.ReleaseName, ns)), nil
}

const chartYAML = "apiVersion: v2\nname: web\nversion: 1.0.0\n"

func helmApp(k string, extra map[string]string) map[string]string {
	files := app(map[string]string{
		"apps/web/kustomization.yaml":          k,
		"apps/web/charts/web/Chart.yaml":       chartYAML,
		"apps/web/charts/web/values.yaml":      "a: 1\nm: {x: 1, q: 2}\nl: [1, 2]\n",
		"apps/web/charts/web/templates/x.yaml": "{}\n",
	})
	for k, v := range extra {
		files[k] = v
	}
	return files
}

func helmBuild(t *testing.T, files map[string]string, dir string, req Request) (*Result, *fakeHelm, error) {
	t.Helper()
	h := &fakeHelm{}
	req.Repo, req.Dir, req.Helm = tree(t, files), dir, h
	req.Build.EnableHelm = true
	res, err := Build(req)
	return res, h, err
}

func values(t *testing.T, tp Template) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, v := range tp.Values {
		m := map[string]any{}
		if err := yaml.Unmarshal(v.Data, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func TestHelmChartsInflated(t *testing.T) {
	files := helmApp(`resources: [../../base]
namespace: team
helmCharts:
- name: web
  releaseName: shop
  includeCRDs: true
  skipTests: true
  skipHooks: true
  apiVersions: [a/v1, "b/v1,c/v1"]
  kubeVersion: 1.29.0
`, nil)
	res, h, err := helmBuild(t, files, "apps/web", Request{})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.runs) != 1 {
		t.Fatalf("%d helm runs", len(h.runs))
	}
	tp := h.runs[0]
	if tp.Dir != "apps/web/charts/web" || tp.ReleaseName != "shop" || tp.Namespace != "team" || !tp.IncludeCRDs || !tp.SkipTests || !tp.SkipHooks ||
		tp.KubeVersion != "1.29.0" || !reflect.DeepEqual(tp.APIVersions, []string{"a/v1", "b/v1", "c/v1"}) {
		t.Errorf("template %+v", tp)
	}
	if len(tp.Values) != 1 || tp.Values[0].Name != "apps/web/charts/web/values.yaml" {
		t.Errorf("values %+v", tp.Values)
	}
	// The kustomization's namespace leaves helm's objects alone, as
	// kustomize leaves helm-generated ones; the base's objects get it.
	got := map[string]string{}
	for _, o := range res.Objects {
		md := o["metadata"].(map[string]any)
		ns, _ := md["namespace"].(string)
		got[o["kind"].(string)+"/"+md["name"].(string)] = ns
		if a, ok := md["annotations"].(map[string]any); ok && a["config.kubernetes.io/helm-generated"] != nil {
			t.Errorf("%v keeps the build annotation", md)
		}
	}
	want := map[string]string{"ConfigMap/shop-cm": "", "Secret/shop-s": "team", "Deployment/web": "team", "Service/web": "team"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("objects %v, want %v", got, want)
	}
	if !reflect.DeepEqual(res.Charts, []string{"apps/web/charts/web"}) {
		t.Errorf("charts %v", res.Charts)
	}
	if !contains(res.Files, "apps/web/charts/web/values.yaml") {
		t.Errorf("files read %v: the chart's values are an input", res.Files)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func TestHelmChartsValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		k    string
		want []map[string]any
	}{
		{"chart values", "helmCharts: [{name: web, releaseName: r}]\n", []map[string]any{{"a": 1.0, "m": map[string]any{"x": 1.0, "q": 2.0}, "l": []any{1.0, 2.0}}}},
		{"override", "helmCharts: [{name: web, releaseName: r, valuesInline: {a: 5, m: {x: 9}, l: [3]}}]\n",
			[]map[string]any{{"a": 5.0, "m": map[string]any{"x": 9.0, "q": 2.0}, "l": []any{3.0}}}},
		{"merge: the file wins", "helmCharts: [{name: web, releaseName: r, valuesMerge: merge, valuesInline: {a: 5, m: {z: 3}, p: 1}}]\n",
			[]map[string]any{{"a": 1.0, "m": map[string]any{"x": 1.0, "q": 2.0, "z": 3.0}, "l": []any{1.0, 2.0}, "p": 1.0}}},
		{"replace", "helmCharts: [{name: web, releaseName: r, valuesMerge: replace, valuesInline: {b: 2}}]\n", []map[string]any{{"b": 2.0}}},
		{"valuesFile and more", "helmCharts: [{name: web, releaseName: r, valuesFile: v.yaml, additionalValuesFiles: [w.yaml]}]\n",
			[]map[string]any{{"v": 1.0}, {"w": 1.0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, h, err := helmBuild(t, helmApp(tc.k, map[string]string{"apps/web/v.yaml": "v: 1\n", "apps/web/w.yaml": "w: 1\n"}), "apps/web", Request{})
			if err != nil {
				t.Fatal(err)
			}
			if got := values(t, h.runs[0]); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("values %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHelmChartsNamespaceAndCapabilities(t *testing.T) {
	files := helmApp("helmCharts: [{name: web, releaseName: r, kubeVersion: 1.20.0, apiVersions: [x/v1]}]\n", map[string]string{
		"overlay/kustomization.yaml":     "namespace: prod\nresources: [mid]\n",
		"overlay/mid/kustomization.yaml": "resources: [../../apps/web]\n",
	})
	_, h, err := helmBuild(t, files, "overlay", Request{Build: BuildOptions{LoadRestrictionsNone: true}, KubeVersion: "1.31.0", APIVersions: []string{"y/v1"}})
	if err != nil {
		t.Fatal(err)
	}
	if tp := h.runs[0]; tp.Namespace != "prod" || tp.KubeVersion != "1.20.0" || !reflect.DeepEqual(tp.APIVersions, []string{"x/v1"}) {
		t.Errorf("template %+v: want the namespace handed down and the entry's capabilities", tp)
	}
	files["apps/web/kustomization.yaml"] = "helmCharts: [{name: web, releaseName: r}]\n"
	_, h, err = helmBuild(t, files, "overlay", Request{Build: BuildOptions{LoadRestrictionsNone: true}, KubeVersion: "1.31.0", APIVersions: []string{"y/v1"}})
	if err != nil {
		t.Fatal(err)
	}
	if tp := h.runs[0]; tp.KubeVersion != "1.31.0" || !reflect.DeepEqual(tp.APIVersions, []string{"y/v1"}) {
		t.Errorf("template %+v: want Argo CD's capabilities", tp)
	}
}

func TestHelmChartsReleaseName(t *testing.T) {
	res, h, err := helmBuild(t, helmApp("helmCharts: [{name: web}, {name: web, nameTemplate: '{{ \"t\" }}-x'}]\n", nil), "apps/web", Request{})
	if err != nil {
		t.Fatal(err)
	}
	if h.runs[0].ReleaseName != "web-0" || h.runs[1].ReleaseName != "t-x" {
		t.Errorf("release names %q %q", h.runs[0].ReleaseName, h.runs[1].ReleaseName)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "apps/web/kustomization.yaml: helmCharts[0] (web): no releaseName") {
		t.Errorf("warnings %q", res.Warnings)
	}
}

func TestHelmChartsErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		k     string
		extra map[string]string
		b     BuildOptions
		want  string
	}{
		{"no chart, no repo", "helmCharts: [{name: db, releaseName: r}]\n", nil, BuildOptions{}, "apps/web/kustomization.yaml: helmCharts[0] (db): no chart at apps/web/charts/db and no repo to pull it from"},
		{"not pulled", "helmCharts: [{name: db, releaseName: r, repo: 'https://charts.example.com', version: 1.2.3}]\n", nil, BuildOptions{},
			"helmCharts[0] (db): chart db 1.2.3 from https://charts.example.com is not in apps/web/charts/db-1.2.3/db and could not be pulled: not cached (or vendor it: helm pull --untar --untardir apps/web/charts/db-1.2.3 --repo https://charts.example.com db --version 1.2.3)"},
		{"repo without a scheme", "helmCharts: [{name: db, releaseName: r, repo: registry.example.com/charts}]\n", nil, BuildOptions{}, `repo "registry.example.com/charts" is not a chart repository URL`},
		{"valuesMerge", "helmCharts: [{name: web, releaseName: r, valuesMerge: deep}]\n", nil, BuildOptions{}, "valuesMerge must be one of"},
		{"releaseName and nameTemplate", "helmCharts: [{name: web, releaseName: r, nameTemplate: x}]\n", nil, BuildOptions{}, "helm refuses both"},
		{"values outside", "helmCharts: [{name: web, releaseName: r, valuesFile: ../../base/v.yaml}]\n", map[string]string{"base/v.yaml": "a: 1\n"}, BuildOptions{}, "is not in or below"},
		{"chartHome outside: values.yaml restricted", "helmGlobals: {chartHome: ../../charts}\nhelmCharts: [{name: web, releaseName: r}]\n",
			map[string]string{"charts/web/Chart.yaml": chartYAML, "charts/web/values.yaml": "a: 1\n"}, BuildOptions{}, "is not in or below"},
		{"chartHome above the root", "helmGlobals: {chartHome: ../../../x}\nhelmCharts: [{name: web, releaseName: r}]\n", nil, BuildOptions{LoadRestrictionsNone: true}, "outside the repository root"},
		{"remote values", "helmCharts: [{name: web, releaseName: r, valuesFile: 'https://example.com/v.yaml'}]\n", nil, BuildOptions{}, "not offline"},
		{"missing values file", "helmCharts: [{name: web, releaseName: r, valuesFile: none.yaml}]\n", nil, BuildOptions{}, "none.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := Request{Build: tc.b}
			_, _, err := helmBuild(t, helmApp(tc.k, tc.extra), "apps/web", req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// A pulled chart is taken from Pull, its values.yaml with it.
func TestHelmChartsPulled(t *testing.T) {
	chart := tree(t, map[string]string{"Chart.yaml": chartYAML, "values.yaml": "pulled: true\n"})
	h := &fakeHelm{pull: func(repo, name, version string) (*gitrepo.Repo, string, error) { return chart, ".", nil }}
	files := app(map[string]string{"apps/web/kustomization.yaml": "helmCharts: [{name: web, releaseName: r, repo: 'oci://reg.example.com/charts', devel: true}]\n"})
	res, err := Build(Request{Repo: tree(t, files), Dir: "apps/web", Build: BuildOptions{EnableHelm: true}, Helm: h})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(h.pulled, []string{"oci://reg.example.com/charts web  true"}) || h.runs[0].Repo != chart || h.runs[0].Dir != "." {
		t.Errorf("pulled %q, run %+v", h.pulled, h.runs[0])
	}
	if got := values(t, h.runs[0]); !reflect.DeepEqual(got, []map[string]any{{"pulled": true}}) {
		t.Errorf("values %v", got)
	}
	if len(res.Charts) != 0 {
		t.Errorf("charts %v: a pulled chart is no repository input", res.Charts)
	}
}

// A base with charts reached with two different namespaces handed down
// would need two inflations of the same kustomization: an error.
func TestHelmChartsTwoNamespaces(t *testing.T) {
	files := helmApp("helmCharts: [{name: web, releaseName: r}]\n", map[string]string{
		"top/kustomization.yaml":   "resources: [a, b]\n",
		"top/a/kustomization.yaml": "namespace: a\nnamePrefix: a-\nresources: [../../apps/web]\n",
		"top/b/kustomization.yaml": "namespace: b\nnamePrefix: b-\nresources: [../../apps/web]\n",
	})
	_, _, err := helmBuild(t, files, "top", Request{Build: BuildOptions{LoadRestrictionsNone: true}})
	if err == nil || !strings.Contains(err.Error(), `apps/web/kustomization.yaml: a kustomization with helmCharts reached twice, with the namespaces "a" and "b" handed down`) {
		t.Errorf("error %v", err)
	}
	// Charts with a namespace of their own render the same either way.
	files["apps/web/kustomization.yaml"] = "helmCharts: [{name: web, releaseName: r, namespace: own}]\n"
	res, h, err := helmBuild(t, files, "top", Request{Build: BuildOptions{LoadRestrictionsNone: true}})
	if err != nil || len(h.runs) != 1 || h.runs[0].Namespace != "own" {
		t.Fatalf("error %v, runs %+v", err, h.runs)
	}
	var names []string
	for _, o := range res.Objects {
		names = append(names, o["metadata"].(map[string]any)["name"].(string))
	}
	if want := []string{"a-r-cm", "b-r-cm", "a-r-s", "b-r-s"}; !reflect.DeepEqual(names, want) {
		t.Errorf("objects %v, want %v", names, want)
	}
}

// The generator configured through generators: is not inflated: the build
// fails instead of leaving the chart out.
func TestHelmChartsGeneratorPlugin(t *testing.T) {
	files := helmApp("generators: [gen.yaml]\n", map[string]string{
		"apps/web/gen.yaml": "apiVersion: builtin\nkind: HelmChartInflationGenerator\nmetadata: {name: g}\nname: web\nreleaseName: r\n",
	})
	_, _, err := helmBuild(t, files, "apps/web", Request{})
	if err == nil || !strings.Contains(err.Error(), "HelmChartInflationGenerator") {
		t.Errorf("error %v", err)
	}
}
