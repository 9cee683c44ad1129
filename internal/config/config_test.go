package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadWalksUpAndResolvesConfigs(t *testing.T) {
	root := t.TempDir()
	repo := filepath.Join(root, "gitops-repo")
	deep := filepath.Join(repo, "charts", "backend", "templates")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := "cluster: staging\nconfigsRepo:\n  url: https://example.com/c.git\n  path: ../configs-repo\n"
	if err := os.WriteFile(filepath.Join(repo, ".gitopsctl.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Load(Options{Dir: deep})
	if err != nil {
		t.Fatal(err)
	}
	if l.RepoDir != repo || l.ConfigsDir != filepath.Join(root, "configs-repo") || l.Cluster != "staging" {
		t.Fatalf("got repo %s configs %s cluster %s", l.RepoDir, l.ConfigsDir, l.Cluster)
	}
	if l.Sealing.Scope != DefaultScope || l.Capabilities.KubeVersion != DefaultKubeVersion {
		t.Fatalf("defaults not applied: %+v", l.Config)
	}
	// --configs wins over the file.
	l, err = Load(Options{Dir: deep, ConfigsDir: filepath.Join(root, "other")})
	if err != nil || l.ConfigsDir != filepath.Join(root, "other") {
		t.Fatalf("configs override: %v %v", l, err)
	}
}

func TestLoadNotFound(t *testing.T) {
	_, err := Load(Options{Dir: t.TempDir()})
	if err != ErrNotFound {
		t.Fatalf("err = %v", err)
	}
}

func TestParseStrictWithLine(t *testing.T) {
	_, err := Parse("x/.gitopsctl.yaml", []byte("cluster: prod\nregistr: ghcr.io/acme\n"))
	if err == nil || !strings.Contains(err.Error(), "x/.gitopsctl.yaml") || !strings.Contains(err.Error(), "[2:1]") {
		t.Fatalf("err = %v", err)
	}
}

func TestChartMirrors(t *testing.T) {
	repo := t.TempDir()
	cfg := "chartMirrors:\n  https://charts.example.com: https://mirror.example.com/charts\n"
	if err := os.WriteFile(filepath.Join(repo, ".gitopsctl.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Load(Options{RepoDir: repo})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.AddChartMirrors("oci://ghcr.io=oci://mirror.example.com/ghcr, https://charts.example.com=https://other.example.com"); err != nil {
		t.Fatal(err)
	}
	if len(l.ChartMirrors) != 2 || l.ChartMirrors["oci://ghcr.io"] != "oci://mirror.example.com/ghcr" || l.ChartMirrors["https://charts.example.com"] != "https://other.example.com" {
		t.Fatalf("got %v", l.ChartMirrors)
	}
	if err := l.AddChartMirrors("nomirror"); err == nil || !strings.Contains(err.Error(), "GITOPSCTL_CHART_MIRRORS") {
		t.Fatalf("got %v", err)
	}
}
