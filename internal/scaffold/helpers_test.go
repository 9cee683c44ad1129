package scaffold

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const (
	testRepoURL    = "https://github.com/acme/gitops-repo.git"
	testConfigsURL = "https://github.com/acme/configs-repo.git"
)

var testNow = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

// pair is a scaffolded gitops-repo + configs-repo in a temp dir.
type pair struct {
	root, repo, configs string
}

func initPair(t *testing.T, mod ...func(*InitOptions)) pair {
	t.Helper()
	root := t.TempDir()
	p := pair{root: root, repo: filepath.Join(root, "gitops-repo"), configs: filepath.Join(root, "configs-repo")}
	o := InitOptions{RepoDir: p.repo, Registry: "ghcr.io/acme", Now: testNow, Getenv: func(string) string { return "" }}
	for _, m := range mod {
		m(&o)
	}
	if _, err := Init(context.Background(), o); err != nil {
		t.Fatalf("Init: %v", err)
	}
	return p
}

// serviceOpts returns defaults for a service in p.
func (p pair) serviceOpts(name string) ServiceOptions {
	o := DefaultServiceOptions()
	o.Name = name
	o.RepoDir, o.ConfigsDir = p.repo, p.configs
	o.Cluster, o.RepoURL, o.ConfigsURL, o.Registry, o.Scope = "prod", testRepoURL, testConfigsURL, "ghcr.io/acme", "strict"
	return o
}

func (p pair) newService(t *testing.T, name string, mod ...func(*ServiceOptions)) *ServiceResult {
	t.Helper()
	o := p.serviceOpts(name)
	for _, m := range mod {
		m(&o)
	}
	res, err := NewService(context.Background(), o)
	if err != nil {
		t.Fatalf("NewService %s: %v", name, err)
	}
	return res
}

// snapshot maps every path under dir (files and directories) to its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(p)
		out[rel] = string(b)
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

func sameSnapshot(t *testing.T, before, after map[string]string) {
	t.Helper()
	for k, v := range after {
		if bv, ok := before[k]; !ok {
			t.Errorf("new path %s", k)
		} else if bv != v {
			t.Errorf("changed %s", k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			t.Errorf("removed %s", k)
		}
	}
}
