package render

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	kubeyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/templates"
)

var (
	helmOnce sync.Once
	helmPath string
	helmErr  error
)

// buildHelm builds the helm CLI from the helm module version pinned in this
// repository's go.mod, with exactly the same dependency versions: it copies
// go.mod and go.sum into a scratch module and runs go build there (missing
// go.sum lines of the CLI-only dependencies are fetched into the scratch
// copy, never into the repository). The binary is cached by go.sum hash.
func buildHelm(t testing.TB) string {
	helmOnce.Do(func() {
		gomod, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			helmErr = err
			return
		}
		modFile := strings.TrimSpace(string(gomod))
		mod, err := os.ReadFile(modFile)
		if err != nil {
			helmErr = err
			return
		}
		sum, err := os.ReadFile(filepath.Join(filepath.Dir(modFile), "go.sum"))
		if err != nil {
			helmErr = err
			return
		}
		h := sha256.Sum256(append(append([]byte{}, mod...), sum...))
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		dst := filepath.Join(cache, "gitopsctl-test", "helm-"+hex.EncodeToString(h[:8]))
		if _, err := os.Stat(dst); err == nil {
			helmPath = dst
			return
		}
		scratch, err := os.MkdirTemp("", "helm-build-*")
		if err != nil {
			helmErr = err
			return
		}
		defer os.RemoveAll(scratch)
		mod = regexp.MustCompile(`(?m)^module .*$`).ReplaceAll(mod, []byte("module helmbuild"))
		if err := os.WriteFile(filepath.Join(scratch, "go.mod"), mod, 0o644); err != nil {
			helmErr = err
			return
		}
		if err := os.WriteFile(filepath.Join(scratch, "go.sum"), sum, 0o644); err != nil {
			helmErr = err
			return
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			helmErr = err
			return
		}
		cmd := exec.Command("go", "build", "-o", dst+".tmp", "helm.sh/helm/v3/cmd/helm")
		cmd.Dir = scratch
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			helmErr = &buildError{err: err, out: string(out)}
			return
		}
		helmErr = os.Rename(dst+".tmp", dst)
		helmPath = dst
	})
	if helmErr != nil {
		t.Skipf("cannot build the helm CLI from the helm module in go.mod (needed for the conformance test): %v", helmErr)
	}
	return helmPath
}

type buildError struct {
	err error
	out string
}

func (b *buildError) Error() string { return b.err.Error() + "\n" + b.out }

// argoHelmArgs builds the helm template command line Argo CD would run for
// a single Helm source (the test's own translation of the rules, used as the
// oracle): value files resolve against the chart dir or $configs root.
func argoHelmArgs(t *testing.T, ws *Workspace, a *App, scratch string) (chartDir string, args []string) {
	t.Helper()
	var src argo.ApplicationSource
	for _, s := range a.Sources {
		if s.Ref == "" {
			src = s
		}
	}
	cfg := ws.cfg
	chartDir = filepath.Join(cfg.RepoDir, src.Path)
	h := src.Helm
	if h == nil {
		h = &argo.ApplicationSourceHelm{}
	}
	name := a.Name
	if h.ReleaseName != "" {
		name = h.ReleaseName
	}
	args = []string{"template", ".", "--name-template", name, "--namespace", a.Application.Spec.Destination.Namespace,
		"--kube-version", cfg.Capabilities.KubeVersion}
	for _, p := range h.Parameters {
		flag := "--set"
		if p.ForceString {
			flag = "--set-string"
		}
		args = append(args, flag, p.Name+"="+argoEscapeCommas(p.Value))
	}
	for _, vf := range h.ValueFiles {
		if rest, ok := strings.CutPrefix(vf, "$configs/"); ok {
			args = append(args, "--values", filepath.Join(cfg.ConfigsDir, rest))
		} else {
			args = append(args, "--values", filepath.Join(chartDir, vf))
		}
	}
	var inline []byte
	if h.ValuesObject != nil {
		inline = h.ValuesObject.Raw
	} else if h.Values != "" {
		inline = []byte(h.Values)
	}
	if inline != nil {
		p := filepath.Join(scratch, a.Name+"-values.yaml")
		if err := os.WriteFile(p, inline, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--values", p)
	}
	for _, v := range cfg.Capabilities.APIVersions {
		args = append(args, "--api-versions", v)
	}
	if !h.SkipCrds {
		args = append(args, "--include-crds")
	}
	if h.SkipTests {
		args = append(args, "--skip-tests")
	}
	return chartDir, args
}

// argoEscapeCommas is the test's own statement of Argo CD's --set escaping:
// a comma not already preceded by a backslash gets one, unless the whole
// value is a {...} list.
func argoEscapeCommas(v string) string {
	if strings.HasPrefix(v, "{") && strings.HasSuffix(v, "}") {
		return v
	}
	var b strings.Builder
	prev := rune(0)
	for _, r := range v {
		if r == ',' && prev != '\\' {
			b.WriteRune('\\')
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// TestConformanceWithHelmCLI renders each Helm app of the golden repos
// and of the printing conformance charts (testdata/conformance: block
// scalars at the end of documents, comment-only and whitespace-only output,
// separators and markers, "---" in strings, empty maps and lists, List
// kinds, CRLF, tabs after values, a BOM, YAML 1.1 scalars, null and comma
// parameters, CRD files, hooks, test hooks, duplicates) with gitopsctl and
// with `helm template` (the CLI built from the same helm module) called with
// Argo CD's flags, reads the CLI's printed output as Argo CD does, and
// compares object for object, string values exactly. Namespaces the Argo CD
// controller fills in are compared only where helm set them.
func TestConformanceWithHelmCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the helm CLI")
	}
	helm := buildHelm(t)
	t.Run("golden", func(t *testing.T) {
		conformance(t, helm, goldenRepos(t), "backend", "webapp", "widget-operator")
	})
	t.Run("printing", func(t *testing.T) {
		cfg := conformanceRepos(t)
		apps, err := os.ReadDir(filepath.Join("testdata", "conformance", "gitops", "argo-apps"))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range apps {
			names = append(names, strings.TrimSuffix(a.Name(), ".yaml"))
		}
		if len(names) < 7 {
			t.Fatalf("only %d conformance apps", len(names))
		}
		conformance(t, helm, cfg, names...)
	})
}

// conformanceRepos copies testdata/conformance/gitops to a temp dir (with
// an empty configs-repo next to it). charts/service is the scaffolded
// service chart: its templates, tests and schema come from the embedded
// templates new-service writes (so the test follows every change to them);
// testdata holds only its Chart.yaml and values files.
func conformanceRepos(t *testing.T) *config.Loaded {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "gitops"), os.DirFS(filepath.Join("testdata", "conformance", "gitops"))); err != nil {
		t.Fatal(err)
	}
	copyServiceChart(t, filepath.Join(dir, "gitops", "charts", "service"))
	if err := os.MkdirAll(filepath.Join(dir, "configs"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(config.Options{RepoDir: filepath.Join(dir, "gitops")})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func conformance(t *testing.T, helm string, cfg *config.Loaded, apps ...string) {
	ws := open(t, cfg, Options{})
	rs, err := ws.Render(context.Background(), apps...)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(apps) {
		t.Fatalf("rendered %d apps, want %d", len(rs), len(apps))
	}
	scratch := t.TempDir()
	for _, r := range rs {
		t.Run(r.App.Name, func(t *testing.T) {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			dir, args := argoHelmArgs(t, ws, r.App, scratch)
			cmd := exec.Command(helm, args...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+scratch, "HELM_CONFIG_HOME="+scratch, "HELM_DATA_HOME="+scratch, "KUBECONFIG="+filepath.Join(scratch, "none"))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
			}
			want := helmObjects(t, out)
			got := map[string]map[string]any{}
			for _, o := range r.Objects {
				k := objKey(o.Object)
				if _, dup := got[k]; dup {
					t.Fatalf("duplicate %s", k)
				}
				got[k] = roundTrip(t, o.Object.Object)
			}
			if len(got) != len(want) {
				t.Errorf("gitopsctl rendered %d objects, helm %d", len(got), len(want))
			}
			for k := range got {
				if _, ok := want[k]; !ok {
					t.Errorf("%s: rendered by gitopsctl, not by helm", k)
				}
			}
			for k, w := range want {
				g, ok := got[k]
				if !ok {
					t.Errorf("%s: rendered by helm, missing from gitopsctl", k)
					continue
				}
				if ns, _, _ := unstructured.NestedString(w, "metadata", "namespace"); ns == "" {
					unstructured.RemoveNestedField(g, "metadata", "namespace")
				}
				if !reflect.DeepEqual(g, w) {
					gy, _ := yaml.Marshal(g)
					wy, _ := yaml.Marshal(w)
					t.Errorf("%s differs:\n--- helm\n%s\n--- gitopsctl\n%s", k, wy, gy)
				}
			}
		})
	}
}

func objKey(u *unstructured.Unstructured) string {
	return u.GetAPIVersion() + "/" + u.GetKind() + "/" + u.GetName()
}

func roundTrip(t *testing.T, m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// helmObjects reads helm's printed output as Argo CD reads it (the test's
// own statement of it): Kubernetes' YAML-or-JSON stream decoder, empty and
// null documents dropped, every document an object; an object whose items
// is a list is replaced by its items, one with null items and no spec or
// status dropped. Of repeated keys the last wins.
func helmObjects(t *testing.T, out []byte) map[string]map[string]any {
	t.Helper()
	m := map[string]map[string]any{}
	d := kubeyaml.NewYAMLOrJSONDecoder(bytes.NewReader(out), 4096)
	for {
		var ext runtime.RawExtension
		if err := d.Decode(&ext); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatalf("helm output: %v\n%s", err, out)
		}
		raw := bytes.TrimSpace(ext.Raw)
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(raw, u); err != nil {
			t.Fatalf("helm output: %v\n%s", err, raw)
		}
		items := []*unstructured.Unstructured{u}
		if list, ok := u.Object["items"].([]any); ok {
			items = nil
			for _, it := range list {
				items = append(items, &unstructured.Unstructured{Object: it.(map[string]any)})
			}
		} else if v, ok := u.Object["items"]; ok && v == nil && u.Object["spec"] == nil && u.Object["status"] == nil {
			items = nil
		}
		for _, it := range items {
			m[objKey(it)] = roundTrip(t, it.Object)
		}
	}
	return m
}

// copyServiceChart writes the embedded service chart's files that
// new-service copies as they are (every file but the *.tmpl ones) under dst.
func copyServiceChart(t *testing.T, dst string) {
	t.Helper()
	chart, err := fs.Sub(templates.FS, "chart")
	if err != nil {
		t.Fatal(err)
	}
	err = fs.WalkDir(chart, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".tmpl") {
			return err
		}
		data, err := fs.ReadFile(chart, p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
