package templates

import (
	"io/fs"
	"strings"
	"testing"
)

// The service chart ships exactly the files of the seed's chart pattern.
func TestChartFiles(t *testing.T) {
	var got []string
	err := fs.WalkDir(FS, Chart, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			got = append(got, strings.TrimPrefix(p, Chart+"/"))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		".helmignore", "Chart.yaml.tmpl",
		"templates/_helpers.tpl", "templates/analysis-template.yaml", "templates/configmap.yaml",
		"templates/hpa.yaml", "templates/httproute.yaml", "templates/ingress.yaml", "templates/rollout.yaml",
		"templates/sealedsecret.yaml", "templates/service-active.yaml", "templates/service-preview.yaml",
		"templates/serviceaccount.yaml", "templates/test-configmap.yaml",
		"tests/smoke.js", "values.schema.json", "values.yaml.tmpl",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("chart files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, name := range []string{Application, PlatformApplication, AppProject, RootApp, ConfigValues, SecretsValues} {
		if _, err := fs.Stat(FS, name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
