package gitrepo

import (
	"os"
	"path/filepath"
	"testing"
)

// askAll asks every kind of question of r about the paths of the test repo.
func askAll(t *testing.T, r *Repo) {
	t.Helper()
	_, _ = r.ReadFile("a/one.yaml")
	_, _ = r.ReadFile("a/link.yaml")
	_, _ = r.ReadFile("a/missing.yaml")
	_, _ = r.Resolve("a/dirlink/values.yaml")
	_, _ = r.Resolve("b/two.yaml")
	_, _ = r.Stat("a")
	_, _ = r.Stat("b/two.yaml")
	_ = r.Exists("c")
	_, _ = r.ReadDir("b")
	_, _ = r.ReadDir(".") // the work tree's also holds .git
	_, _ = r.BlobID("shared/values.yaml")
	fsys := r.FS().(interface {
		Lstat(string) (os.FileInfo, error)
		ReadLink(string) (string, error)
	})
	_, _ = fsys.Lstat("a/link.yaml")
	_, _ = fsys.ReadLink("a/link.yaml")
}

func seenBy(entries []Seen) map[string]Seen {
	m := map[string]Seen{}
	for _, s := range entries {
		m[string(s.Op)+" "+s.Path] = s
	}
	return m
}

// A view with a log records each question once, with an answer that the
// work tree gives again while it holds what the commit holds, and no
// longer once a path changes in any way a reader would see.
func TestLogAndAsk(t *testing.T) {
	dir, _, _ := repo(t)
	// The work tree as at a third commit, which adds a file whose name
	// sorts before a directory's in a tree ("a.yaml" before "a/").
	runGit(t, dir, "checkout", "-q", "--", ".")
	runGit(t, dir, "clean", "-qfd")
	write(t, dir, "a.yaml", "top\n")
	runGit(t, dir, "add", "-A")
	runGit(t, dir, "commit", "-q", "-m", "third")
	commit, err := Open(dir, runGit(t, dir, "rev-parse", "HEAD"))
	if err != nil {
		t.Fatal(err)
	}
	l := NewLog()
	commit.SetLog(l)
	askAll(t, commit)
	askAll(t, commit) // asked again: recorded once
	entries := l.Entries()
	got := seenBy(entries)
	if len(got) != len(entries) {
		t.Fatalf("questions recorded twice: %v", entries)
	}
	for _, want := range []struct {
		key    string
		linked bool
	}{
		{"f a/one.yaml", false}, {"f a/link.yaml", true}, {"f a/missing.yaml", false},
		{"r a/dirlink/values.yaml", true}, {"r b/two.yaml", false}, {"s a", false}, {"s b/two.yaml", false},
		{"e c", false}, {"d b", false}, {"f shared/values.yaml", false}, {"l a/link.yaml", false}, {"k a/link.yaml", false},
	} {
		s, ok := got[want.key]
		if !ok {
			t.Errorf("%s: not recorded (recorded: %v)", want.key, entries)
			continue
		}
		if s.Linked != want.linked {
			t.Errorf("%s: linked %v, want %v", want.key, s.Linked, want.linked)
		}
	}
	if a := got["f a/missing.yaml"].Answer; a != "!missing" {
		t.Errorf("a missing file's answer: %q", a)
	}
	if a := got["r a/dirlink/values.yaml"].Answer; a != "=shared/values.yaml" {
		t.Errorf("a resolved path's answer: %q", a)
	}
	if a := got["l a/link.yaml"].Answer; a != "l" {
		t.Errorf("an lstat of a link: %q", a)
	}

	// The work tree holds the same: every answer is the same.
	same := func(step string) {
		t.Helper()
		wt, err := Open(dir, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range entries {
			if a := wt.Ask(s.Op, s.Path); a != s.Answer {
				t.Errorf("%s: %c %s: work tree answers %q, the commit %q", step, s.Op, s.Path, a, s.Answer)
			}
		}
	}
	same("unchanged")
	// Each change makes its question's answer differ.
	for _, tc := range []struct {
		change func()
		key    string
	}{
		{func() { write(t, dir, "a/one.yaml", "v3\n") }, "f a/one.yaml"},
		{func() { write(t, dir, "shared/values.yaml", "edited\n") }, "f a/link.yaml"},
		{func() { write(t, dir, "a/missing.yaml", "here\n") }, "f a/missing.yaml"},
		{func() { write(t, dir, "c", "now a file\n") }, "e c"},
		{func() { write(t, dir, "b/three.yaml", "new\n") }, "d b"},
		{func() {
			if err := os.Chmod(filepath.Join(dir, "b/two.yaml"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, "s b/two.yaml"},
		{func() {
			if err := os.Remove(filepath.Join(dir, "a/dirlink")); err != nil {
				t.Fatal(err)
			}
			symlink(t, dir, "a/dirlink", "../b")
		}, "r a/dirlink/values.yaml"},
		{func() {
			if err := os.Remove(filepath.Join(dir, "a/link.yaml")); err != nil {
				t.Fatal(err)
			}
			symlink(t, dir, "a/link.yaml", "one.yaml")
		}, "k a/link.yaml"},
	} {
		tc.change()
		wt, err := Open(dir, "")
		if err != nil {
			t.Fatal(err)
		}
		s := got[tc.key]
		if a := wt.Ask(s.Op, s.Path); a == s.Answer {
			t.Errorf("%s: the work tree still answers %q after the change", tc.key, a)
		}
		runGit(t, dir, "checkout", "-q", "--", ".")
		runGit(t, dir, "clean", "-qfd")
		if err := os.Chmod(filepath.Join(dir, "b/two.yaml"), 0o644); err != nil {
			t.Fatal(err)
		}
		same("restored after " + tc.key)
	}
}

// A view without a log records nothing, and SetLog(nil) stops recording.
func TestLogOff(t *testing.T) {
	dir, first, _ := repo(t)
	r, err := Open(dir, first)
	if err != nil {
		t.Fatal(err)
	}
	askAll(t, r) // no log: nothing to record into
	l := NewLog()
	r.SetLog(l)
	_, _ = r.ReadFile("a/one.yaml")
	r.SetLog(nil)
	_, _ = r.ReadDir("a")
	if e := l.Entries(); len(e) != 1 || e[0].Op != OpRead || e[0].Path != "a/one.yaml" {
		t.Errorf("entries: %v", e)
	}
}
