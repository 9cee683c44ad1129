package services

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestListAndRequire(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"backend/config.yaml", "frontend/secrets.yaml", "docs/README.md", ".hidden/config.yaml"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	all, err := List(dir)
	if err != nil || strings.Join(all, ",") != "backend,frontend" {
		t.Fatalf("List = %v, %v", all, err)
	}
	if err := Require(dir, "frontend"); err != nil {
		t.Errorf("Require(frontend) = %v", err)
	}
	for svc, want := range map[string]string{
		"docs":    `unknown service "docs": no docs/config.yaml or docs/secrets.yaml in the configs-repo ` + dir + ` (services: backend, frontend)`,
		"../x":    `invalid service name "../x"`,
		".hidden": `invalid service name ".hidden"`,
	} {
		if err := Require(dir, svc); err == nil || err.Error() != want {
			t.Errorf("Require(%s) = %v, want %s", svc, err, want)
		}
	}
	if _, err := List(filepath.Join(dir, "missing")); err == nil || !strings.HasPrefix(err.Error(), "read configs-repo: ") {
		t.Errorf("List(missing) = %v", err)
	}
}
