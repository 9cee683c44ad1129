package render

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
	"github.com/gitopsctl/gitopsctl/internal/render/benchgen"
)

const (
	gitopsURL  = "https://github.com/acme/gitops-repo.git"
	configsURL = "https://github.com/acme/configs-repo.git"
	otherURL   = "https://example.com/acme/other.git"
)

const testConfig = `cluster: prod
gitopsRepo:  { url: ` + gitopsURL + ` }
configsRepo: { url: ` + configsURL + `, path: ../configs }
capabilities:
  kubeVersion: v1.30.4
  apiVersions: [argoproj.io/v1alpha1, bitnami.com/v1alpha1]
repos:
  ` + otherURL + `: ../other
  https://charts.example.com/stable/redis: ../vendor/redis
`

const testRoot = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: root-app
  namespace: argocd
spec:
  project: default
  source:
    repoURL: ` + gitopsURL + `
    path: argo-apps
    directory:
      recurse: true
  destination:
    server: https://kubernetes.default.svc
    namespace: argocd
`

// echoChart renders its values, release and capabilities into a ConfigMap.
var echoChart = map[string]string{
	"Chart.yaml":  "apiVersion: v2\nname: echo\nversion: 0.1.0\n",
	"values.yaml": "level: chart\nfromChart: true\nnested:\n  a: chart\n  b: chart\n",
	"templates/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-echo
data:
  values: {{ toJson .Values | quote }}
  release: {{ toJson .Release | quote }}
  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}
  apiVersions: {{ toJson .Capabilities.APIVersions | quote }}
`,
	"templates/NOTES.txt": "Thanks for installing {{ .Release.Name }}.\n",
}

// setup writes the files (keys prefixed gitops/, configs/, other/, ...)
// under a temp dir, adding the default config and root app when missing,
// and loads the config.
func setup(t testing.TB, files map[string]string) *config.Loaded {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{"gitops/.gitopsctl.yaml": testConfig, "gitops/root-app.yaml": testRoot}
	for k, v := range files {
		all[k] = v
	}
	for _, d := range []string{"gitops", "configs", "other"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFiles(t, dir, all)
	cfg, err := config.Load(config.Options{RepoDir: filepath.Join(dir, "gitops")})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(data, "symlink:") {
			if err := os.Symlink(strings.TrimPrefix(data, "symlink:"), p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// withChart adds a chart's files under prefix.
func withChart(files map[string]string, prefix string, chart map[string]string) map[string]string {
	for k, v := range chart {
		files[prefix+"/"+k] = v
	}
	return files
}

func open(t *testing.T, cfg *config.Loaded, o Options) *Workspace {
	t.Helper()
	o.Config = cfg
	if o.Charts == nil {
		// No test touches the network: remote charts come from an empty
		// offline cache unless a test serves them.
		o.Charts = testCache(t, t.TempDir(), true)
	}
	ws, err := Open(context.Background(), o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return ws
}

// renderApp opens the workspace and renders one app.
func renderApp(t *testing.T, cfg *config.Loaded, name string) Result {
	t.Helper()
	ws := open(t, cfg, Options{})
	rs, err := ws.Render(context.Background(), name)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return rs[0]
}

func mustRender(t *testing.T, cfg *config.Loaded, name string) []manifest.Object {
	t.Helper()
	r := renderApp(t, cfg, name)
	if r.Err != nil {
		t.Fatalf("render %s: %v", name, r.Err)
	}
	return r.Objects
}

func renderErr(t *testing.T, cfg *config.Loaded, name string) *Error {
	t.Helper()
	r := renderApp(t, cfg, name)
	if r.Err == nil {
		t.Fatalf("render %s: want an error, got %d objects", name, len(r.Objects))
	}
	var e *Error
	if !errors.As(r.Err, &e) {
		t.Fatalf("error is %T, want *Error: %v", r.Err, r.Err)
	}
	return e
}

// echo returns the decoded data of the echo chart's ConfigMap.
func echo(t *testing.T, objs []manifest.Object) (values, release map[string]any, kube string, apis []string) {
	t.Helper()
	for _, o := range objs {
		if o.Object.GetKind() != "ConfigMap" || !strings.HasSuffix(o.Object.GetName(), "-echo") {
			continue
		}
		data := o.Object.Object["data"].(map[string]any)
		if err := json.Unmarshal([]byte(data["values"].(string)), &values); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(data["release"].(string)), &release); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(data["apiVersions"].(string)), &apis); err != nil {
			t.Fatal(err)
		}
		return values, release, data["kubeVersion"].(string), apis
	}
	t.Fatalf("no echo ConfigMap among %d objects", len(objs))
	return
}

// app builds an Application manifest with the given spec body (indented
// two spaces under spec:).
func app(name, spec string) string {
	return "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: " + name +
		"\n  namespace: argocd\nspec:\n" + spec
}

func keys(objs []manifest.Object) []string {
	var out []string
	for _, o := range objs {
		k := o.Key()
		out = append(out, k.Kind+"/"+k.Namespace+"/"+k.Name)
	}
	return out
}

// seedRepos generates the seed-shaped repositories with n services.
func seedRepos(t testing.TB, n int, git bool) *config.Loaded {
	t.Helper()
	dir := t.TempDir()
	if err := benchgen.Generate(dir, benchgen.Options{Services: n, Git: git}); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(config.Options{RepoDir: filepath.Join(dir, "gitops-repo")})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
