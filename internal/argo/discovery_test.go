package argo

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
)

func TestDiscoverType(t *testing.T) {
	root := t.TempDir()
	write := func(p string) {
		t.Helper()
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("x: 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("both/Chart.yaml")
	write("both/kustomization.yaml")
	write("both/templates/cm.yaml")
	write("chart/Chart.yaml")
	write("suffix/fooChart.yaml")
	write("kyml/kustomization.yml")
	write("kcap/Kustomization")
	// "Kustomization" sorts before "myChart.yaml": the chart name wins.
	write("kthenchart/Kustomization")
	write("kthenchart/myChart.yaml")
	write("plain/deploy.yaml")
	write("plain/Chart.yaml.bak")
	write("plain/sub/Chart.yaml")
	write("plain/sub/kustomization.yaml")
	if err := os.MkdirAll(filepath.Join(root, "dirnamed/Chart.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("dirnamed/a.yaml")
	write("linked/a.yaml")
	if err := os.Symlink("../plain", filepath.Join(root, "linked", "Chart.yaml")); err != nil {
		t.Fatal(err)
	}
	r, err := gitrepo.Open(root, "")
	if err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]string{
		"both":       SourceTypeKustomize,
		"chart":      SourceTypeHelm,
		"suffix":     SourceTypeHelm,
		"kyml":       SourceTypeKustomize,
		"kcap":       SourceTypeKustomize,
		"kthenchart": SourceTypeHelm,
		"plain":      SourceTypeDirectory,
		"dirnamed":   SourceTypeDirectory,
		"linked":     SourceTypeHelm, // a link counts by its name, as a walk without following links sees it
	} {
		got, err := DiscoverType(r, dir)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if got != want {
			t.Errorf("%s: got %s, want %s", dir, got, want)
		}
		// SourceType without an explicit type agrees.
		if got, err := SourceType(r, dir, ApplicationSource{}); err != nil || got != want {
			t.Errorf("SourceType(%s) = %s, %v; want %s", dir, got, err, want)
		}
	}
	if _, err := DiscoverType(r, "missing"); err == nil {
		t.Error("a missing directory: no error")
	}
	// An explicit block wins over the files.
	if got, err := SourceType(r, "both", ApplicationSource{Helm: &ApplicationSourceHelm{}}); err != nil || got != SourceTypeHelm {
		t.Errorf("explicit helm on both: %s, %v", got, err)
	}
}
