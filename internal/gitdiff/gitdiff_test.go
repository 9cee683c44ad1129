package gitdiff

import (
	"github.com/gitopsctl/gitopsctl/internal/gittest"

	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, dir string, args ...string) {
	t.Helper()
	gittest.Run(t, dir, args...)
}

func write(t *testing.T, dir, p, s string) {
	t.Helper()
	f := filepath.Join(dir, p)
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newRepo makes a repository with two commits on main and a branch "old"
// at the first.
func newRepo(t *testing.T) string {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	run(t, dir, "init", "-q", "-b", "main")
	write(t, dir, ".gitignore", "*.local.env\n")
	write(t, dir, "charts/a/values.yaml", "tag: v1\n")
	write(t, dir, "charts/b/values.yaml", "tag: v1\n")
	write(t, dir, "README.md", "hi\n")
	run(t, dir, "add", "-A")
	run(t, dir, "commit", "-qm", "one")
	run(t, dir, "branch", "old")
	write(t, dir, "charts/a/values.yaml", "tag: v2\n")
	run(t, dir, "commit", "-qam", "two")
	return dir
}

func join(xs []string) string { return strings.Join(xs, ",") }

func TestChanged(t *testing.T) {
	dir := newRepo(t)
	g, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := g.Changed("old", "main")
	if err != nil || join(got) != "charts/a/values.yaml" {
		t.Fatalf("old..main = %v, %v", got, err)
	}
	got, err = g.Changed("HEAD", WorkTree)
	if err != nil || len(got) != 0 {
		t.Fatalf("clean work tree: %v, %v", got, err)
	}
	// Unstaged edit, staged new file, untracked file, ignored file, deletion.
	write(t, dir, "charts/b/values.yaml", "tag: v3\n")
	write(t, dir, "charts/c/values.yaml", "x\n")
	run(t, dir, "add", "charts/c/values.yaml")
	write(t, dir, "new.txt", "x\n")
	write(t, dir, "b/secrets.local.env", "X=1\n")
	os.Remove(filepath.Join(dir, "README.md"))
	got, err = g.Changed("HEAD", WorkTree)
	if want := "README.md,charts/b/values.yaml,charts/c/values.yaml,new.txt"; err != nil || join(got) != want {
		t.Fatalf("HEAD..worktree = %v, %v; want %s", got, err, want)
	}
	got, err = g.Changed("old", WorkTree)
	if want := "README.md,charts/a/values.yaml,charts/b/values.yaml,charts/c/values.yaml,new.txt"; err != nil || join(got) != want {
		t.Fatalf("old..worktree = %v, %v; want %s", got, err, want)
	}
	staged, err := g.Staged()
	if err != nil || join(staged) != "charts/c/values.yaml" {
		t.Fatalf("staged = %v, %v", staged, err)
	}
	tracked, err := g.Tracked()
	if want := ".gitignore,README.md,charts/a/values.yaml,charts/b/values.yaml,charts/c/values.yaml"; err != nil || join(tracked) != want {
		t.Fatalf("tracked = %v, %v", tracked, err)
	}
	b, err := g.IndexFile("charts/a/values.yaml")
	if err != nil || string(b) != "tag: v2\n" {
		t.Fatalf("index file = %q, %v", b, err)
	}
	if _, err := g.Changed("nope", WorkTree); err == nil || !strings.Contains(err.Error(), `unknown revision "nope"`) {
		t.Fatalf("want unknown revision error, got %v", err)
	}
}

func TestNotRepo(t *testing.T) {
	_, err := Open(t.TempDir())
	if !errors.Is(err, ErrNotRepo) {
		t.Fatalf("want ErrNotRepo, got %v", err)
	}
}

func TestEmptyRepo(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	run(t, dir, "init", "-q")
	write(t, dir, "a.yaml", "x: 1\n")
	run(t, dir, "add", "a.yaml")
	g, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := g.Changed("HEAD", WorkTree)
	if err != nil || join(got) != "a.yaml" {
		t.Fatalf("got %v, %v", got, err)
	}
	staged, err := g.Staged()
	if err != nil || join(staged) != "a.yaml" {
		t.Fatalf("staged %v, %v", staged, err)
	}
}
