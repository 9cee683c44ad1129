package render

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
)

// The raw scan that decides whether discovery must render a chart agrees
// with the loaded chart, and falls back to loading for packaged subcharts.
func TestScanChartMayRenderApps(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"plain/Chart.yaml":                     "apiVersion: v2\nname: plain\nversion: 0.1.0\n",
		"plain/values.yaml":                    "kind: Application\n", // values do not count
		"plain/templates/cm.yaml":              "kind: ConfigMap\n",
		"plain/templates/_helpers.tpl":         "{{/* Application name (a comment) */}}\n",
		"json/Chart.yaml":                      "apiVersion: v2\nname: json\nversion: 0.1.0\n",
		"json/templates/app.json":              "{\"apiVersion\": \"argoproj.io/v1alpha1\", \"kind\": \"Application\"}\n",
		"quoted/Chart.yaml":                    "apiVersion: v2\nname: quoted\nversion: 0.1.0\n",
		"quoted/templates/x.yaml":              "kind: \"{{ .Values.kind }}\"\n",
		"apps/Chart.yaml":                      "apiVersion: v2\nname: apps\nversion: 0.1.0\n",
		"apps/templates/app.yaml":              "kind: Application\n",
		"sub/Chart.yaml":                       "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
		"sub/charts/child/Chart.yaml":          "apiVersion: v2\nname: child\nversion: 0.1.0\n",
		"sub/charts/child/templates/proj.yaml": "kind: AppProject\n",
		"dyn/Chart.yaml":                       "apiVersion: v2\nname: dyn\nversion: 0.1.0\n",
		"dyn/templates/x.yaml":                 "kind: {{ .Values.kind }}\n",
		"tgz/Chart.yaml":                       "apiVersion: v2\nname: tgz\nversion: 0.1.0\n",
		"tgz/charts/child-0.1.0.tgz":           "not really a tarball",
	}
	for p, c := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := gitrepo.Open(root, "")
	if err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]bool{"plain": false, "apps": true, "sub": true, "dyn": true, "json": true, "quoted": true} {
		sc := doScanChart(r, dir)
		if sc.err != nil || sc.packaged {
			t.Errorf("%s: would fall back to loading the chart (err %v, packaged %v)", dir, sc.err, sc.packaged)
		}
		if sc.mentions != want {
			t.Errorf("%s: got %v, want %v", dir, sc.mentions, want)
		}
	}
	if sc := doScanChart(r, "tgz"); !sc.packaged {
		t.Errorf("packaged subchart not seen: %+v", sc)
	}
}
