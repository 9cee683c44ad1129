package render

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

func TestReadable(t *testing.T) {
	for p, want := range map[string]string{
		"backend/config.yaml":          "",
		"charts/echo/values.yaml":      "",
		"gitignore.txt":                "",
		".github/x.yaml":               "",
		"backend/secrets.local.env":    "a local plaintext file",
		"backend/Secrets.Local.Env":    "a local plaintext file",
		"backend/secrets.local.state":  "a local plaintext file",
		"x.local.env.tmp-1/values.yml": "a local plaintext file",
		".git/config":                  "git's own directory",
		"sub/.GIT/HEAD":                "git's own directory",
		".git":                         "git's own directory",
	} {
		err := Readable(p)
		switch {
		case want == "" && err != nil:
			t.Errorf("Readable(%q) = %v", p, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), p)):
			t.Errorf("Readable(%q) = %v, want %q", p, err, want)
		}
	}
}

// Applications cannot make render read local plaintext or git's own
// files, directly, through a link, through a glob or through a chart.
func TestLocalFilesAreNeverRead(t *testing.T) {
	const plain = "API_KEY=plaintext-hunter2\n"
	readsFile := `apiVersion: v1
kind: ConfigMap
metadata: {name: leak}
data:
  leak: {{ .Files.Get "secrets.local.env" | quote }}
`
	files := withChart(map[string]string{
		"configs/backend/secrets.local.env": plain,
		"configs/backend/innocent.yaml":     "symlink:secrets.local.env",
		"configs/backend/config.yaml":       "level: ok\n",
		"gitops/.git/config":                "[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n",
		"gitops/argo-apps/fp.yaml": multiSource("fp", `        fileParameters:
          - {name: leak, path: $configs/backend/secrets.local.env}`),
		"gitops/argo-apps/vf.yaml":   multiSource("vf", `        valueFiles: [$configs/backend/secrets.local.env]`),
		"gitops/argo-apps/link.yaml": multiSource("link", `        valueFiles: [$configs/backend/innocent.yaml]`),
		"gitops/argo-apps/glob.yaml": multiSource("glob", `        valueFiles: [$configs/backend/*]`),
		"gitops/argo-apps/git.yaml": multiSource("git", `        fileParameters:
          - {name: leak, path: /.git/config}`),
		"gitops/argo-apps/chart.yaml": app("chart", `  sources:
    - repoURL: `+configsURL+`
      path: backend
  destination: {namespace: chart}
`),
		"configs/backend/Chart.yaml":        "apiVersion: v2\nname: leak\nversion: 0.1.0\n",
		"configs/backend/templates/cm.yaml": readsFile,
	}, "gitops/charts/echo", echoChart)
	cfg := setup(t, files)
	for name, want := range map[string]string{
		"fp":    "backend/secrets.local.env is a local plaintext file",
		"vf":    "backend/secrets.local.env is a local plaintext file",
		"link":  "backend/secrets.local.env is a local plaintext file",
		"git":   ".git/config is in git's own directory (.git)",
		"chart": "backend/secrets.local.env is a local plaintext file",
	} {
		t.Run(name, func(t *testing.T) {
			e := renderErr(t, cfg, name)
			msg := e.Error()
			if !strings.Contains(msg, want) || !strings.Contains(msg, "app "+name) {
				t.Fatalf("error = %s\nwant it to name app %s and %q", msg, name, want)
			}
			if strings.Contains(msg, "hunter2") || strings.Contains(msg, "c2VjcmV0") {
				t.Fatalf("error leaks the file: %s", msg)
			}
			var ue *UnreadableError
			if !errors.As(e, &ue) {
				t.Fatalf("error is not an *UnreadableError: %#v", e)
			}
		})
	}
}

// A glob leaves local plaintext out (it is not in git: Argo CD never sees
// it), also through a link.
func TestGlobSkipsLocalFiles(t *testing.T) {
	cfg := setup(t, withChart(map[string]string{
		"configs/backend/secrets.local.env": "leak: plaintext-hunter2\n",
		"configs/backend/x.local.state":     "leak: state-hunter2\n",
		"configs/backend/innocent.yaml":     "symlink:secrets.local.env",
		"configs/backend/config.yaml":       "level: ok\n",
		"gitops/argo-apps/glob.yaml":        multiSource("glob", `        valueFiles: [$configs/backend/*]`),
	}, "gitops/charts/echo", echoChart))
	v, _, _, _ := echo(t, mustRender(t, cfg, "glob"))
	if v["level"] != "ok" || v["leak"] != nil {
		t.Fatalf("values = %v", v)
	}
}

func TestFileNameComponent(t *testing.T) {
	for in, want := range map[string]string{
		"backend-config":                "backend-config",
		"my.app.v1":                     "my.app.v1",
		"Deployment":                    "Deployment",
		"":                              "%",
		".":                             "%2E",
		"..":                            "%2E%2E",
		"...":                           "...",
		"x/../../../somewhere/injected": "x%2F..%2F..%2F..%2Fsomewhere%2Finjected",
		"/etc/passwd":                   "%2Fetc%2Fpasswd",
		`a\b`:                           "a%5Cb",
		"a\x00b":                        "a%00b",
		"a\nb":                          "a%0Ab",
		"100%":                          "100%25",
		"%2E":                           "%252E",
		"c:x":                           "c%3Ax",
	} {
		if got := FileNameComponent(in); got != want {
			t.Errorf("FileNameComponent(%q) = %q, want %q", in, got, want)
		}
	}
}

func obj(app, kind, ns, name string) manifest.Object {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": kind, "metadata": map[string]any{"name": name}}}
	if ns != "" {
		u.SetNamespace(ns)
	}
	return manifest.Object{App: app, Source: "t/templates/x.yaml", Object: u}
}

// Object names and kinds chosen by a chart cannot place a file outside
// the output directory; normal names keep their usual file names.
func TestWriteDirStaysInside(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "a", "out")
	objs := []manifest.Object{
		obj("backend", "ConfigMap", "backend", "backend-config"),
		obj("backend", "ConfigMap", "backend", "x/../../../../injected"),
		obj("backend", "x/../../../../kind", "", "n"),
		obj("..", "ConfigMap", "", "up"),
		obj("backend", "ConfigMap", "../..", "ns"),
		obj("backend", "ConfigMap", "", "/abs"),
	}
	paths, err := WriteDir(out, objs, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"%2E%2E/configmap-up.yaml",
		"backend/configmap-%2Fabs.yaml",
		"backend/configmap-..%2F..-ns.yaml",
		"backend/configmap-backend-backend-config.yaml",
		"backend/configmap-backend-x%2F..%2F..%2F..%2F..%2Finjected.yaml",
		"backend/x%2F..%2F..%2F..%2F..%2Fkind-n.yaml",
	}
	if strings.Join(paths, "\n") != strings.Join(want, "\n") {
		t.Fatalf("paths =\n%s\nwant\n%s", strings.Join(paths, "\n"), strings.Join(want, "\n"))
	}
	var found []string
	filepath.WalkDir(tmp, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(out, p)
			found = append(found, filepath.ToSlash(rel))
		}
		return err
	})
	if strings.Join(found, "\n") != strings.Join(want, "\n") {
		t.Fatalf("files on disk =\n%s", strings.Join(found, "\n"))
	}
}

func TestWriteDirDuplicatesStayDistinct(t *testing.T) {
	a := obj("x", "Thing", "", "n")
	b := obj("x", "Thing", "", "n")
	b.Object.SetAPIVersion("example.com/v1")
	c := obj("x", "Thing", "", "n")
	c.Object.SetAPIVersion("example.com/v2")
	paths, err := WriteDir(t.TempDir(), []manifest.Object{a, b, c}, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(paths, " "); got != "x/thing-n.example.com.2.yaml x/thing-n.example.com.yaml x/thing-n.yaml" {
		t.Fatal(got)
	}
}

func TestWriteDirRefusesLinks(t *testing.T) {
	tmp := t.TempDir()
	out, elsewhere := filepath.Join(tmp, "out"), filepath.Join(tmp, "elsewhere")
	for _, d := range []string{out, elsewhere} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(elsewhere, filepath.Join(out, "backend")); err != nil {
		t.Fatal(err)
	}
	_, err := WriteDir(out, []manifest.Object{obj("backend", "ConfigMap", "", "c")}, WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), "refusing to write into "+filepath.Join(out, "backend")+": it is a symbolic link") {
		t.Fatalf("err = %v", err)
	}
	if ents, _ := os.ReadDir(elsewhere); len(ents) != 0 {
		t.Fatalf("wrote through the link: %v", ents)
	}
}
