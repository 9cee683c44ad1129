package render

import (
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/gitopsctl/gitopsctl/internal/render/benchgen"
)

// One test per rule of the Argo CD render rules (section.rule in the name).

// multiSource is a service app: echo chart + configs ref, with extra helm
// settings (indented under helm:).
func multiSource(name, helm string) string {
	return app(name, `  project: app
  sources:
    - repoURL: `+gitopsURL+`
      path: charts/echo
      helm:
`+helm+`
    - repoURL: `+configsURL+`
      targetRevision: HEAD
      ref: configs
  destination:
    server: https://kubernetes.default.svc
    namespace: `+name+`
`)
}

func singleSource(name, path, helm string) string {
	return app(name, `  source:
    repoURL: `+gitopsURL+`
    path: `+path+`
    helm:
`+helm+`
  destination:
    server: https://kubernetes.default.svc
    namespace: `+name+`
`)
}

func TestRule1_1_SourcesWinOverSource(t *testing.T) {
	cfg := setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml": app("a", `  source:
    repoURL: `+gitopsURL+`
    path: plain
  sources:
    - repoURL: `+gitopsURL+`
      path: charts/echo
  destination: {namespace: a}
`),
		"gitops/plain/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-source}\n",
	}, "gitops/charts/echo", echoChart))
	got := keys(mustRender(t, cfg, "a"))
	if !reflect.DeepEqual(got, []string{"ConfigMap/a/a-echo"}) {
		t.Fatalf("objects = %v, want only the spec.sources chart", got)
	}
}

func TestRule1_2_RefValidation(t *testing.T) {
	for _, tc := range []struct{ name, refs, want string }{
		{"invalid", "      ref: 'bad ref'\n", `source ref "bad ref" is invalid`},
		{"chart", "      ref: configs\n      chart: redis\n", "a ref source must be a git repository"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := setup(t, withChart(map[string]string{
				"gitops/argo-apps/a.yaml": app("a", `  sources:
    - repoURL: `+gitopsURL+`
      path: charts/echo
    - repoURL: `+configsURL+`
`+tc.refs+`  destination: {namespace: a}
`),
			}, "gitops/charts/echo", echoChart))
			e := renderErr(t, cfg, "a")
			if !strings.Contains(e.Error(), tc.want) || e.File != "argo-apps/a.yaml" || e.Line != 11 {
				t.Fatalf("error = %v (file %s line %d), want %q at argo-apps/a.yaml:11", e, e.File, e.Line, tc.want)
			}
		})
	}
	t.Run("duplicate", func(t *testing.T) {
		cfg := setup(t, withChart(map[string]string{
			"gitops/argo-apps/a.yaml": app("a", `  sources:
    - repoURL: `+gitopsURL+`
      path: charts/echo
    - {repoURL: `+configsURL+`, ref: configs}
    - {repoURL: `+otherURL+`, ref: configs}
  destination: {namespace: a}
`),
		}, "gitops/charts/echo", echoChart))
		if e := renderErr(t, cfg, "a"); !strings.Contains(e.Error(), "defined more than once") {
			t.Fatal(e)
		}
	})
}

func TestRule1_3_RefResolvesAgainstRepoRoot(t *testing.T) {
	cfg := setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml":            multiSource("a", "        valueFiles: [$configs/a/config.yaml]"),
		"configs/a/config.yaml":              "level: configs-root\n",
		"configs/ignored-path/a/config.yaml": "level: wrong\n",
	}, "gitops/charts/echo", echoChart))
	v, _, _, _ := echo(t, mustRender(t, cfg, "a"))
	if v["level"] != "configs-root" {
		t.Fatalf("level = %v, want configs-root (ref path ignored)", v["level"])
	}
}

func TestRule1_4_RefErrors(t *testing.T) {
	t.Run("unknown", func(t *testing.T) {
		cfg := setup(t, withChart(map[string]string{
			"gitops/argo-apps/a.yaml": multiSource("a", "        valueFiles: [$nope/a/config.yaml]"),
		}, "gitops/charts/echo", echoChart))
		e := renderErr(t, cfg, "a")
		if !strings.Contains(e.Error(), `source referenced "$nope", which is not one of the available sources ($configs)`) || e.Line != 12 {
			t.Fatalf("got %v line %d", e, e.Line)
		}
	})
	t.Run("same repo other revision", func(t *testing.T) {
		cfg := setup(t, withChart(map[string]string{
			"gitops/argo-apps/a.yaml": app("a", `  sources:
    - repoURL: `+gitopsURL+`
      path: charts/echo
      helm: {valueFiles: [$self/values.yaml]}
    - {repoURL: `+gitopsURL+`, targetRevision: v1.0.0, ref: self}
  destination: {namespace: a}
`),
		}, "gitops/charts/echo", echoChart))
		if e := renderErr(t, cfg, "a"); !strings.Contains(e.Error(), "cannot reference a different revision of the same repository") {
			t.Fatal(e)
		}
	})
}

func TestRule1_5_SingleSourceDollarIsEnv(t *testing.T) {
	cfg := setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml": singleSource("a", "charts/echo", "      valueFiles: [$configs/root-values.yaml]"),
		"gitops/root-values.yaml": "level: gitops-root\n",
	}, "gitops/charts/echo", echoChart))
	v, _, _, _ := echo(t, mustRender(t, cfg, "a"))
	if v["level"] != "gitops-root" {
		t.Fatalf("level = %v: $configs in a single-source app must expand to empty (repo-root path)", v["level"])
	}
}

func TestRule1_6_PlainPaths(t *testing.T) {
	base := func(vf string, extra map[string]string) map[string]string {
		f := withChart(map[string]string{
			"gitops/argo-apps/a.yaml":          singleSource("a", "charts/echo", "      valueFiles: ["+vf+"]"),
			"gitops/charts/echo/env/prod.yaml": "level: source-path\n",
			"gitops/envs/prod.yaml":            "level: repo-root\n",
			"outside.yaml":                     "level: outside\n",
		}, "gitops/charts/echo", echoChart)
		for k, v := range extra {
			f[k] = v
		}
		return f
	}
	for _, tc := range []struct {
		name, vf string
		extra    map[string]string
		want     string
	}{
		{"relative to source path", "env/prod.yaml", nil, "source-path"},
		{"leading slash is repo root", "/envs/prod.yaml", nil, "repo-root"},
		{"dotdot inside", "../../envs/prod.yaml", nil, "repo-root"},
		{"symlink inside", "link.yaml", map[string]string{"gitops/charts/echo/link.yaml": "symlink:../../envs/prod.yaml"}, "repo-root"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, _, _, _ := echo(t, mustRender(t, setup(t, base(tc.vf, tc.extra)), "a"))
			if v["level"] != tc.want {
				t.Fatalf("level = %v, want %s", v["level"], tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name, vf string
		extra    map[string]string
	}{
		{"dotdot escape", "../../../outside.yaml", nil},
		{"symlink escape", "/links/evil.yaml", map[string]string{"gitops/links/evil.yaml": "symlink:../../outside.yaml"}},
		{"symlinked dir escape", "/links/d/outside.yaml", map[string]string{"gitops/links/d": "symlink:../.."}},
		{"absolute symlink escape", "/links/abs.yaml", map[string]string{"gitops/links/abs.yaml": "symlink:/etc/hostname"}},
		{"ref escape", "$configs/../outside.yaml", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := base(tc.vf, tc.extra)
			if strings.HasPrefix(tc.vf, "$") {
				f["gitops/argo-apps/a.yaml"] = multiSource("a", "        valueFiles: ["+tc.vf+"]")
			}
			e := renderErr(t, setup(t, f), "a")
			if !strings.Contains(e.Error(), "resolved to outside repository root") || e.File != "argo-apps/a.yaml" || e.Line == 0 {
				t.Fatalf("got %v (%s:%d)", e, e.File, e.Line)
			}
		})
	}
}

func TestRule1_7_RemoteValueFiles(t *testing.T) {
	cfg := setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml": singleSource("a", "charts/echo", "      valueFiles: [https://example.com/values.yaml]"),
		"gitops/argo-apps/b.yaml": singleSource("b", "charts/echo", "      valueFiles: [ftp://example.com/values.yaml]"),
	}, "gitops/charts/echo", echoChart))
	if e := renderErr(t, cfg, "a"); !strings.Contains(e.Error(), "not fetched offline") {
		t.Fatal(e)
	}
	if e := renderErr(t, cfg, "b"); !strings.Contains(e.Error(), "the URL scheme 'ftp' is not allowed") {
		t.Fatal(e)
	}
}

func TestRule1_8_MissingValueFiles(t *testing.T) {
	files := withChart(map[string]string{
		"gitops/argo-apps/a.yaml": multiSource("a", "        valueFiles:\n          - values.yaml\n          - $configs/a/missing.yaml"),
		"gitops/argo-apps/b.yaml": multiSource("b", "        ignoreMissingValueFiles: true\n        valueFiles: [$configs/b/missing.yaml]"),
	}, "gitops/charts/echo", echoChart)
	cfg := setup(t, files)
	e := renderErr(t, cfg, "a")
	if e.App != "a" || e.File != "argo-apps/a.yaml" || e.Line != 14 || !strings.Contains(e.Error(), `value file "$configs/a/missing.yaml" not found`) {
		t.Fatalf("got %v (%s:%d)", e, e.File, e.Line)
	}
	v, _, _, _ := echo(t, mustRender(t, cfg, "b"))
	if v["level"] != "chart" {
		t.Fatal(v)
	}
}

func TestRule1_9_Globs(t *testing.T) {
	files := withChart(map[string]string{
		"gitops/argo-apps/a.yaml": multiSource("a", "        valueFiles: [$configs/a/*.yaml, $configs/a/b.yaml]"),
		"gitops/argo-apps/n.yaml": multiSource("nomatch", "        valueFiles: [$configs/none/*.yaml]"),
		"gitops/argo-apps/i.yaml": multiSource("i", "        ignoreMissingValueFiles: true\n        valueFiles: [$configs/none/*.yaml]"),
		"configs/a/a.yaml":        "order: [a]\nlevel: a\nb: from-a\n",
		"configs/a/b.yaml":        "level: b\nb: from-b\n",
		"configs/a/c.yaml":        "level: c\n",
	}, "gitops/charts/echo", echoChart)
	cfg := setup(t, files)
	v, _, _, _ := echo(t, mustRender(t, cfg, "a"))
	// a, c from the glob in order, then b at its explicit position (last).
	if v["level"] != "b" || v["b"] != "from-b" {
		t.Fatalf("values = %v", v)
	}
	if e := renderErr(t, cfg, "nomatch"); !strings.Contains(e.Error(), `values file glob "$configs/none/*.yaml" matched no files`) {
		t.Fatal(e)
	}
	mustRender(t, cfg, "i")
}

func TestRule1_10_RefSourceWithPathRenders(t *testing.T) {
	files := withChart(map[string]string{
		"gitops/argo-apps/a.yaml": app("a", `  sources:
    - {repoURL: `+gitopsURL+`, path: charts/echo}
    - {repoURL: `+configsURL+`, ref: configs, path: manifests}
  destination: {namespace: a}
`),
		"gitops/argo-apps/b.yaml": app("b", `  sources:
    - {repoURL: `+gitopsURL+`, path: charts/echo}
    - {repoURL: `+configsURL+`, ref: configs}
  destination: {namespace: b}
`),
		"configs/manifests/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-ref}\n",
	}, "gitops/charts/echo", echoChart)
	cfg := setup(t, files)
	if got := keys(mustRender(t, cfg, "a")); !reflect.DeepEqual(got, []string{"ConfigMap/a/a-echo", "ConfigMap/a/from-ref"}) {
		t.Fatal(got)
	}
	if got := keys(mustRender(t, cfg, "b")); !reflect.DeepEqual(got, []string{"ConfigMap/b/b-echo"}) {
		t.Fatal(got)
	}
}

func TestRule1_11_ConcatAndLastWins(t *testing.T) {
	files := map[string]string{
		"gitops/argo-apps/a.yaml": app("a", `  sources:
    - {repoURL: `+gitopsURL+`, path: one}
    - {repoURL: `+otherURL+`, path: two}
  destination: {namespace: a}
`),
		"gitops/one/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same}\ndata: {from: one}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: only-one}\n",
		"other/two/cm.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same}\ndata: {from: two}\n",
	}
	r := renderApp(t, setup(t, files), "a")
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if got := keys(r.Objects); !reflect.DeepEqual(got, []string{"ConfigMap/a/only-one", "ConfigMap/a/same"}) {
		t.Fatal(got)
	}
	for _, o := range r.Objects {
		if o.Object.GetName() == "same" && o.Object.Object["data"].(map[string]any)["from"] != "two" {
			t.Fatal("the later source must win")
		}
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "ConfigMap/same in namespace a appeared one/cm.yaml and two/cm.yaml") {
		t.Fatalf("warnings = %q", r.Warnings)
	}
}

func TestRule1_12_Precedence(t *testing.T) {
	helm := `        valueFiles: [$configs/a/one.yaml, $configs/a/two.yaml]
        values: |
          level: values
          fromValues: true
          nested: {b: values}
        parameters:
          - {name: param, value: "1"}
          - {name: forced, value: "2", forceString: true}
          - {name: fileLevel, value: param}
        fileParameters:
          - {name: fileLevel, path: $configs/a/file.txt}`
	files := withChart(map[string]string{
		"gitops/argo-apps/a.yaml": multiSource("a", helm),
		"gitops/argo-apps/o.yaml": multiSource("o", helm+`
        valuesObject:
          level: object
          nested: {c: object}`),
		"configs/a/one.yaml": "level: one\nfromOne: true\nnested: {a: one}\n",
		"configs/a/two.yaml": "level: two\nnested: {b: two}\n",
		"configs/a/file.txt": "from a file",
	}, "gitops/charts/echo", echoChart)
	cfg := setup(t, files)
	v, _, _, _ := echo(t, mustRender(t, cfg, "a"))
	want := map[string]any{
		"level": "values", "fromChart": true, "fromOne": true, "fromValues": true,
		"nested": map[string]any{"a": "one", "b": "values"},
		"param":  float64(1), "forced": "2", "fileLevel": "from a file",
	}
	if !reflect.DeepEqual(v, want) {
		t.Fatalf("values = %v\nwant     %v", v, want)
	}
	v, _, _, _ = echo(t, mustRender(t, cfg, "o"))
	if v["level"] != "object" || v["fromValues"] != nil || !reflect.DeepEqual(v["nested"], map[string]any{"a": "one", "b": "two", "c": "object"}) {
		t.Fatalf("valuesObject must replace values: %v", v)
	}
}

func TestRule2_1_HelmTemplateFlagsAndNotes(t *testing.T) {
	cfg := setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml": singleSource("a", "charts/echo", "      valueFiles: [values.yaml]"),
	}, "gitops/charts/echo", echoChart))
	for _, o := range mustRender(t, cfg, "a") {
		if strings.Contains(o.Source, "NOTES") {
			t.Fatal("NOTES.txt must not be rendered as an object")
		}
	}
}

func TestRule2_2_ParametersLastWinsAndCommas(t *testing.T) {
	cfg := setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml": singleSource("a", "charts/echo", `      parameters:
        - {name: p, value: first}
        - {name: p, value: second}
        - {name: csv, value: "a,b,c"}
        - {name: list, value: "{x,y}"}`),
	}, "gitops/charts/echo", echoChart))
	v, _, _, _ := echo(t, mustRender(t, cfg, "a"))
	if v["p"] != "second" || v["csv"] != "a,b,c" || !reflect.DeepEqual(v["list"], []any{"x", "y"}) {
		t.Fatalf("values = %v", v)
	}
}

func TestRule2_3_EnvSubstitution(t *testing.T) {
	cfg := setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml": app("a", `  project: app
  sources:
    - repoURL: `+gitopsURL+`
      path: charts/echo
      helm:
        valueFiles: [$configs/$ARGOCD_APP_NAME/config.yaml, "envs/${ARGOCD_APP_NAMESPACE}.yaml"]
        values: "literal: $ARGOCD_APP_NAME"
        parameters:
          - {name: name, value: $ARGOCD_APP_NAME}
          - {name: ns, value: $ARGOCD_APP_NAMESPACE}
          - {name: project, value: $ARGOCD_APP_PROJECT_NAME}
          - {name: path, value: $ARGOCD_APP_SOURCE_PATH}
          - {name: repo, value: $ARGOCD_APP_SOURCE_REPO_URL}
          - {name: unknown, value: "x${NOPE}y"}
          - {name: dollar, value: "cost: $$5"}
          - {name: rev, value: $ARGOCD_APP_REVISION}
    - {repoURL: `+configsURL+`, ref: configs}
  destination: {namespace: prod-ns}
`),
		"configs/a/config.yaml":                "fromRef: true\n",
		"gitops/charts/echo/envs/prod-ns.yaml": "fromEnvFile: true\n",
	}, "gitops/charts/echo", echoChart))
	v, _, _, _ := echo(t, mustRender(t, cfg, "a"))
	want := map[string]any{"name": "a", "ns": "prod-ns", "project": "app", "path": "charts/echo", "repo": gitopsURL,
		"unknown": "xy", "dollar": "cost: $5", "literal": "$ARGOCD_APP_NAME", "fromRef": true, "fromEnvFile": true, "rev": ""}
	for k, w := range want {
		if !reflect.DeepEqual(v[k], w) {
			t.Errorf("%s = %#v, want %#v", k, v[k], w)
		}
	}
}

func TestRule2_4_ReleaseName(t *testing.T) {
	cfg := setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml": singleSource("a", "charts/echo", "      releaseName: custom"),
		"gitops/argo-apps/b.yaml": singleSource("team_b", "charts/echo", "      valueFiles: []"),
	}, "gitops/charts/echo", echoChart))
	_, rel, _, _ := echo(t, mustRender(t, cfg, "a"))
	if rel["Name"] != "custom" {
		t.Fatal(rel)
	}
	_, rel, _, _ = echo(t, mustRender(t, cfg, "team_b"))
	if rel["Name"] != "b" {
		t.Fatalf("release name = %v, want the app name without its ns_ prefix", rel["Name"])
	}
}

func TestRule2_5_Namespace(t *testing.T) {
	cfg := setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml": singleSource("a", "charts/echo", "      namespace: helm-ns"),
		"gitops/argo-apps/b.yaml": app("b", "  source: {repoURL: "+gitopsURL+", path: charts/echo}\n  destination: {server: https://kubernetes.default.svc}\n"),
	}, "gitops/charts/echo", echoChart))
	objs := mustRender(t, cfg, "a")
	_, rel, _, _ := echo(t, objs)
	if rel["Namespace"] != "helm-ns" {
		t.Fatal(rel)
	}
	if objs[0].Object.GetNamespace() != "a" {
		t.Fatalf("the controller fills the destination namespace, got %q", objs[0].Object.GetNamespace())
	}
	_, rel, _, _ = echo(t, mustRender(t, cfg, "b"))
	if rel["Namespace"] != "default" {
		t.Fatal(rel)
	}
}

func TestRule2_6_7_Capabilities(t *testing.T) {
	cfg := setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml": singleSource("a", "charts/echo", "      valueFiles: []"),
		"gitops/argo-apps/b.yaml": singleSource("b", "charts/echo", "      kubeVersion: 1.29.1\n      apiVersions: [example.com/v1, example.com/v1/Thing]"),
	}, "gitops/charts/echo", echoChart))
	_, _, kv, apis := echo(t, mustRender(t, cfg, "a"))
	if kv != "v1.30.4" || !slices.Contains(apis, "bitnami.com/v1alpha1") || !slices.Contains(apis, "apps/v1") || !slices.Contains(apis, "v1") {
		t.Fatalf("kube %s apis %v: want the config profile appended to Helm's defaults", kv, apis)
	}
	_, _, kv, apis = echo(t, mustRender(t, cfg, "b"))
	if kv != "v1.29.1" || slices.Contains(apis, "bitnami.com/v1alpha1") || !slices.Contains(apis, "example.com/v1/Thing") || !slices.Contains(apis, "apps/v1") {
		t.Fatalf("kube %s apis %v: helm.apiVersions replaces the profile", kv, apis)
	}
}

func TestRule2_8_ReleaseFields(t *testing.T) {
	cfg := setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml": singleSource("a", "charts/echo", "      valueFiles: []"),
	}, "gitops/charts/echo", echoChart))
	_, rel, _, _ := echo(t, mustRender(t, cfg, "a"))
	want := map[string]any{"Name": "a", "Namespace": "a", "Revision": float64(1), "IsInstall": true, "IsUpgrade": false, "Service": "Helm"}
	if !reflect.DeepEqual(rel, want) {
		t.Fatalf(".Release = %v", rel)
	}
}

var hooksChart = map[string]string{
	"Chart.yaml":           "apiVersion: v2\nname: hooks\nversion: 1.0.0\n",
	"crds/thing.yaml":      crdYAML("things.example.com", "example.com", "Thing", "Namespaced"),
	"templates/job.yaml":   "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations: {helm.sh/hook: pre-install}\nspec: {template: {spec: {restartPolicy: Never, containers: [{name: m, image: busybox}]}}}\n",
	"templates/test.yaml":  "apiVersion: v1\nkind: Pod\nmetadata:\n  name: smoke\n  annotations: {helm.sh/hook: test}\nspec: {containers: [{name: t, image: busybox}]}\n",
	"templates/thing.yaml": "apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: one}\n",
	"templates/odd.yaml":   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: odd\n  annotations: {helm.sh/hook: \"pre-install,on-a-whim\"}\n",
}

func crdYAML(name, group, kind, scope string) string {
	return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ` + name + `
spec:
  group: ` + group + `
  names: {kind: ` + kind + `, plural: ` + strings.ToLower(kind) + `s, singular: ` + strings.ToLower(kind) + `}
  scope: ` + scope + `
  versions:
    - name: v1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`
}

func TestRule2_9_CRDsAndHooks(t *testing.T) {
	cfg := setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml": singleSource("a", "charts/hooks", "      valueFiles: []"),
		"gitops/argo-apps/b.yaml": singleSource("b", "charts/hooks", "      skipCrds: true\n      skipTests: true"),
	}, "gitops/charts/hooks", hooksChart))
	r := renderApp(t, cfg, "a")
	got := keys(r.Objects)
	want := []string{"CustomResourceDefinition//things.example.com", "Pod/a/smoke", "Job/a/migrate", "Thing/a/one"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], `hooks/templates/odd.yaml: ConfigMap/odd skipped: unknown hook "pre-install,on-a-whim"`) {
		t.Fatalf("warnings %q", r.Warnings)
	}
	got = keys(mustRender(t, cfg, "b"))
	if !reflect.DeepEqual(got, []string{"Job/b/migrate", "Thing/b/one"}) {
		t.Fatalf("skipCrds/skipTests: got %v", got)
	}
}

func TestRule2_10_MissingDependency(t *testing.T) {
	chart := map[string]string{
		"Chart.yaml":               "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n  - {name: redis, version: 1.x, repository: https://charts.example.com}\n  - {name: common, version: 1.x, repository: file://../common}\n",
		"templates/cm.yaml":        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
		"charts/common/Chart.yaml": "apiVersion: v2\nname: common\nversion: 1.0.0\n",
	}
	cfg := setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml": singleSource("a", "charts/parent", "      valueFiles: []"),
	}, "gitops/charts/parent", chart))
	e := renderErr(t, cfg, "a")
	if !strings.Contains(e.Error(), "dependency redis of chart charts/parent: chart redis version 1.x from https://charts.example.com is not in the chart cache") || e.File != "charts/parent/Chart.yaml" {
		t.Fatalf("got %v (%s)", e, e.File)
	}
}

func TestRule2_11_DocumentsAndLists(t *testing.T) {
	chart := map[string]string{
		"Chart.yaml": "apiVersion: v2\nname: lists\nversion: 1.0.0\n",
		"templates/all.yaml": `---
# only a comment
---
null
---
apiVersion: v1
kind: ConfigMapList
items:
  - {apiVersion: v1, kind: ConfigMap, metadata: {name: one}}
  - {apiVersion: v1, kind: ConfigMap, metadata: {name: two}}
---
apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: Service, metadata: {name: svc}, spec: {ports: [{port: 80}]}}
---
apiVersion: v1
kind: SecretList
items: null
`,
	}
	cfg := setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml": singleSource("a", "charts/lists", "      valueFiles: []"),
	}, "gitops/charts/lists", chart))
	got := keys(mustRender(t, cfg, "a"))
	if !reflect.DeepEqual(got, []string{"ConfigMap/a/one", "ConfigMap/a/two", "Service/a/svc"}) {
		t.Fatal(got)
	}
}

// TestRule2_11_PrintedOutput: objects come from what the helm CLI prints,
// read back as Argo CD reads it: a block scalar ending a document keeps its
// newline ("|+" keeps only that one, Helm trimmed the rest), and a document
// Helm prints but Argo CD cannot read as an object ("{}") fails the app at
// its template.
func TestRule2_11_PrintedOutput(t *testing.T) {
	chart := map[string]string{
		"Chart.yaml":          "apiVersion: v2\nname: printed\nversion: 1.0.0\n",
		"templates/cm.yaml":   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata:\n  clip: x\n  last: |\n    text\n",
		"templates/keep.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep}\ndata:\n  last: |+\n    kept\n\n\n",
	}
	cfg := setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml":                singleSource("a", "charts/printed", "      valueFiles: []"),
		"gitops/argo-apps/b.yaml":                singleSource("b", "charts/empty", "      valueFiles: []"),
		"gitops/charts/empty/Chart.yaml":         "apiVersion: v2\nname: empty\nversion: 1.0.0\n",
		"gitops/charts/empty/templates/obj.yaml": "{}\n",
	}, "gitops/charts/printed", chart))
	got := map[string]any{}
	for _, o := range mustRender(t, cfg, "a") {
		got[o.Object.GetName()] = o.Object.Object["data"].(map[string]any)["last"]
	}
	if want := map[string]any{"cm": "text\n", "keep": "kept\n"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	e := renderErr(t, cfg, "b")
	if e.File != "charts/empty/templates/obj.yaml" || !strings.Contains(e.Error(), "Object 'Kind' is missing in '{}'") {
		t.Fatalf("%s (file %s)", e, e.File)
	}
}

func TestRule2_12_NamespaceFill(t *testing.T) {
	files := map[string]string{
		"gitops/argo-apps/a.yaml": app("a", "  source: {repoURL: "+gitopsURL+", path: m}\n  destination: {namespace: dest}\n"),
		"gitops/m/objs.yaml": `apiVersion: v1
kind: ConfigMap
metadata: {name: no-ns}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: own-ns, namespace: other}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cr, namespace: wrong}
---
apiVersion: v1
kind: Namespace
metadata: {name: ns1}
---
` + crdYAML("widgets.example.com", "example.com", "Widget", "Cluster") + `---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
---
apiVersion: example.com/v1
kind: Gadget
metadata: {name: g}
`,
	}
	objs := mustRender(t, setup(t, files), "a")
	got := map[string]string{}
	for _, o := range objs {
		got[o.Object.GetName()] = o.Object.GetNamespace()
	}
	want := map[string]string{"no-ns": "dest", "own-ns": "other", "cr": "", "ns1": "", "widgets.example.com": "", "w": "", "g": "dest"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("namespaces = %v\nwant %v", got, want)
	}
}

func TestRule3_1_SourceType(t *testing.T) {
	files := withChart(map[string]string{
		"gitops/argo-apps/both.yaml":     app("both", "  source:\n    repoURL: "+gitopsURL+"\n    path: charts/echo\n    helm: {}\n    directory: {}\n  destination: {namespace: x}\n"),
		"gitops/argo-apps/auto.yaml":     app("auto", "  source: {repoURL: "+gitopsURL+", path: charts/echo}\n  destination: {namespace: x}\n"),
		"gitops/argo-apps/kust.yaml":     app("kust", "  source: {repoURL: "+gitopsURL+", path: kust}\n  destination: {namespace: x}\n"),
		"gitops/argo-apps/dir.yaml":      app("dir", "  source: {repoURL: "+gitopsURL+", path: charts/echo, directory: {}}\n  destination: {namespace: x}\n"),
		"gitops/kust/kustomization.yaml": "resources: [cm.yaml]\n",
		"gitops/kust/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-kustomize}\n",
		// A chart with a kustomization file next to Chart.yaml is Kustomize.
		"gitops/argo-apps/chartkust.yaml":     app("chartkust", "  source: {repoURL: "+gitopsURL+", path: chartkust}\n  destination: {namespace: x}\n"),
		"gitops/chartkust/Chart.yaml":         "apiVersion: v2\nname: chartkust\nversion: 0.1.0\n",
		"gitops/chartkust/kustomization.yaml": "resources: [cm.yaml]\n",
		"gitops/chartkust/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: chartkust}\n",
	}, "gitops/charts/echo", echoChart)
	cfg := setup(t, files)
	if e := renderErr(t, cfg, "both"); !strings.Contains(e.Error(), "multiple application sources defined: Helm,Directory") {
		t.Fatal(e)
	}
	if got := keys(mustRender(t, cfg, "auto")); !reflect.DeepEqual(got, []string{"ConfigMap/x/auto-echo"}) {
		t.Fatal(got)
	}
	if got := keys(mustRender(t, cfg, "kust")); !reflect.DeepEqual(got, []string{"ConfigMap/x/from-kustomize"}) {
		t.Fatal(got)
	}
	if got := keys(mustRender(t, cfg, "chartkust")); !reflect.DeepEqual(got, []string{"ConfigMap/x/chartkust"}) {
		t.Fatal(got)
	}
	// A chart directory forced to Directory: only *.yaml files at the top level (none parse as objects).
	if got := mustRender(t, cfg, "dir"); len(got) != 0 {
		t.Fatal(keys(got))
	}
}

func TestRule3_2_DirectoryWalk(t *testing.T) {
	cm := func(n string) string { return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + n + "}\n" }
	base := map[string]string{
		"gitops/m/top.yaml":          cm("top"),
		"gitops/m/top.yml":           cm("top-yml"),
		"gitops/m/top.json":          `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"top-json"}}`,
		"gitops/m/top.txt":           cm("txt"),
		"gitops/m/sub/deep.yaml":     cm("deep"),
		"gitops/m/sub/x/deeper.yaml": cm("deeper"),
		"gitops/m/skip.yaml":         "# +argocd:skip-file-rendering\n" + cm("skipped"),
		"gitops/m/other/o.yaml":      cm("other"),
		"gitops/shared/x.yaml":       cm("linked"),
		"gitops/m/linked.yaml":       "symlink:../shared/x.yaml", // links to files are read
		"gitops/m/linkdir":           "symlink:../shared",        // links to directories are not walked
	}
	for _, tc := range []struct {
		name, dir string
		want      []string
	}{
		{"top level only", "{}", []string{"linked", "top", "top-json", "top-yml"}},
		{"recurse", "{recurse: true}", []string{"deep", "deeper", "linked", "other", "top", "top-json", "top-yml"}},
		{"exclude crosses slash", "{recurse: true, exclude: 'sub/*'}", []string{"linked", "other", "top", "top-json", "top-yml"}},
		{"include alternatives", "{recurse: true, include: '{sub/*,*.json}'}", []string{"deep", "deeper", "top-json"}},
		{"exclude before include", "{recurse: true, include: 'sub/*', exclude: '*deeper*'}", []string{"deep"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"gitops/argo-apps/a.yaml": app("a", "  source: {repoURL: "+gitopsURL+", path: m, directory: "+tc.dir+"}\n  destination: {namespace: a}\n")}
			for k, v := range base {
				files[k] = v
			}
			var got []string
			for _, o := range mustRender(t, setup(t, files), "a") {
				got = append(got, o.Object.GetName())
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v want %v", got, tc.want)
			}
		})
	}
}

func TestRule3_3_MultiDocAndParseFailures(t *testing.T) {
	mk := func(content string) map[string]string {
		return map[string]string{
			"gitops/argo-apps/a.yaml": app("a", "  source: {repoURL: "+gitopsURL+", path: m}\n  destination: {namespace: a}\n"),
			"gitops/m/f.yaml":         content,
		}
	}
	objs := mustRender(t, setup(t, mk("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: two}\n")), "a")
	if len(objs) != 2 {
		t.Fatal(keys(objs))
	}
	// Not a resource and does not parse: ignored.
	if objs := mustRender(t, setup(t, mk("just: [unclosed\n")), "a"); len(objs) != 0 {
		t.Fatal(keys(objs))
	}
	// Looks like a resource but does not parse: an error naming the file.
	e := renderErr(t, setup(t, mk("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [bad\n")), "a")
	if e.File != "m/f.yaml" || !strings.Contains(e.Error(), "failed to unmarshal") {
		t.Fatalf("got %v (%s)", e, e.File)
	}
	// A later document broken after a good one: an error with its line.
	e = renderErr(t, setup(t, mk("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\nfoo: [\n")), "a")
	if !strings.Contains(e.Error(), "m/f.yaml:5") {
		t.Fatal(e)
	}
}

func TestRule3_4_NestedAppOfApps(t *testing.T) {
	files := withChart(map[string]string{
		"gitops/argo-apps/team.yaml":        app("team", "  source: {repoURL: "+gitopsURL+", path: team-apps}\n  destination: {namespace: argocd}\n"),
		"gitops/team-apps/svc.yaml":         singleSource("svc", "charts/echo", "      valueFiles: []"),
		"gitops/argo-apps/helm-parent.yaml": app("helm-parent", "  source: {repoURL: "+gitopsURL+", path: charts/apps}\n  destination: {namespace: argocd}\n"),
		"gitops/charts/apps/Chart.yaml":     "apiVersion: v2\nname: apps\nversion: 1.0.0\n",
		"gitops/charts/apps/templates/apps.yaml": `{{- range list "h1" "h2" }}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: {{ . }}, namespace: argocd}
spec:
  source: {repoURL: ` + gitopsURL + `, path: charts/echo}
  destination: {namespace: {{ . }}}
{{- end }}
`,
	}, "gitops/charts/echo", echoChart)
	ws := open(t, setup(t, files), Options{})
	var names []string
	for _, a := range ws.Apps() {
		names = append(names, a.Name+"<"+a.Parent)
	}
	want := []string{"h1<helm-parent", "h2<helm-parent", "helm-parent<root-app", "root-app<", "svc<team", "team<root-app"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("apps = %v\nwant %v", names, want)
	}
	svc := ws.App("svc")
	if svc.File != "team-apps/svc.yaml" || svc.Line != 1 {
		t.Fatalf("svc defined at %s:%d", svc.File, svc.Line)
	}
	if h := ws.App("h2"); h.File != "charts/apps/templates/apps.yaml" {
		t.Fatalf("h2 defined at %s", h.File)
	}
}

func TestRule3_5_DefaultProject(t *testing.T) {
	files := withChart(map[string]string{
		"gitops/argo-apps/a.yaml": singleSource("a", "charts/echo", "      valueFiles: []"),
	}, "gitops/charts/echo", echoChart)
	ws := open(t, setup(t, files), Options{})
	if p := ws.App("a").Project; p != "default" {
		t.Fatal(p)
	}
}

func TestRule4_Overrides(t *testing.T) {
	files := withChart(map[string]string{
		"gitops/argo-apps/a.yaml":                  singleSource("a", "charts/echo", "      valueFiles: [values.yaml]\n      parameters: [{name: keep, value: app}]"),
		"gitops/argo-apps/b.yaml":                  singleSource("b", "charts/echo", "      valueFiles: [values.yaml]"),
		"gitops/charts/echo/.argocd-source.yaml":   "helm:\n  parameters:\n    - {name: common, value: all}\n  releaseName: from-common\npath: elsewhere\n",
		"gitops/charts/echo/.argocd-source-a.yaml": "helm:\n  parameters:\n    - {name: image.tag, value: \"1.2\", forcestring: true}\n",
	}, "gitops/charts/echo", echoChart)
	cfg := setup(t, files)
	v, rel, _, _ := echo(t, mustRender(t, cfg, "a"))
	// The app-specific file replaces the parameters array wholesale.
	if v["image"].(map[string]any)["tag"] != "1.2" || v["keep"] != nil || v["common"] != nil || rel["Name"] != "from-common" {
		t.Fatalf("values %v release %v", v, rel)
	}
	v, _, _, _ = echo(t, mustRender(t, cfg, "b"))
	if v["common"] != "all" {
		t.Fatal(v)
	}
}

func TestUnknownRepoAndHelmRepoCharts(t *testing.T) {
	files := withChart(map[string]string{
		"gitops/argo-apps/ok.yaml":      singleSource("ok", "charts/echo", "      valueFiles: []"),
		"gitops/argo-apps/unknown.yaml": app("unknown", "  source: {repoURL: https://example.com/nobody.git, path: x}\n  destination: {namespace: x}\n"),
		"gitops/argo-apps/remote.yaml":  app("remote", "  source: {repoURL: https://charts.example.com/other, chart: nginx, targetRevision: 1.2.3}\n  destination: {namespace: x}\n"),
		"gitops/argo-apps/mapped.yaml":  app("mapped", "  source: {repoURL: https://charts.example.com/stable, chart: redis, targetRevision: 1.0.0}\n  destination: {namespace: cache}\n"),
	}, "gitops/charts/echo", echoChart)
	withChart(files, "vendor/redis", map[string]string{
		"Chart.yaml":         "apiVersion: v2\nname: redis\nversion: 1.0.0\n",
		"templates/sts.yaml": "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: {{ .Release.Name }}-redis}\nspec: {serviceName: redis}\n",
	})
	cfg := setup(t, files)
	ws := open(t, cfg, Options{})
	rs, err := ws.Render(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Result{}
	for _, r := range rs {
		byName[r.App.Name] = r
	}
	if r := byName["ok"]; r.Err != nil || len(r.Objects) != 1 {
		t.Fatalf("ok: %v", r.Err)
	}
	if e := byName["unknown"].Err; e == nil || !strings.Contains(e.Error(), "repository https://example.com/nobody.git has no local checkout") || !strings.Contains(e.Error(), "argo-apps/unknown.yaml:7") {
		t.Fatalf("unknown: %v", e)
	}
	if e := byName["remote"].Err; e == nil || !strings.Contains(e.Error(), "chart nginx version") || !strings.Contains(e.Error(), "from https://charts.example.com/other is not in the chart cache") {
		t.Fatalf("remote: %v", e)
	}
	if r := byName["mapped"]; r.Err != nil || keys(r.Objects)[0] != "StatefulSet/cache/mapped-redis" {
		t.Fatalf("mapped: %v %v", r.Err, keys(r.Objects))
	}
}

func TestUnknownAppNames(t *testing.T) {
	files := withChart(map[string]string{
		"gitops/argo-apps/a.yaml": singleSource("a", "charts/echo", "      valueFiles: []"),
	}, "gitops/charts/echo", echoChart)
	ws := open(t, setup(t, files), Options{})
	_, err := ws.Render(t.Context(), "a", "nope", "zzz")
	if err == nil || err.Error() != "unknown applications nope, zzz (known: a, root-app)" {
		t.Fatal(err)
	}
}

func TestBrokenTemplateLocated(t *testing.T) {
	chart := map[string]string{
		"Chart.yaml":        "apiVersion: v2\nname: broken\nversion: 1.0.0\n",
		"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ .Values.missing.key }}\n",
	}
	cfg := setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml": singleSource("a", "charts/broken", "      valueFiles: []"),
	}, "gitops/charts/broken", chart))
	e := renderErr(t, cfg, "a")
	if e.File != "charts/broken/templates/cm.yaml" || e.Line != 6 || !strings.Contains(e.Error(), "nil pointer evaluating interface {}.key") {
		t.Fatalf("got %v (%s:%d)", e, e.File, e.Line)
	}
}

func TestRule2_3_RevisionVariables(t *testing.T) {
	files := withChart(map[string]string{
		"gitops/argo-apps/a.yaml": singleSource("a", "charts/echo", `      parameters:
        - {name: rev, value: $ARGOCD_APP_REVISION}
        - {name: short, value: $ARGOCD_APP_REVISION_SHORT}
        - {name: short8, value: $ARGOCD_APP_REVISION_SHORT_8}`),
	}, "gitops/charts/echo", echoChart)
	cfg := setup(t, files)
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "one"}} {
		if err := benchgen.Git(cfg.RepoDir, args...); err != nil {
			t.Skip(err)
		}
	}
	ws := open(t, cfg, Options{Rev: "HEAD"})
	rs, err := ws.Render(t.Context(), "a")
	if err != nil || rs[0].Err != nil {
		t.Fatal(err, rs[0].Err)
	}
	v, _, _, _ := echo(t, rs[0].Objects)
	gr, _ := ws.GitopsRepo()
	// Parameters are --set values: a short hash of digits only (not starting
	// with 0) becomes a number, as with the helm CLI; the echo chart prints
	// it as JSON, so compare its text.
	text := func(x any) string {
		if f, ok := x.(float64); ok {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
		s, _ := x.(string)
		return s
	}
	if len(gr.Commit) != 40 || text(v["rev"]) != gr.Commit || text(v["short"]) != gr.Commit[:7] || text(v["short8"]) != gr.Commit[:8] {
		t.Fatalf("values %v, commit %s", v, gr.Commit)
	}
}

func TestSameRepoSameCommitIsAllowed(t *testing.T) {
	files := withChart(map[string]string{
		"gitops/argo-apps/a.yaml": app("a", `  sources:
    - repoURL: `+gitopsURL+`
      targetRevision: HEAD
      path: charts/echo
      helm: {valueFiles: [$self/values/a.yaml]}
    - {repoURL: `+gitopsURL+`, targetRevision: main, ref: self}
  destination: {namespace: a}
`),
		"gitops/values/a.yaml": "level: self\n",
	}, "gitops/charts/echo", echoChart)
	cfg := setup(t, files)
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "one"}} {
		if err := benchgen.Git(cfg.RepoDir, args...); err != nil {
			t.Skip(err)
		}
	}
	v, _, _, _ := echo(t, mustRender(t, cfg, "a"))
	if v["level"] != "self" {
		t.Fatal(v)
	}
}

func TestKubeVersionConstraint(t *testing.T) {
	chart := map[string]string{
		"Chart.yaml":        "apiVersion: v2\nname: modern\nversion: 1.0.0\nkubeVersion: '>=1.28.0-0'\n",
		"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
	}
	cfg := setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml": singleSource("a", "charts/modern", "      kubeVersion: 1.27.3"),
		"gitops/argo-apps/b.yaml": singleSource("b", "charts/modern", "      valueFiles: []"),
	}, "gitops/charts/modern", chart))
	if e := renderErr(t, cfg, "a"); !strings.Contains(e.Error(), "chart requires kubeVersion: >=1.28.0-0 which is incompatible with Kubernetes v1.27.3") || e.File != "charts/modern/Chart.yaml" {
		t.Fatalf("got %v (%s)", e, e.File)
	}
	mustRender(t, cfg, "b")
}

func TestProjectsDiscovered(t *testing.T) {
	files := map[string]string{
		"gitops/argo-apps/projects.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: app, namespace: argocd}\nspec:\n  sourceRepos: ['*']\n---\napiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: tools, namespace: argocd}\nspec: {}\n",
	}
	ws := open(t, setup(t, files), Options{})
	var got []string
	for _, p := range ws.Projects() {
		got = append(got, p.Name+"@"+p.File+":"+strconv.Itoa(p.Line))
	}
	if !reflect.DeepEqual(got, []string{"app@argo-apps/projects.yaml:1", "tools@argo-apps/projects.yaml:7"}) {
		t.Fatal(got)
	}
}

func TestRootRepoWithoutConfiguredURL(t *testing.T) {
	files := withChart(map[string]string{
		"gitops/.gitopsctl.yaml":  "cluster: prod\n",
		"gitops/argo-apps/a.yaml": singleSource("a", "charts/echo", "      valueFiles: []"),
	}, "gitops/charts/echo", echoChart)
	if got := keys(mustRender(t, setup(t, files), "a")); !reflect.DeepEqual(got, []string{"ConfigMap/a/a-echo"}) {
		t.Fatal(got)
	}
}

// Vendored dependencies are usually archives written by `helm dependency build`.
func TestVendoredArchiveDependency(t *testing.T) {
	sub := &chart.Chart{
		Metadata:  &chart.Metadata{APIVersion: "v2", Name: "sub", Version: "1.2.3"},
		Values:    map[string]any{"greeting": "hello"},
		Templates: []*chart.File{{Name: "templates/cm.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-sub}\ndata: {greeting: {{ .Values.greeting }}}\n")}},
	}
	files := map[string]string{
		"gitops/argo-apps/a.yaml":          singleSource("a", "charts/parent", "      values: 'sub: {greeting: hi}'"),
		"gitops/charts/parent/Chart.yaml":  "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n  - {name: sub, version: 1.2.3, repository: https://charts.example.com}\n",
		"gitops/charts/parent/values.yaml": "{}\n",
	}
	cfg := setup(t, files)
	if _, err := chartutil.Save(sub, filepath.Join(cfg.RepoDir, "charts", "parent", "charts")); err != nil {
		t.Fatal(err)
	}
	objs := mustRender(t, cfg, "a")
	if got := keys(objs); !reflect.DeepEqual(got, []string{"ConfigMap/a/a-sub"}) || objs[0].Source != "parent/charts/sub/templates/cm.yaml" {
		t.Fatalf("got %v from %s", got, objs[0].Source)
	}
	if g := objs[0].Object.Object["data"].(map[string]any)["greeting"]; g != "hi" {
		t.Fatalf("greeting %v: parent values must reach the subchart", g)
	}
}

// A file:// dependency that is not vendored is what `helm dependency build`
// (which Argo CD runs on a missing dependency) can fetch offline.
func TestFileDependencyBuiltFromRepo(t *testing.T) {
	files := map[string]string{
		"gitops/argo-apps/a.yaml":               singleSource("a", "charts/app", "      valueFiles: []"),
		"gitops/argo-apps/b.yaml":               singleSource("b", "charts/bad", "      valueFiles: []"),
		"gitops/charts/app/Chart.yaml":          "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - {name: lib, version: 0.1.0, repository: 'file://../lib'}\n",
		"gitops/charts/app/templates/cm.yaml":   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ include \"lib.name\" . }}}\n",
		"gitops/charts/lib/Chart.yaml":          "apiVersion: v2\nname: lib\nversion: 0.1.0\n",
		"gitops/charts/lib/templates/_name.tpl": "{{- define \"lib.name\" -}}{{ .Release.Name }}-from-lib{{- end }}\n",
		"gitops/charts/bad/Chart.yaml":          "apiVersion: v2\nname: bad\nversion: 1.0.0\ndependencies:\n  - {name: lib, version: 0.1.0, repository: 'file://../../../elsewhere'}\n",
		"gitops/charts/bad/templates/cm.yaml":   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
	}
	cfg := setup(t, files)
	if got := keys(mustRender(t, cfg, "a")); !reflect.DeepEqual(got, []string{"ConfigMap/a/a-from-lib"}) {
		t.Fatal(got)
	}
	if e := renderErr(t, cfg, "b"); !strings.Contains(e.Error(), "file 'file://../../../elsewhere' resolved to outside repository root") {
		t.Fatal(e)
	}
}
