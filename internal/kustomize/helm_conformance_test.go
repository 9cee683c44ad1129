package kustomize_test

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/charts"
	"github.com/gitopsctl/gitopsctl/internal/charts/chartstest"
	"github.com/gitopsctl/gitopsctl/internal/kustomize"
	"github.com/gitopsctl/gitopsctl/internal/render"
)

var (
	helmOnce sync.Once
	helmPath string
	helmErr  error
)

// helmCLI builds the helm CLI from the helm module go.mod requires
// (scripts/build-module-cli.sh), for kustomize to run, or skips the test.
func helmCLI(t *testing.T) string {
	t.Helper()
	helmOnce.Do(func() {
		helmPath, helmErr = kustomize.BuildModuleCLI("helm", "helm.sh/helm/v3/cmd/helm")
	})
	if helmErr != nil {
		t.Skipf("cannot build the helm CLI for the conformance test: %v", helmErr)
	}
	return helmPath
}

// chartFiles reads a test chart below testdata/helm, placed at dir.
func chartFiles(t *testing.T, name, dir string) map[string]string {
	t.Helper()
	src := filepath.Join("testdata", "helm", name)
	out := map[string]string{}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out[path.Join(dir, filepath.ToSlash(rel))] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func merged(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// helmCase is a repository and the kustomization to build in it.
type helmCase struct {
	name  string
	files map[string]string
	dir   string
	o     *kustomize.Options
	// kube and apis are Argo CD's --helm-kube-version and
	// --helm-api-versions.
	kube string
	apis []string
	load bool // --load-restrictor LoadRestrictionsNone
}

// conformHelm builds c with Build (charts inflated by render's Helm) and
// with "kustomize build --enable-helm --helm-command <helm CLI>" after
// Argo CD's edits: object for object, in order.
func conformHelm(t *testing.T, c helmCase, cache *charts.Cache) {
	t.Helper()
	cli := kustomize.KustomizeCLI(t)
	helm := helmCLI(t)
	b := kustomize.BuildOptions{EnableHelm: true, LoadRestrictionsNone: c.load}
	got, err := kustomize.Build(kustomize.Request{Repo: kustomize.Tree(t, c.files), Dir: c.dir, Options: c.o, Build: b,
		Helm: render.KustomizeHelm(cache), KubeVersion: c.kube, APIVersions: c.apis})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	cp := kustomize.Tree(t, c.files).Root
	if c.o != nil {
		kustomize.ArgoEdits(t, cli, filepath.Join(cp, c.dir), c.o, func(s string) string { return s })
	}
	args := []string{"--enable-helm", "--helm-command", helm}
	if c.kube != "" {
		args = append(args, "--helm-kube-version", c.kube)
	}
	for _, a := range c.apis {
		args = append(args, "--helm-api-versions", a)
	}
	want, err := kustomize.CLIBuild(t, cli, cp, c.dir, b, args...)
	if err != nil {
		t.Fatalf("kustomize build: %v", err)
	}
	if len(want) == 0 {
		t.Fatal("the CLI built nothing: not a test")
	}
	kustomize.DiffObjects(t, got.Objects, want)
}

const deploymentYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: acme/api:1
`

func TestConformanceHelmCharts(t *testing.T) {
	web := chartFiles(t, "web", "app/charts/web")
	kust := func(k string) map[string]string { return map[string]string{"app/kustomization.yaml": k} }
	cases := []helmCase{
		{name: "chart in chartHome", files: merged(web, kust("helmCharts:\n- name: web\n  releaseName: shop\n"))},
		{name: "valuesInline override", files: merged(web, kust(`helmCharts:
- name: web
  releaseName: shop
  valuesInline:
    replicaCount: 3
    config: {color: red, flags: [x]}
    env: [{name: MODE, value: dev}]
    extra: {big: 1000000, ratio: 0.5, on: true}
`))},
		{name: "valuesInline merge", files: merged(web, kust(`helmCharts:
- name: web
  releaseName: shop
  valuesMerge: merge
  valuesInline:
    replicaCount: 3
    config: {color: red, new: yes}
    env: [{name: MODE, value: dev}, {name: EXTRA, value: "1"}]
`))},
		{name: "valuesInline replace", files: merged(web, kust(`helmCharts:
- name: web
  releaseName: shop
  valuesMerge: replace
  valuesInline:
    config: {color: green}
`))},
		{name: "valuesFile and additionalValuesFiles", files: merged(web, kust(`helmCharts:
- name: web
  releaseName: shop
  valuesFile: values/base.yaml
  additionalValuesFiles: [values/more.yaml]
  valuesInline: {image: {tag: "2.0"}}
`), map[string]string{
			"app/values/base.yaml": "replicaCount: 2\nimage: {repository: mirror/nginx, tag: '1.26'}\nconfig: {color: base, size: 1, flags: [q]}\nservice: {type: NodePort, port: 81}\nlabels: {}\nenv: [{name: A, value: b}]\n",
			"app/values/more.yaml": "config: {size: 9}\nlabels: {team: more}\n",
		})},
		{name: "includeCRDs skipTests", files: merged(web, kust("helmCharts:\n- {name: web, releaseName: shop, includeCRDs: true, skipTests: true}\n"))},
		{name: "skipHooks", files: merged(web, kust("helmCharts:\n- {name: web, releaseName: shop, includeCRDs: true, skipHooks: true}\n"))},
		{name: "entry namespace", files: merged(web, kust("helmCharts:\n- {name: web, releaseName: shop, namespace: store}\n"))},
		{name: "kustomization namespace", files: merged(web, kust("namespace: team\nhelmCharts:\n- {name: web, releaseName: shop}\nresources: [api.yaml]\n"), map[string]string{"app/api.yaml": deploymentYAML})},
		{name: "namespace handed down", dir: "overlay", files: merged(web, kust("helmCharts:\n- {name: web, releaseName: shop}\n"), map[string]string{
			"overlay/kustomization.yaml": "namespace: prod\nnamePrefix: prod-\nresources: [../app]\n",
		})},
		{name: "resources patches namePrefix", files: merged(web, kust(`resources: [api.yaml]
namePrefix: p-
commonLabels: {team: shop}
helmCharts:
- name: web
  releaseName: shop
  valuesInline: {replicaCount: 2}
patches:
- target: {kind: Deployment, name: shop-web}
  patch: |-
    - op: replace
      path: /spec/replicas
      value: 5
- patch: |-
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: shop-web}
    data: {color: patched}
configMapGenerator:
- name: settings
  literals: [A=1]
`), map[string]string{"app/api.yaml": deploymentYAML})},
		{name: "Argo CD options", files: merged(web, kust("helmCharts:\n- {name: web, releaseName: shop}\nresources: [api.yaml]\n"), map[string]string{"app/api.yaml": deploymentYAML}),
			o: &kustomize.Options{NamePrefix: "a-", Namespace: "argo", Images: []string{"nginx=mirror/nginx:9"}, CommonLabels: map[string]string{"env": "dev"}}},
		{name: "dependency vendored in charts/", files: merged(chartFiles(t, "stack", "app/charts/stack"), kust("helmCharts:\n- {name: stack, releaseName: st, valuesInline: {cache: {size: 4}}}\n"))},
		{name: "two charts and chartHome", files: merged(chartFiles(t, "web", "app/vendor/web"), chartFiles(t, "stack", "app/vendor/stack"),
			kust("helmGlobals: {chartHome: vendor}\nhelmCharts:\n- {name: web, releaseName: one}\n- {name: stack, releaseName: two}\n"))},
		{name: "version and repo: the pulled copy", files: merged(chartFiles(t, "web", "app/charts/web-1.0.0/web"),
			kust("helmCharts:\n- {name: web, releaseName: shop, version: 1.0.0, repo: https://charts.example.com}\n"))},
		{name: "nameTemplate", files: merged(web, kust("helmCharts:\n- {name: web, nameTemplate: '{{ printf \"tpl-%s\" \"x\" }}'}\n"))},
		{name: "capabilities from the entry", files: merged(web, kust("helmCharts:\n- {name: web, releaseName: shop, kubeVersion: '1.29.3', apiVersions: [monitoring.coreos.com/v1, monitoring.coreos.com/v1/ServiceMonitor]}\n"))},
		{name: "capabilities from Argo CD", kube: "1.30.2", apis: []string{"monitoring.coreos.com/v1", "monitoring.coreos.com/v1/ServiceMonitor"},
			files: merged(web, kust("helmCharts:\n- {name: web, releaseName: shop}\n"))},
		{name: "the entry's capabilities win over Argo CD's", kube: "1.30.2", apis: []string{"monitoring.coreos.com/v1", "monitoring.coreos.com/v1/ServiceMonitor"},
			files: merged(web, kust("helmCharts:\n- {name: web, releaseName: shop, kubeVersion: '1.22.0', apiVersions: [other/v1]}\n"))},
		{name: "originAnnotations", dir: "overlay", files: merged(web, kust("helmCharts:\n- {name: web, releaseName: shop}\nresources: [api.yaml]\n"), map[string]string{
			"app/api.yaml":                                deploymentYAML,
			"overlay/kustomization.yaml":                  "buildMetadata: [originAnnotations]\nresources: [../app]\nhelmCharts:\n- {name: web, releaseName: top}\n",
			"overlay/charts/web/Chart.yaml":               web["app/charts/web/Chart.yaml"],
			"overlay/charts/web/values.yaml":              web["app/charts/web/values.yaml"],
			"overlay/charts/web/templates/configmap.yaml": web["app/charts/web/templates/configmap.yaml"],
			"overlay/charts/web/templates/_helpers.tpl":   web["app/charts/web/templates/_helpers.tpl"],
		})},
		{name: "chartHome outside, LoadRestrictionsNone", dir: "app", load: true, files: merged(chartFiles(t, "web", "shared/web"),
			kust("helmGlobals: {chartHome: ../shared}\nhelmCharts:\n- {name: web, releaseName: shop}\n"))},
	}
	for _, c := range cases {
		if c.dir == "" {
			c.dir = "app"
		}
		t.Run(c.name, func(t *testing.T) { conformHelm(t, c, nil) })
	}
}

// A chart absent from chartHome is pulled: kustomize runs helm pull from
// the repository, gitopsctl takes it from its chart cache.
func TestConformanceHelmChartsPull(t *testing.T) {
	repo := chartstest.NewHelmRepo(t)
	files := map[string]string{}
	for k, v := range chartFiles(t, "web", "") {
		files[strings.TrimPrefix(k, "/")] = v
	}
	repo.Add(t, chartstest.Package(t, files))
	cache, err := charts.New(charts.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{
		"helmCharts:\n- {name: web, releaseName: shop, repo: " + repo.URL + ", version: 1.0.0, valuesInline: {replicaCount: 2}}\n",
		"helmCharts:\n- {name: web, releaseName: shop, repo: " + repo.URL + "}\n",
	} {
		conformHelm(t, helmCase{files: map[string]string{"app/kustomization.yaml": k}, dir: "app"}, cache)
	}
	// Offline, the cached chart still renders; an uncached one is an error
	// naming the chart, the repository and how to get it.
	off, err := charts.New(charts.Options{Dir: cache.Dir(), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	h := render.KustomizeHelm(off)
	build := func(k string) error {
		_, err := kustomize.Build(kustomize.Request{Repo: kustomize.Tree(t, map[string]string{"app/kustomization.yaml": k}), Dir: "app",
			Build: kustomize.BuildOptions{EnableHelm: true}, Helm: h})
		return err
	}
	if err := build("helmCharts:\n- {name: web, releaseName: shop, repo: " + repo.URL + ", version: 1.0.0}\n"); err != nil {
		t.Errorf("offline, cached: %v", err)
	}
	err = build("helmCharts:\n- {name: web, releaseName: shop, repo: " + repo.URL + ", version: 2.0.0}\n")
	for _, want := range []string{"app/kustomization.yaml: helmCharts[0] (web)", "chart web 2.0.0 from " + repo.URL, "--offline", charts.PullCommand, "helm pull"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("offline, not cached: error %v, want %q in it", err, want)
		}
	}
}
