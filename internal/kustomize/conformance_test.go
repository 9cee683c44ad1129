package kustomize

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
)

// cliVersions maps the kustomize API module version to the kustomize CLI
// release built from it (the CLI module sigs.k8s.io/kustomize/kustomize/v5
// requires exactly that API version).
var cliVersions = map[string]string{
	"v0.21.1": "v5.8.1",
	"v0.21.2": "v5.8.2",
}

var (
	cliOnce sync.Once
	cliPath string
	cliErr  error
)

// kustomizeCLI builds the kustomize CLI from the same kustomize API module
// version this package links (scripts/build-module-cli.sh, in a scratch
// copy of go.mod; the build fails if that would move a kustomize module
// gitopsctl requires), or skips the test when it cannot be built here.
func kustomizeCLI(t *testing.T) string {
	t.Helper()
	cliOnce.Do(func() {
		v, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "sigs.k8s.io/kustomize/api").Output()
		if err != nil {
			cliErr = fmt.Errorf("go list -m sigs.k8s.io/kustomize/api: %v", err)
			return
		}
		api := strings.TrimSpace(string(v))
		ver, ok := cliVersions[api]
		if !ok {
			cliErr = fmt.Errorf("no kustomize CLI release is known for sigs.k8s.io/kustomize/api %q: add it to cliVersions", api)
			return
		}
		if cliPath, cliErr = buildModuleCLI("kustomize", "sigs.k8s.io/kustomize/kustomize/v5", "sigs.k8s.io/kustomize/kustomize/v5@"+ver, "sigs.k8s.io/kustomize/"); cliErr != nil {
			return
		}
		v, err = exec.Command(cliPath, "version").Output()
		if err != nil || !strings.Contains(string(v), ver) {
			cliErr = fmt.Errorf("%s version: %q (%v), want %s", cliPath, v, err, ver)
		}
	})
	if cliErr != nil {
		t.Skipf("cannot build the kustomize CLI for the conformance test: %v", cliErr)
	}
	return cliPath
}

// buildModuleCLI builds a command-line tool from the module versions go.mod
// requires (scripts/build-module-cli.sh NAME PKG [ARGS...]) and returns the
// binary's path.
func buildModuleCLI(args ...string) (string, error) {
	root, err := filepath.Abs("../..")
	if err != nil {
		return "", err
	}
	cmd := exec.Command("bash", append([]string{filepath.Join(root, "scripts", "build-module-cli.sh")}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%v\n%s", err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// argoEdits runs, in the kustomization directory, the commands Argo CD's
// Build (util/kustomize/kustomize.go in argoproj/argo-cd) runs for the
// options: the test's own translation of it, used as the oracle.
func argoEdits(t *testing.T, cli, dir string, o *Options, subst func(string) string) {
	t.Helper()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(cli, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("kustomize %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	pairs := func(m map[string]string, f func(string) string) []string {
		var out []string
		for k, v := range m {
			out = append(out, k+":"+f(v))
		}
		sort.Strings(out)
		return out
	}
	id := func(s string) string { return s }
	if o.NamePrefix != "" {
		run("edit", "set", "nameprefix", "--", o.NamePrefix)
	}
	if o.NameSuffix != "" {
		run("edit", "set", "namesuffix", "--", o.NameSuffix)
	}
	if len(o.Images) > 0 {
		args := []string{"edit", "set", "image"}
		for _, im := range o.Images {
			args = append(args, subst(im))
		}
		run(args...)
	}
	if len(o.Replicas) > 0 {
		args := []string{"edit", "set", "replicas"}
		for _, r := range o.Replicas {
			n, err := r.count()
			if err != nil {
				t.Fatal(err)
			}
			args = append(args, fmt.Sprintf("%s=%d", r.Name, n))
		}
		run(args...)
	}
	if len(o.CommonLabels) > 0 {
		args := []string{"edit", "add", "label"}
		if o.ForceCommonLabels {
			args = append(args, "--force")
		}
		if o.LabelWithoutSelector {
			args = append(args, "--without-selector")
		}
		if o.LabelIncludeTemplates {
			args = append(args, "--include-templates")
		}
		run(append(args, pairs(o.CommonLabels, subst)...)...)
	}
	if len(o.CommonAnnotations) > 0 {
		args := []string{"edit", "add", "annotation"}
		if o.ForceCommonAnnotations {
			args = append(args, "--force")
		}
		f := id
		if o.CommonAnnotationsEnvsubst {
			f = subst
		}
		run(append(args, pairs(o.CommonAnnotations, f)...)...)
	}
	if o.Namespace != "" {
		run("edit", "set", "namespace", "--", o.Namespace)
	}
	if len(o.Patches) > 0 {
		// There is no edit command for patches: Argo CD appends them to the
		// file's patches: list through a generic YAML map.
		name := ""
		for _, n := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
			if _, err := os.Stat(filepath.Join(dir, n)); err == nil && name == "" {
				name = n
			}
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var k map[string]any
		if err := yaml.Unmarshal(data, &k); err != nil {
			t.Fatal(err)
		}
		list, _ := k["patches"].([]any)
		for _, p := range o.Patches {
			b, _ := yaml.Marshal(p)
			var m any
			if err := yaml.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			list = append(list, m)
		}
		k["patches"] = list
		out, err := yaml.Marshal(k)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(o.Components) > 0 {
		comps := o.Components
		if o.IgnoreMissingComponents {
			comps = nil
			for _, c := range o.Components {
				if _, err := os.Stat(filepath.Join(dir, c)); err == nil {
					comps = append(comps, c)
				}
			}
		}
		if len(comps) > 0 {
			run(append([]string{"edit", "add", "component"}, comps...)...)
		}
	}
}

// cliBuild is "kustomize build DIR [ARGS]" decoded as Argo CD decodes it.
// helm, run by kustomize for helmCharts, sees no kubeconfig: its namespace
// is then "default".
func cliBuild(t *testing.T, cli, root, dir string, b BuildOptions, extra ...string) ([]map[string]any, error) {
	t.Helper()
	args := []string{"build", dir}
	if b.LoadRestrictionsNone {
		args = append(args, "--load-restrictor", "LoadRestrictionsNone")
	}
	args = append(args, extra...)
	cmd := exec.Command(cli, args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "KUBECONFIG="+filepath.Join(root, ".no-kubeconfig"), "HELM_NAMESPACE=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, stderr.String())
	}
	var objs []map[string]any
	for _, d := range argo.SplitDocuments(out) {
		o, err := argo.DecodeObject(d.Data)
		if err != nil {
			t.Fatalf("decode CLI output: %v\n%s", err, d.Data)
		}
		if o != nil {
			objs = append(objs, o)
		}
	}
	return objs, nil
}

// conform builds dir of files both ways: with the CLI after Argo CD's
// edits, and with Build. They must agree object for object, in order.
func conform(t *testing.T, files map[string]string, dir string, o *Options) {
	t.Helper()
	cli := kustomizeCLI(t)
	subst := func(s string) string { return strings.ReplaceAll(s, "$ARGOCD_APP_REVISION", "0123abc") }
	r := tree(t, files)
	got, err := Build(Request{Repo: r, Dir: dir, Options: o, Envsubst: subst})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	// The CLI works on a copy, as Argo CD does.
	cp := tree(t, files).Root
	if o != nil {
		argoEdits(t, cli, filepath.Join(cp, dir), o, subst)
	}
	want, err := cliBuild(t, cli, cp, dir, BuildOptions{})
	if err != nil {
		t.Fatalf("kustomize build: %v", err)
	}
	diffObjects(t, got.Objects, want)
}

func diffObjects(t *testing.T, got, want []map[string]any) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d objects, the CLI %d", len(got), len(want))
	}
	for i := 0; i < len(got) && i < len(want); i++ {
		if !reflect.DeepEqual(got[i], want[i]) {
			g, _ := yaml.Marshal(got[i])
			w, _ := yaml.Marshal(want[i])
			t.Errorf("object %d differs:\n--- Build\n%s--- CLI\n%s", i, g, w)
		}
	}
}

// The acceptance case: an images override renders identically to
// the kustomize CLI after Argo CD's edits.
func TestConformanceImages(t *testing.T) {
	files := app(map[string]string{"apps/web/kustomization.yaml": "resources: [../../base]\nimages: [{name: nginx, newName: mirror/nginx}, {name: busybox, newTag: '1'}]\n"})
	conform(t, files, "apps/web", &Options{Images: []string{
		"nginx:1.27.$ARGOCD_APP_REVISION",
		"registry.example.com/tools/sidecar=ghcr.io/acme/sidecar:2@sha256:" + strings.Repeat("b", 64),
		"busybox=*:2",
	}})
}

func TestConformanceOptions(t *testing.T) {
	withComp := app(map[string]string{
		"components/mon/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations: {monitored: 'true'}\n",
		"components/ha/kustomization.yaml":  "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nreplicas: [{name: web, count: 3}]\n",
	})
	own := app(map[string]string{"apps/web/kustomization.yaml": `resources: [../../base]
namePrefix: own-
commonLabels: {team: own}
commonAnnotations: {owner: own}
replicas: [{name: web, count: 2}]
patches:
- target: {kind: Service}
  patch: |-
    - op: add
      path: /spec/type
      value: NodePort
`})
	for _, tc := range []struct {
		name  string
		files map[string]string
		o     *Options
	}{
		{"none", app(nil), nil},
		{"name prefix and suffix", own, &Options{NamePrefix: "dev-", NameSuffix: "-x"}},
		{"labels forced", own, &Options{CommonLabels: map[string]string{"team": "a", "rev": "$ARGOCD_APP_REVISION"}, ForceCommonLabels: true}},
		{"labels without selector", own, &Options{CommonLabels: map[string]string{"tier": "web"}, LabelWithoutSelector: true}},
		{"labels in templates", own, &Options{CommonLabels: map[string]string{"tier": "web"}, LabelWithoutSelector: true, LabelIncludeTemplates: true}},
		{"annotations", own, &Options{CommonAnnotations: map[string]string{"owner": "x", "rev": "$ARGOCD_APP_REVISION"}, ForceCommonAnnotations: true}},
		{"annotations envsubst", app(nil), &Options{CommonAnnotations: map[string]string{"rev": "$ARGOCD_APP_REVISION"}, CommonAnnotationsEnvsubst: true}},
		{"namespace", own, &Options{Namespace: "team-a"}},
		{"replicas", own, &Options{Replicas: []Replica{{Name: "web", Count: []byte(`"5"`)}}}},
		{"patches", own, &Options{Patches: mustPatches(t, `[{"target": {"kind": "Deployment"}, "patch": "- op: replace\n  path: /spec/replicas\n  value: 9\n"}]`)}},
		{"components", withComp, &Options{Components: []string{"../../components/*"}}},
		{"components ignore missing", withComp, &Options{Components: []string{"../../components/none", "../../components/mon"}, IgnoreMissingComponents: true}},
		{"everything", own, &Options{NamePrefix: "p-", Images: []string{"nginx:2"}, CommonLabels: map[string]string{"x": "y"},
			CommonAnnotations: map[string]string{"a": "b"}, Namespace: "ns", Replicas: []Replica{{Name: "web", Count: []byte("4")}}}},
	} {
		t.Run(tc.name, func(t *testing.T) { conform(t, tc.files, "apps/web", tc.o) })
	}
}

// Kustomizations using generators, name references, replacements and
// strategic-merge patches build as the CLI builds them, with and without
// the Application's options on top.
func TestConformanceFeatures(t *testing.T) {
	files := app(map[string]string{
		"apps/web/kustomization.yaml": `resources: [../../base]
configMapGenerator:
- name: web-config
  literals: [LOG_LEVEL=info]
  files: [app.properties]
secretGenerator:
- name: web-secret
  envs: [secret.env]
patchesStrategicMerge:
- |-
  apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web}
  spec:
    template:
      spec:
        containers:
        - name: web
          envFrom:
          - configMapRef: {name: web-config}
          - secretRef: {name: web-secret}
replacements:
- source: {kind: Deployment, name: web, fieldPath: metadata.name}
  targets:
  - select: {kind: Service}
    fieldPaths: [spec.selector.app]
`,
		"apps/web/app.properties": "color=blue\n",
		"apps/web/secret.env":     "TOKEN=not-a-real-secret\n",
	})
	conform(t, files, "apps/web", nil)
	conform(t, files, "apps/web", &Options{NamePrefix: "p-", Namespace: "ns", CommonLabels: map[string]string{"team": "a"}})
}

func mustPatches(t *testing.T, js string) []types.Patch {
	t.Helper()
	o, err := ParseOptions(map[string]any{"patches": mustJSON(t, js)})
	if err != nil {
		t.Fatal(err)
	}
	return o.Patches
}

func mustJSON(t *testing.T, js string) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(js), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestConformanceCorpus builds every kustomization below
// $GITOPSCTL_KUSTOMIZE_CORPUS (a checkout of public kustomize apps, never
// committed) both ways, without options, and compares: a development aid
// whose differences become cases of their own in this file.
func TestConformanceCorpus(t *testing.T) {
	corpus := os.Getenv("GITOPSCTL_KUSTOMIZE_CORPUS")
	if corpus == "" {
		t.Skip("GITOPSCTL_KUSTOMIZE_CORPUS is not set")
	}
	cli := kustomizeCLI(t)
	r, err := gitrepo.Open(corpus, "")
	if err != nil {
		t.Fatal(err)
	}
	r.Deny = deny
	var dirs []string
	err = filepath.WalkDir(corpus, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.IsDir() && (d.Name() == "kustomization.yaml" || d.Name() == "kustomization.yml" || d.Name() == "Kustomization") {
			rel, _ := filepath.Rel(corpus, filepath.Dir(p))
			dirs = append(dirs, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	same, both, differ := 0, 0, 0
	for _, dir := range dirs {
		got, gerr := Build(Request{Repo: r, Dir: dir})
		want, werr := cliBuild(t, cli, corpus, dir, BuildOptions{})
		switch {
		case gerr != nil && werr != nil:
			both++
			t.Logf("%s: both fail\n  Build: %v\n  CLI: %v", dir, gerr, firstLine(werr.Error()))
		case gerr != nil || werr != nil:
			differ++
			t.Errorf("%s: Build error %v, CLI error %v", dir, gerr, werr)
		default:
			if reflect.DeepEqual(got.Objects, want) {
				same++
			} else {
				differ++
				t.Errorf("%s: outputs differ", dir)
				diffObjects(t, got.Objects, want)
			}
		}
	}
	t.Logf("%d kustomizations: %d identical, %d fail both ways, %d differ", len(dirs), same, both, differ)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
