package gitx

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

// newHistoryRepo makes a repository with two commits on main and a branch "old"
// at the first.
func newHistoryRepo(t *testing.T) string {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	run(t, dir, "init", "-q", "-b", "main")
	write(t, filepath.Join(dir, ".gitignore"), "*.local.env\n")
	write(t, filepath.Join(dir, "charts/a/values.yaml"), "tag: v1\n")
	write(t, filepath.Join(dir, "charts/b/values.yaml"), "tag: v1\n")
	write(t, filepath.Join(dir, "README.md"), "hi\n")
	run(t, dir, "add", "-A")
	run(t, dir, "commit", "-qm", "one")
	run(t, dir, "branch", "old")
	write(t, filepath.Join(dir, "charts/a/values.yaml"), "tag: v2\n")
	run(t, dir, "commit", "-qam", "two")
	return dir
}

func join(xs []string) string { return strings.Join(xs, ",") }

func TestChanged(t *testing.T) {
	dir := newHistoryRepo(t)
	g, err := OpenReader(dir)
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
	write(t, filepath.Join(dir, "charts/b/values.yaml"), "tag: v3\n")
	write(t, filepath.Join(dir, "charts/c/values.yaml"), "x\n")
	run(t, dir, "add", "charts/c/values.yaml")
	write(t, filepath.Join(dir, "new.txt"), "x\n")
	write(t, filepath.Join(dir, "b/secrets.local.env"), "X=1\n")
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
	_, err := OpenReader(t.TempDir())
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
	write(t, filepath.Join(dir, "a.yaml"), "x: 1\n")
	run(t, dir, "add", "a.yaml")
	g, err := OpenReader(dir)
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

func TestCommitIndexes(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	for _, d := range []string{a, b} {
		run(t, root, "init", "-q", d)
	}
	run(t, root, "-C", a, "commit", "-q", "--allow-empty", "-m", "init")
	wt := filepath.Join(root, "wt")
	run(t, root, "-C", a, "worktree", "add", "-q", wt)
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	cases := []struct {
		name string
		env  func(string) string
		cwd  string
		dirs []string
		want string // joined result, or "error: <substring>"
	}{
		{"no GIT_INDEX_FILE", env(), b, []string{a, b}, ","},
		{"relative, cwd decides", env("GIT_INDEX_FILE", ".git/index"), b, []string{a, b}, "," + filepath.Join(b, ".git/index")},
		{"absolute, from a subdirectory", env("GIT_INDEX_FILE", "/x/index.lock"), filepath.Join(a, "sub"), []string{a, b}, "/x/index.lock,"},
		{"GIT_DIR of a linked worktree", env("GIT_INDEX_FILE", "/x/i", "GIT_DIR", filepath.Join(a, ".git", "worktrees", "wt")), wt, []string{wt, b}, "/x/i,"},
		{"relative GIT_DIR", env("GIT_INDEX_FILE", "/x/i", "GIT_DIR", ".git"), b, []string{a, b}, ",/x/i"},
		{"GIT_DIR of neither", env("GIT_INDEX_FILE", "/x/i", "GIT_DIR", filepath.Join(a, ".git", "worktrees", "wt")), a, []string{a, b}, "error: is the git directory of neither"},
		{"cwd in neither", env("GIT_INDEX_FILE", "/x/i"), root, []string{a, b}, "error: the current directory " + root + " is in neither"},
	}
	for _, c := range cases {
		got, err := CommitIndexes(c.env, c.cwd, c.dirs...)
		if strings.HasPrefix(c.want, "error: ") {
			if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(c.want, "error: ")) {
				t.Errorf("%s: got %v, %v, want %s", c.name, got, err, c.want)
			}
			continue
		}
		if err != nil || join(got) != c.want {
			t.Errorf("%s: got %q, %v, want %q", c.name, join(got), err, c.want)
		}
	}
}

// TestOtherIndexFile answers Staged, Tracked and IndexFile from another
// index file, as during 'git commit -a'.
func TestOtherIndexFile(t *testing.T) {
	dir := newHistoryRepo(t)
	write(t, filepath.Join(dir, "charts/b/values.yaml"), "tag: v9\n")
	other := filepath.Join(t.TempDir(), "index")
	cmd := exec.Command("git", "add", "-A")
	cmd.Dir = dir
	cmd.Env = append(gittest.Env(dir), "GIT_INDEX_FILE="+other)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	g, err := OpenReader(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := g.Staged(); err != nil || len(got) != 0 {
		t.Fatalf("own index staged = %v, %v", got, err)
	}
	g.SetIndexFile(other)
	if got, err := g.Staged(); err != nil || join(got) != "charts/b/values.yaml" {
		t.Fatalf("other index staged = %v, %v", got, err)
	}
	if b, err := g.IndexFile("charts/b/values.yaml"); err != nil || string(b) != "tag: v9\n" {
		t.Fatalf("other index file = %q, %v", b, err)
	}
	if got, err := g.Tracked(); err != nil || len(got) != 4 {
		t.Fatalf("tracked = %v, %v", got, err)
	}
	g.SetIndexFile(filepath.Join(t.TempDir(), "missing"))
	if _, err := g.Staged(); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing index file: %v", err)
	}
}

// TestCLIIgnoresCallersGitVariables: inside a pre-commit hook GIT_DIR and
// GIT_INDEX_FILE name the repository being committed; a git command run for
// another repository must not follow them.
func TestCLIIgnoresCallersGitVariables(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git CLI not installed")
	}
	mine, other := t.TempDir(), t.TempDir()
	for _, d := range []string{mine, other} {
		gittest.Run(t, d, "init", "-q")
	}
	if err := os.WriteFile(filepath.Join(mine, "tracked.txt"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gittest.Run(t, mine, "add", "tracked.txt")
	t.Setenv("GIT_DIR", filepath.Join(other, ".git"))
	t.Setenv("GIT_INDEX_FILE", filepath.Join(other, ".git", "index"))
	out, err := CLI(mine, "ls-files").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "tracked.txt" {
		t.Fatalf("git ls-files in %s listed %q, want tracked.txt (it followed the caller's GIT_DIR)", mine, got)
	}
}
