package kustomize

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
)

// deny stands in for render.Readable: local plaintext files and git's own
// directory are never read.
func deny(p string) error {
	if strings.HasSuffix(p, ".local.env") {
		return errors.New(p + " is a local plaintext file")
	}
	for _, c := range strings.Split(p, "/") {
		if c == ".git" {
			return errors.New(p + " is in .git")
		}
	}
	return nil
}

// tree writes files (slash paths; a value starting with "->" makes a
// symbolic link to the rest) under a new directory and opens it as a
// working-tree view.
func tree(t *testing.T, files map[string]string) *gitrepo.Repo {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(c, "->"); ok {
			if err := os.Symlink(target, full); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := gitrepo.Open(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	r.Deny = deny
	return r
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
      - name: side
        image: registry.example.com/tools/sidecar:1.0
`

const service = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
`

// app is a base and an overlay using it.
func app(extra map[string]string) map[string]string {
	files := map[string]string{
		"base/kustomization.yaml":     "resources: [deployment.yaml, service.yaml]\n",
		"base/deployment.yaml":        deployment,
		"base/service.yaml":           service,
		"apps/web/kustomization.yaml": "resources: [../../base]\n",
	}
	for k, v := range extra {
		files[k] = v
	}
	return files
}

func build(t *testing.T, r *gitrepo.Repo, dir string, o *Options) *Result {
	t.Helper()
	res, err := Build(Request{Repo: r, Dir: dir, Options: o})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return res
}

func buildErr(t *testing.T, r *gitrepo.Repo, dir string, o *Options, b BuildOptions) error {
	t.Helper()
	_, err := Build(Request{Repo: r, Dir: dir, Options: o, Build: b})
	if err == nil {
		t.Fatal("Build succeeded, want an error")
	}
	t.Logf("error: %v", err)
	return err
}

// find returns the object of a kind.
func find(t *testing.T, res *Result, kind string) map[string]any {
	t.Helper()
	for _, o := range res.Objects {
		if o["kind"] == kind {
			return o
		}
	}
	t.Fatalf("no %s in %d objects", kind, len(res.Objects))
	return nil
}

func get(o map[string]any, p ...any) any {
	var cur any = o
	for _, k := range p {
		switch k := k.(type) {
		case string:
			m, _ := cur.(map[string]any)
			cur = m[k]
		case int:
			l, _ := cur.([]any)
			if k >= len(l) {
				return nil
			}
			cur = l[k]
		}
	}
	return cur
}

func images(o map[string]any) []string {
	var out []string
	for i := 0; ; i++ {
		img := get(o, "spec", "template", "spec", "containers", i, "image")
		if img == nil {
			return out
		}
		out = append(out, img.(string))
	}
}

func TestBuildPlain(t *testing.T) {
	r := tree(t, app(nil))
	res := build(t, r, "apps/web", nil)
	if len(res.Objects) != 2 {
		t.Fatalf("got %d objects, want 2", len(res.Objects))
	}
	// Legacy order, as the CLI: Service before Deployment.
	if res.Objects[0]["kind"] != "Service" || res.Objects[1]["kind"] != "Deployment" {
		t.Errorf("order: %v, %v", res.Objects[0]["kind"], res.Objects[1]["kind"])
	}
	if got := get(find(t, res, "Deployment"), "spec", "replicas"); got != int64(1) {
		t.Errorf("replicas decoded as %T %v, want int64 1", got, got)
	}
	if want := []string{"apps/web", "base"}; !reflect.DeepEqual(res.Kustomizations, want) {
		t.Errorf("kustomizations %v, want %v", res.Kustomizations, want)
	}
	want := []string{"apps/web/kustomization.yaml", "base/deployment.yaml", "base/kustomization.yaml", "base/service.yaml"}
	if !reflect.DeepEqual(res.Files, want) {
		t.Errorf("files %v, want %v", res.Files, want)
	}
}

func TestImages(t *testing.T) {
	for _, tc := range []struct {
		name   string
		own    string // images: of the kustomization
		images []string
		want   []string
	}{
		{"tag", "", []string{"nginx:1.27"}, []string{"nginx:1.27", "registry.example.com/tools/sidecar:1.0"}},
		{"new name and tag", "", []string{"nginx=ghcr.io/acme/nginx:2"}, []string{"ghcr.io/acme/nginx:2", "registry.example.com/tools/sidecar:1.0"}},
		{"digest", "", []string{"registry.example.com/tools/sidecar@sha256:" + strings.Repeat("a", 64)},
			[]string{"nginx:1.25", "registry.example.com/tools/sidecar@sha256:" + strings.Repeat("a", 64)}},
		{"env", "", []string{"nginx:$ARGOCD_APP_REVISION"}, []string{"nginx:abc123", "registry.example.com/tools/sidecar:1.0"}},
		// An argument replaces the kustomization's entry of the same name.
		{"replaces own", "images: [{name: nginx, newName: mirror/nginx, newTag: '9'}]\n", []string{"nginx:1.27"},
			[]string{"nginx:1.27", "registry.example.com/tools/sidecar:1.0"}},
		// "*" keeps the kustomization's own value.
		{"preserve name", "images: [{name: nginx, newName: mirror/nginx, newTag: '9'}]\n", []string{"nginx=*:1.27"},
			[]string{"mirror/nginx:1.27", "registry.example.com/tools/sidecar:1.0"}},
		// Entries not named stay.
		{"others stay", "images: [{name: nginx, newTag: '9'}]\n", []string{"registry.example.com/tools/sidecar:2.0"},
			[]string{"nginx:9", "registry.example.com/tools/sidecar:2.0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tree(t, app(map[string]string{"apps/web/kustomization.yaml": "resources: [../../base]\n" + tc.own}))
			res, err := Build(Request{Repo: r, Dir: "apps/web", Options: &Options{Images: tc.images},
				Envsubst: func(s string) string { return strings.ReplaceAll(s, "$ARGOCD_APP_REVISION", "abc123") }})
			if err != nil {
				t.Fatal(err)
			}
			if got := images(find(t, res, "Deployment")); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("images %v, want %v", got, tc.want)
			}
		})
	}
	r := tree(t, app(nil))
	err := buildErr(t, r, "apps/web", &Options{Images: []string{"nginx"}}, BuildOptions{})
	if !strings.Contains(err.Error(), "apps/web/kustomization.yaml") || !strings.Contains(err.Error(), `"nginx": invalid format of image`) {
		t.Errorf("error %q", err)
	}
}

func TestNamePrefixSuffix(t *testing.T) {
	r := tree(t, app(map[string]string{"apps/web/kustomization.yaml": "resources: [../../base]\nnamePrefix: own-\n"}))
	res := build(t, r, "apps/web", &Options{NamePrefix: "dev-", NameSuffix: "-v2"})
	for _, o := range res.Objects {
		if n := get(o, "metadata", "name"); n != "dev-web-v2" {
			t.Errorf("%s name %v, want dev-web-v2 (the option replaces the kustomization's prefix)", o["kind"], n)
		}
	}
}

func TestCommonLabels(t *testing.T) {
	r := tree(t, app(nil))
	res := build(t, r, "apps/web", &Options{CommonLabels: map[string]string{"team": "a", "rev": "$ARGOCD_APP_REVISION"}})
	d := find(t, res, "Deployment")
	if get(d, "metadata", "labels", "team") != "a" || get(d, "spec", "selector", "matchLabels", "team") != "a" {
		t.Errorf("commonLabels go into labels and selectors: %v", d)
	}
	if get(d, "metadata", "labels", "rev") != "$ARGOCD_APP_REVISION" {
		t.Errorf("without Envsubst the value stays: %v", get(d, "metadata", "labels"))
	}

	// Without selector: labels: entry, selectors untouched; with
	// includeTemplates the pod template gets it.
	res = build(t, r, "apps/web", &Options{CommonLabels: map[string]string{"team": "a"}, LabelWithoutSelector: true})
	d = find(t, res, "Deployment")
	if get(d, "metadata", "labels", "team") != "a" || get(d, "spec", "selector", "matchLabels", "team") != nil || get(d, "spec", "template", "metadata", "labels", "team") != nil {
		t.Errorf("labelWithoutSelector: %v", d)
	}
	res = build(t, r, "apps/web", &Options{CommonLabels: map[string]string{"team": "a"}, LabelWithoutSelector: true, LabelIncludeTemplates: true})
	d = find(t, res, "Deployment")
	if get(d, "spec", "selector", "matchLabels", "team") != nil || get(d, "spec", "template", "metadata", "labels", "team") != "a" {
		t.Errorf("labelIncludeTemplates: %v", d)
	}
	err := buildErr(t, r, "apps/web", &Options{CommonLabels: map[string]string{"team": "a"}, LabelIncludeTemplates: true}, BuildOptions{})
	if !strings.Contains(err.Error(), "labelWithoutSelector") {
		t.Errorf("error %q", err)
	}

	// An existing key needs force.
	r = tree(t, app(map[string]string{"apps/web/kustomization.yaml": "resources: [../../base]\ncommonLabels: {team: own}\n"}))
	err = buildErr(t, r, "apps/web", &Options{CommonLabels: map[string]string{"team": "a"}}, BuildOptions{})
	if !strings.Contains(err.Error(), "label team already in kustomization file") || !strings.Contains(err.Error(), "apps/web/kustomization.yaml") {
		t.Errorf("error %q", err)
	}
	res = build(t, r, "apps/web", &Options{CommonLabels: map[string]string{"team": "a"}, ForceCommonLabels: true})
	if got := get(find(t, res, "Service"), "metadata", "labels", "team"); got != "a" {
		t.Errorf("forced label %v", got)
	}
}

func TestCommonAnnotations(t *testing.T) {
	r := tree(t, app(map[string]string{"apps/web/kustomization.yaml": "resources: [../../base]\ncommonAnnotations: {owner: own}\n"}))
	sub := func(s string) string { return strings.ReplaceAll(s, "$ARGOCD_APP_NAME", "web") }
	res, err := Build(Request{Repo: r, Dir: "apps/web", Envsubst: sub,
		Options: &Options{CommonAnnotations: map[string]string{"app": "$ARGOCD_APP_NAME", "owner": "x"}, ForceCommonAnnotations: true}})
	if err != nil {
		t.Fatal(err)
	}
	s := find(t, res, "Service")
	if get(s, "metadata", "annotations", "app") != "$ARGOCD_APP_NAME" || get(s, "metadata", "annotations", "owner") != "x" {
		t.Errorf("annotations %v", get(s, "metadata", "annotations"))
	}
	res, err = Build(Request{Repo: r, Dir: "apps/web", Envsubst: sub,
		Options: &Options{CommonAnnotations: map[string]string{"app": "$ARGOCD_APP_NAME"}, CommonAnnotationsEnvsubst: true}})
	if err != nil {
		t.Fatal(err)
	}
	if got := get(find(t, res, "Service"), "metadata", "annotations", "app"); got != "web" {
		t.Errorf("commonAnnotationsEnvsubst: %v", got)
	}
	err = buildErr(t, r, "apps/web", &Options{CommonAnnotations: map[string]string{"owner": "x"}}, BuildOptions{})
	if !strings.Contains(err.Error(), "annotation owner already in kustomization file") {
		t.Errorf("error %q", err)
	}
}

func TestNamespace(t *testing.T) {
	r := tree(t, app(nil))
	res := build(t, r, "apps/web", &Options{Namespace: "team-a"})
	for _, o := range res.Objects {
		if ns := get(o, "metadata", "namespace"); ns != "team-a" {
			t.Errorf("%s namespace %v", o["kind"], ns)
		}
	}
}

func TestReplicas(t *testing.T) {
	r := tree(t, app(map[string]string{"apps/web/kustomization.yaml": "resources: [../../base]\nreplicas: [{name: web, count: 7}]\n"}))
	o, err := ParseOptions(map[string]any{"replicas": []any{map[string]any{"name": "web", "count": "3"}}})
	if err != nil {
		t.Fatal(err)
	}
	res := build(t, r, "apps/web", o)
	if got := get(find(t, res, "Deployment"), "spec", "replicas"); got != int64(3) {
		t.Errorf("replicas %v, want 3", got)
	}
	o, err = ParseOptions(map[string]any{"replicas": []any{map[string]any{"name": "web", "count": 4}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := get(find(t, build(t, r, "apps/web", o), "Deployment"), "spec", "replicas"); got != int64(4) {
		t.Errorf("replicas %v, want 4", got)
	}
	_, err = ParseOptions(map[string]any{"replicas": []any{map[string]any{"name": "web", "count": "three"}}})
	if err == nil || !strings.Contains(err.Error(), "expected integer value for count. Received: three") {
		t.Errorf("error %v", err)
	}
}

func TestPatches(t *testing.T) {
	r := tree(t, app(map[string]string{"apps/web/kustomization.yaml": `resources: [../../base]
patches:
- target: {kind: Deployment}
  patch: |-
    - op: replace
      path: /spec/replicas
      value: 5
`}))
	o, err := ParseOptions(map[string]any{"patches": []any{map[string]any{
		"target": map[string]any{"kind": "Service", "name": "web"},
		"patch":  "- op: add\n  path: /metadata/annotations\n  value: {patched: 'yes'}\n",
	}}})
	if err != nil {
		t.Fatal(err)
	}
	res := build(t, r, "apps/web", o)
	if got := get(find(t, res, "Deployment"), "spec", "replicas"); got != int64(5) {
		t.Errorf("the kustomization's own patch is kept: replicas %v", got)
	}
	if got := get(find(t, res, "Service"), "metadata", "annotations", "patched"); got != "yes" {
		t.Errorf("the option's patch is appended: %v", got)
	}
}

func TestComponents(t *testing.T) {
	files := app(map[string]string{
		"components/mon/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations: {monitored: 'true'}\n",
	})
	r := tree(t, files)
	res := build(t, r, "apps/web", &Options{Components: []string{"../../components/mon"}})
	if got := get(find(t, res, "Service"), "metadata", "annotations", "monitored"); got != "true" {
		t.Errorf("component not applied: %v", got)
	}
	// A glob expands.
	res = build(t, r, "apps/web", &Options{Components: []string{"../../components/*"}})
	if got := get(find(t, res, "Service"), "metadata", "annotations", "monitored"); got != "true" {
		t.Errorf("component glob not applied: %v", got)
	}
	err := buildErr(t, r, "apps/web", &Options{Components: []string{"../../components/missing"}}, BuildOptions{})
	if !strings.Contains(err.Error(), `component "../../components/missing" has no match`) {
		t.Errorf("error %q", err)
	}
	res = build(t, r, "apps/web", &Options{Components: []string{"../../components/missing", "../../components/mon"}, IgnoreMissingComponents: true})
	if got := get(find(t, res, "Service"), "metadata", "annotations", "monitored"); got != "true" {
		t.Errorf("ignoreMissingComponents keeps the others: %v", got)
	}
	if want := []string{"apps/web", "base", "components/mon"}; !reflect.DeepEqual(res.Kustomizations, want) {
		t.Errorf("kustomizations %v, want %v", res.Kustomizations, want)
	}
	err = buildErr(t, r, "apps/web", &Options{Components: []string{"github.com/acme/components//mon?ref=v1"}}, BuildOptions{})
	var re *RemoteError
	if !errors.As(err, &re) || re.Ref != "github.com/acme/components//mon?ref=v1" {
		t.Errorf("error %q, want a RemoteError", err)
	}
}

func TestRemoteRefused(t *testing.T) {
	for _, ref := range []string{
		"github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.0.0",
		"https://github.com/acme/base.git",
		"git@github.com:acme/base.git",
		"ssh://git@example.com/acme/base.git",
		"git::https://example.com/acme/base",
		"https://example.com/manifests/deploy.yaml",
	} {
		r := tree(t, app(map[string]string{"apps/web/kustomization.yaml": "resources:\n- ../../base\n- " + ref + "\n"}))
		err := buildErr(t, r, "apps/web", nil, BuildOptions{})
		var re *RemoteError
		if !errors.As(err, &re) || re.Ref != ref || re.File != "apps/web/kustomization.yaml" || re.Field != "resources" {
			t.Errorf("%s: error %q, want a RemoteError naming it", ref, err)
		}
	}
	// In a base reached through a local path too.
	r := tree(t, app(map[string]string{"base/kustomization.yaml": "resources: [deployment.yaml]\ncomponents: [https://github.com/acme/c]\n"}))
	err := buildErr(t, r, "apps/web", nil, BuildOptions{})
	if !strings.Contains(err.Error(), `base/kustomization.yaml: components: remote kustomize base "https://github.com/acme/c"`) {
		t.Errorf("error %q", err)
	}
	// Generator files from the web.
	r = tree(t, app(map[string]string{"apps/web/kustomization.yaml": "resources: [../../base]\nconfigMapGenerator: [{name: c, files: [conf=https://example.com/c.conf]}]\n"}))
	err = buildErr(t, r, "apps/web", nil, BuildOptions{})
	if !strings.Contains(err.Error(), `configMapGenerator: remote kustomize base "https://example.com/c.conf"`) {
		t.Errorf("error %q", err)
	}
	for _, local := range []string{"../../base", "github/base", "gitlab.com-copy/base"} {
		if isRemote(local) {
			t.Errorf("isRemote(%q) = true", local)
		}
	}
}

func TestHelmCharts(t *testing.T) {
	r := tree(t, app(map[string]string{"apps/web/kustomization.yaml": "resources: [../../base]\nhelmCharts: [{name: redis, repo: https://charts.example.com, version: 1.0.0}]\n"}))
	err := buildErr(t, r, "apps/web", nil, BuildOptions{})
	var he *HelmChartsError
	if !errors.As(err, &he) || !strings.Contains(err.Error(), "--enable-helm") || !strings.Contains(err.Error(), "apps/web/kustomization.yaml: helmCharts (redis)") {
		t.Errorf("error %q", err)
	}
	if !strings.Contains(err.Error(), "must specify --enable-helm") {
		t.Errorf("error %q: kustomize's own words", err)
	}
	// Enabled, without a Helm to inflate with.
	err = buildErr(t, r, "apps/web", nil, BuildOptions{EnableHelm: true})
	if !strings.Contains(err.Error(), "apps/web/kustomization.yaml: helmCharts[0] (redis): helmCharts are not inflated here") {
		t.Errorf("error %q", err)
	}
}

func TestConfinement(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"local plaintext", map[string]string{
			"apps/web/kustomization.yaml": "resources: [../../base]\nsecretGenerator: [{name: s, envs: [web.local.env]}]\n",
			"apps/web/web.local.env":      "PASSWORD=hunter2\n",
		}, "web.local.env is a local plaintext file"},
		{"link out", map[string]string{
			"apps/web/kustomization.yaml": "resources: [../../base, secret.yaml]\n",
			"apps/web/secret.yaml":        "->" + filepath.Join(outside, "secret.yaml"),
		}, "resolved to outside repository root"},
		{"above root", map[string]string{
			"apps/web/kustomization.yaml": "resources: [../../../outside]\n",
		}, "resolves to outside the repository root"},
		{"git dir", map[string]string{
			"apps/web/kustomization.yaml": "resources: [../../.git/config]\n",
			".git/config":                 "[core]\n",
		}, ".git/config is in .git"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tree(t, app(tc.files))
			err := buildErr(t, r, "apps/web", nil, BuildOptions{})
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error shows the secret: %q", err)
			}
		})
	}
	// LoadRestrictionsRootOnly (the default) keeps a kustomization to files
	// under its own directory; LoadRestrictionsNone lifts that inside the
	// repository.
	files := app(map[string]string{
		"apps/web/kustomization.yaml": "resources: [../../base/service.yaml]\n",
	})
	r := tree(t, files)
	err := buildErr(t, r, "apps/web", nil, BuildOptions{})
	if !strings.Contains(err.Error(), "security; file") && !strings.Contains(err.Error(), "is not in or below") {
		t.Errorf("root-only error %q", err)
	}
	res, err := Build(Request{Repo: r, Dir: "apps/web", Build: BuildOptions{LoadRestrictionsNone: true}})
	if err != nil || len(res.Objects) != 1 {
		t.Fatalf("LoadRestrictionsNone: %v, %v", res, err)
	}
}

func TestRevision(t *testing.T) {
	r := tree(t, app(nil))
	dir := r.Root
	git := func(args ...string) {
		t.Helper()
		cmd := execGit(dir, args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "init")
	// The working tree changes; the revision does not.
	if err := os.WriteFile(filepath.Join(dir, "base/kustomization.yaml"), []byte("resources: [service.yaml]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rev, err := gitrepo.Open(dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(build(t, rev, "apps/web", nil).Objects); n != 2 {
		t.Errorf("at HEAD: %d objects, want 2", n)
	}
	wt, err := gitrepo.Open(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(build(t, wt, "apps/web", nil).Objects); n != 1 {
		t.Errorf("working tree: %d objects, want 1", n)
	}
	// The edit of the kustomization never reaches the disk.
	before, _ := os.ReadFile(filepath.Join(dir, "apps/web/kustomization.yaml"))
	build(t, wt, "apps/web", &Options{NamePrefix: "x-"})
	after, _ := os.ReadFile(filepath.Join(dir, "apps/web/kustomization.yaml"))
	if string(before) != string(after) {
		t.Errorf("kustomization on disk changed: %q", after)
	}
}

func TestParseOptions(t *testing.T) {
	o, err := ParseOptions(map[string]any{"namePrefix": "a-", "images": []any{"nginx:1"}, "patches": []any{map[string]any{
		"path": "p.yaml", "target": map[string]any{"group": "apps", "version": "v1", "kind": "Deployment", "labelSelector": "a=b"},
		"options": map[string]any{"allowNameChange": true}}}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := yaml.Marshal(o.Patches)
	if want := "- options:\n    allowNameChange: true\n  path: p.yaml\n  target:\n    group: apps\n    kind: Deployment\n    labelSelector: a=b\n    version: v1\n"; string(b) != want {
		t.Errorf("patches decode as\n%s\nwant\n%s", b, want)
	}
	if _, err := ParseOptions(map[string]any{"namePrefx": "a-"}); err == nil || !strings.Contains(err.Error(), `unknown field "namePrefx"`) {
		t.Errorf("misspelt option: %v", err)
	}
	if o, err := ParseOptions(nil); o != nil || err != nil {
		t.Errorf("nil: %v %v", o, err)
	}
	r := tree(t, app(nil))
	res := build(t, r, "apps/web", &Options{Version: "v4.5.7"})
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "kustomize.version") {
		t.Errorf("warnings %q", res.Warnings)
	}
}

func TestParseBuildOptions(t *testing.T) {
	for in, want := range map[string]BuildOptions{
		"":              {},
		"--enable-helm": {EnableHelm: true},
		"--enable-helm --load-restrictor LoadRestrictionsNone": {EnableHelm: true, LoadRestrictionsNone: true},
		"--load-restrictor=LoadRestrictionsNone":               {LoadRestrictionsNone: true},
		"--load-restrictor LoadRestrictionsRootOnly":           {},
	} {
		got, err := ParseBuildOptions(in)
		if err != nil || got != want {
			t.Errorf("%q: %+v, %v; want %+v", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"--enable-alpha-plugins":     `"--enable-alpha-plugins" is not supported offline`,
		"--load-restrictor":          "needs a value",
		"--load-restrictor Anything": `unknown value "Anything"`,
		"--enable-helm=maybe":        "not a boolean",
	} {
		if _, err := ParseBuildOptions(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", in, err, want)
		}
	}
}

func TestMissingKustomization(t *testing.T) {
	r := tree(t, map[string]string{"apps/web/kustomization.yaml": "resources: []\n", "apps/web/Kustomization": "resources: []\n"})
	err := buildErr(t, r, "apps/web", &Options{NamePrefix: "a-"}, BuildOptions{})
	if !strings.Contains(err.Error(), "multiple kustomization files") {
		t.Errorf("error %q", err)
	}
	r = tree(t, map[string]string{"apps/web/x.yaml": ""})
	err = buildErr(t, r, "apps/web", nil, BuildOptions{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %q", err)
	}
}

func execGit(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
	return cmd
}

func TestParseRemote(t *testing.T) {
	for ref, want := range map[string][3]string{
		"github.com/acme/bases//web?ref=v1":                {"https://github.com/acme/bases", "web", "v1"},
		"github.com/acme/bases/web/prod":                   {"https://github.com/acme/bases", "web/prod", ""},
		"https://git.example.com/acme/bases.git//web":      {"https://git.example.com/acme/bases.git", "web", ""},
		"https://git.example.com/acme/bases.git/web?ref=x": {"https://git.example.com/acme/bases.git", "web", "x"},
		"git@github.com:acme/bases.git//web?version=v2":    {"git@github.com:acme/bases.git", "web", "v2"},
		"ssh://git@example.com/acme/bases//a/b":            {"ssh://git@example.com/acme/bases", "a/b", ""},
		"git::https://example.com/acme/bases":              {"https://example.com/acme/bases", ".", ""},
	} {
		u, d, r, err := parseRemote(ref)
		if err != nil || [3]string{u, d, r} != want {
			t.Errorf("%s: %q %q %q %v, want %q", ref, u, d, r, err, want)
		}
	}
	for _, bad := range []string{"github.com/acme", "file:///srv/bases", "github.com/acme/bases//../x"} {
		if _, _, _, err := parseRemote(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// A remote base with a local checkout is served from it, at its ref.
func TestRemoteServed(t *testing.T) {
	bases := tree(t, map[string]string{"web/kustomization.yaml": "resources: [deploy.yaml]\n", "web/deploy.yaml": deployment})
	r := tree(t, map[string]string{"apps/web/kustomization.yaml": "resources: ['github.com/acme/bases//web?ref=v1']\nnamePrefix: x-\n"})
	var asked []string
	repos := func(url, rev string) (*gitrepo.Repo, error) {
		asked = append(asked, url+"@"+rev)
		if url == "https://github.com/acme/bases" {
			return bases, nil
		}
		return nil, nil
	}
	res, err := Build(Request{Repo: r, Dir: "apps/web", Repos: repos, Options: &Options{Images: []string{"nginx:2"}}})
	if err != nil {
		t.Fatal(err)
	}
	d := find(t, res, "Deployment")
	if get(d, "metadata", "name") != "x-web" || images(d)[0] != "nginx:2" {
		t.Errorf("deployment %v", d)
	}
	if !reflect.DeepEqual(asked, []string{"https://github.com/acme/bases@v1"}) {
		t.Errorf("asked %v", asked)
	}
	if !reflect.DeepEqual(res.Kustomizations, []string{"apps/web"}) {
		t.Errorf("kustomizations %v", res.Kustomizations)
	}
	// Unknown repository: the remote error stays.
	r = tree(t, map[string]string{"apps/web/kustomization.yaml": "resources: ['github.com/other/bases//web']\n"})
	_, err = Build(Request{Repo: r, Dir: "apps/web", Repos: repos})
	var re *RemoteError
	if !errors.As(err, &re) {
		t.Errorf("error %v, want a RemoteError", err)
	}
	// A directory the checkout lacks.
	r = tree(t, map[string]string{"apps/web/kustomization.yaml": "resources: ['github.com/acme/bases//nope']\n"})
	err = buildErrWith(t, Request{Repo: r, Dir: "apps/web", Repos: repos})
	if !strings.Contains(err.Error(), `resources: remote kustomize base "github.com/acme/bases//nope": directory nope does not exist in`) {
		t.Errorf("error %q", err)
	}
}

func buildErrWith(t *testing.T, req Request) error {
	t.Helper()
	_, err := Build(req)
	if err == nil {
		t.Fatal("Build succeeded, want an error")
	}
	return err
}
