package gitrepo

import (
	"github.com/gitopsctl/gitopsctl/internal/gittest"

	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bmatcuk/doublestar/v4"
)

func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return gittest.Run(t, dir, args...)
}

func write(t *testing.T, dir, name, data string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, dir, name, target string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

// repo makes a git repository with two commits:
// 1: a/one.yaml=v1, links; 2: a/one.yaml=v2, b/two.yaml; then an uncommitted edit.
func repo(t *testing.T) (dir, first, second string) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir = filepath.Join(t.TempDir(), "repo")
	write(t, dir, "a/one.yaml", "v1\n")
	write(t, dir, "shared/values.yaml", "shared\n")
	symlink(t, dir, "a/link.yaml", "../shared/values.yaml")
	symlink(t, dir, "a/dirlink", "../shared")
	symlink(t, dir, "a/escape.yaml", "../../outside.yaml")
	symlink(t, dir, "a/loop", "loop")
	runGit(t, dir, "init", "-q", "-b", "main")
	runGit(t, dir, "add", "-A")
	runGit(t, dir, "commit", "-q", "-m", "first")
	first = runGit(t, dir, "rev-parse", "HEAD")
	write(t, dir, "a/one.yaml", "v2\n")
	write(t, dir, "b/two.yaml", "two\n")
	runGit(t, dir, "add", "-A")
	runGit(t, dir, "commit", "-q", "-m", "second")
	runGit(t, dir, "tag", "v2")
	second = runGit(t, dir, "rev-parse", "HEAD")
	write(t, dir, "a/one.yaml", "dirty\n")
	write(t, dir, "b/untracked.yaml", "new\n")
	return dir, first, second
}

func read(t *testing.T, r *Repo, p string) string {
	t.Helper()
	b, err := r.ReadFile(p)
	if err != nil {
		t.Fatalf("%s: ReadFile(%s): %v", r, p, err)
	}
	return string(b)
}

func TestRevisions(t *testing.T) {
	dir, first, second := repo(t)
	for _, tc := range []struct {
		rev, one, commit string
		untracked        bool
	}{
		{"", "dirty\n", second, true},
		{"HEAD", "v2\n", second, false},
		{"main", "v2\n", second, false},
		{"v2", "v2\n", second, false},
		{"HEAD~1", "v1\n", first, false},
		{first, "v1\n", first, false},
		{first[:10], "v1\n", first, false},
	} {
		t.Run("rev="+tc.rev, func(t *testing.T) {
			r, err := Open(dir, tc.rev)
			if err != nil {
				t.Fatal(err)
			}
			if got := read(t, r, "a/one.yaml"); got != tc.one {
				t.Fatalf("a/one.yaml = %q, want %q", got, tc.one)
			}
			if r.Commit != tc.commit {
				t.Fatalf("commit %s, want %s", r.Commit, tc.commit)
			}
			if got := r.Exists("b/untracked.yaml"); got != tc.untracked {
				t.Fatalf("untracked visible = %v", got)
			}
			if got := read(t, r, "a/link.yaml"); got != "shared\n" {
				t.Fatalf("link = %q", got)
			}
			if got := read(t, r, "/a/dirlink/values.yaml"); got != "shared\n" {
				t.Fatalf("dir link = %q", got)
			}
			var oe *OutsideError
			if _, err := r.ReadFile("a/escape.yaml"); !errors.As(err, &oe) || err.Error() != "file 'a/escape.yaml' resolved to outside repository root" {
				t.Fatalf("escape: %v", err)
			}
			if _, err := r.ReadFile("../x"); !errors.As(err, &oe) {
				t.Fatalf("dotdot: %v", err)
			}
			if _, err := r.ReadFile("a/loop"); err == nil || !strings.Contains(err.Error(), "too many levels of symbolic links") {
				t.Fatalf("loop: %v", err)
			}
			if _, err := r.ReadFile("a/nope.yaml"); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("missing: %v", err)
			}
			var files []string
			if err := r.Walk("a", WalkOptions{Recurse: true, FollowDirLinks: true, SkipDir: func(rel string) bool { return rel == "loop" }}, func(rel, _ string) error {
				files = append(files, rel)
				return nil
			}); err == nil {
				t.Fatal("walk must refuse the escaping link")
			}
			ents, err := r.ReadDir("a")
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			if want := []string{"dirlink", "escape.yaml", "link.yaml", "loop", "one.yaml"}; !reflect.DeepEqual(names, want) {
				t.Fatalf("ReadDir = %v", names)
			}
			m, err := doublestar.Glob(r.FS(), "shared/*.yaml")
			if err != nil || !reflect.DeepEqual(m, []string{"shared/values.yaml"}) {
				t.Fatalf("glob %v %v", m, err)
			}
		})
	}
	if _, err := Open(dir, "no-such-branch"); err == nil || !strings.Contains(err.Error(), `unknown revision "no-such-branch"`) {
		t.Fatalf("unknown revision: %v", err)
	}
}

func TestWalkFollowsLinks(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "c/Chart.yaml", "x")
	write(t, dir, "c/templates/a.yaml", "x")
	write(t, dir, "lib/_h.tpl", "x")
	symlink(t, dir, "c/templates/lib", "../../lib")
	r, err := Open(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	walk := func(follow bool) []string {
		var got []string
		if err := r.Walk("c", WalkOptions{Recurse: true, FollowDirLinks: follow}, func(rel, full string) error {
			got = append(got, rel+"="+full)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := []string{"Chart.yaml=c/Chart.yaml", "templates/a.yaml=c/templates/a.yaml", "templates/lib/_h.tpl=c/templates/lib/_h.tpl"}
	if got := walk(true); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
	if got := walk(false); !reflect.DeepEqual(got, want[:2]) {
		t.Fatalf("without following directory links: got %v", got)
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{"": ".", "/": ".", ".": ".", "/a/b/": "a/b", "a/../b": "b", "../x": "../x", "/../x": "../x", "a//b": "a/b"} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}
