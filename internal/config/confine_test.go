package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// confineSetup makes <tmp>/ws/{gitops-repo,configs-repo,vendor/redis,.ssh},
// <tmp>/outside and a link ws/linked -> outside.
func confineSetup(t *testing.T) (tmp, ws, repo string) {
	t.Helper()
	tmp = t.TempDir()
	ws = filepath.Join(tmp, "ws")
	repo = filepath.Join(ws, "gitops-repo")
	for _, d := range []string{repo, filepath.Join(repo, "vendor", "x"), filepath.Join(repo, ".git"), filepath.Join(ws, "configs-repo"), filepath.Join(ws, "vendor", "redis"), filepath.Join(ws, ".ssh"), filepath.Join(tmp, "outside")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(tmp, "outside"), filepath.Join(ws, "linked")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../outside", filepath.Join(repo, "escape")); err != nil {
		t.Fatal(err)
	}
	return tmp, ws, repo
}

func loadWith(t *testing.T, repo, configs, configsPath string, repos map[string]string) (*Loaded, error) {
	t.Helper()
	var b strings.Builder
	b.WriteString("cluster: prod\n")
	if configsPath != "" {
		b.WriteString("configsRepo:\n  url: https://example.com/c.git\n  path: " + configsPath + "\n")
	}
	if len(repos) > 0 {
		b.WriteString("repos:\n")
		for u, p := range repos {
			b.WriteString("  " + u + ": " + p + "\n")
		}
	}
	if err := os.WriteFile(filepath.Join(repo, ".gitopsctl.yaml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(Options{RepoDir: repo, ConfigsDir: configs})
}

func TestCheckRepoDirs(t *testing.T) {
	tmp, ws, repo := confineSetup(t)
	for _, c := range []struct {
		name        string
		configs     string // --configs
		configsPath string // configsRepo.path
		repo        string // a repos: value
		refused     string // "" = allowed, else a substring of the error
	}{
		{name: "scaffold default", configsPath: "../configs-repo"},
		{name: "configs absent yet", configsPath: "../new-configs"},
		{name: "inside the gitops-repo", configsPath: "configs", repo: "vendor/x"},
		{name: "sibling subdir", repo: "../vendor/redis"},
		{name: "absolute sibling", configsPath: filepath.Join(ws, "configs-repo")},
		{name: "root", configsPath: "/", refused: "configsRepo.path: \"/\" resolves to /, outside the gitops-repo"},
		{name: "root in repos", repo: "/", refused: "repos: \"https://example.com/o.git\": \"/\" resolves to /, outside"},
		{name: "parent", configsPath: "..", refused: "outside the gitops-repo"},
		{name: "grandparent", repo: "../..", refused: "outside the gitops-repo"},
		{name: "climbing", repo: "../configs-repo/../../outside", refused: "resolves to " + filepath.Join(tmp, "outside")},
		{name: "hidden sibling", repo: "../.ssh", refused: "a hidden directory next to the gitops-repo"},
		{name: "sibling link out", configsPath: "../linked", refused: "resolves to " + filepath.Join(tmp, "outside")},
		{name: "link in repo out", repo: "escape", refused: "resolves to " + filepath.Join(tmp, "outside")},
		{name: "git dir", repo: ".git", refused: "inside git's own directory (.git)"},
		{name: "configs flag wins", configs: filepath.Join(ws, "configs-repo"), configsPath: "/"},
		{name: "inside --configs", configs: filepath.Join(ws, "configs-repo"), repo: "../configs-repo/charts"},
		{name: "no siblings with --configs", configs: filepath.Join(ws, "configs-repo"), repo: "../vendor/redis", refused: "the only directories gitopsctl reads when --configs is given; check that repository out inside the gitops-repo or --configs"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var repos map[string]string
			if c.repo != "" {
				repos = map[string]string{"https://example.com/o.git": c.repo}
			}
			_, err := loadWith(t, repo, c.configs, c.configsPath, repos)
			if c.refused == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var me *MappingError
			if !errors.As(err, &me) || !strings.Contains(err.Error(), c.refused) {
				t.Fatalf("err = %v, want a MappingError with %q", err, c.refused)
			}
			if !strings.HasPrefix(err.Error(), filepath.Join(repo, ".gitopsctl.yaml")+":") || me.Line == 0 {
				t.Fatalf("err %q does not name the file and line", err)
			}
		})
	}
}

func TestCheckRepoDirsErrorNamesFix(t *testing.T) {
	_, _, repo := confineSetup(t)
	_, err := loadWith(t, repo, "", "/", nil)
	want := filepath.Join(repo, ".gitopsctl.yaml") + `:4: configsRepo.path: "/" resolves to /, outside the gitops-repo`
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "pass --configs DIR to name the configs-repo explicitly") {
		t.Fatalf("err = %v", err)
	}
}

func TestCheckRepoDirsTrustsCode(t *testing.T) {
	l := &Loaded{RepoDir: "/x", ConfigsDir: "/", Config: Config{Repos: map[string]string{"u": "/"}}}
	if err := l.CheckRepoDirs(); err != nil {
		t.Fatal(err)
	}
}
