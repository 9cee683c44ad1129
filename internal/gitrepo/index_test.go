package gitrepo

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/gittest"
)

// TestIndexView reads what is staged, not what the working tree holds,
// through the real git CLI's index (and a second index file, as
// GIT_INDEX_FILE names one during 'git commit -a').
func TestIndexView(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	runGit(t, dir, "init", "-q")
	write(t, dir, "charts/a/values.yaml", "tag: v1\n")
	write(t, dir, "keep.txt", "keep\n")
	symlink(t, dir, "link.yaml", "charts/a/values.yaml")
	runGit(t, dir, "add", "-A")
	runGit(t, dir, "commit", "-qm", "one")

	// Staged: v2 and a new file; working tree: v3, a deleted file, an
	// untracked file and an intent-to-add file.
	write(t, dir, "charts/a/values.yaml", "tag: v2\n")
	write(t, dir, "charts/b/new.yaml", "new: true\n")
	runGit(t, dir, "add", "-A")
	write(t, dir, "charts/a/values.yaml", "tag: v3\n")
	os.Remove(filepath.Join(dir, "keep.txt"))
	write(t, dir, "untracked.yaml", "u: 1\n")
	write(t, dir, "ita.yaml", "i: 1\n")
	runGit(t, dir, "add", "-N", "ita.yaml")

	r, err := Open(dir, IndexRev)
	if err != nil {
		t.Fatal(err)
	}
	if !r.IsIndex() || !strings.HasSuffix(r.String(), " (staged)") || r.Commit == "" {
		t.Fatalf("view %q commit %q", r.String(), r.Commit)
	}
	if got := read(t, r, "charts/a/values.yaml"); got != "tag: v2\n" {
		t.Fatalf("staged values = %q", got)
	}
	if got := read(t, r, "link.yaml"); got != "tag: v2\n" {
		t.Fatalf("through link = %q", got)
	}
	if got := read(t, r, "keep.txt"); got != "keep\n" {
		t.Fatalf("deleted in the work tree but staged = %q", got)
	}
	for _, p := range []string{"untracked.yaml", "ita.yaml", "charts/c"} {
		if _, err := r.ReadFile(p); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%s: want not exist, got %v", p, err)
		}
	}
	var walked []string
	if err := r.Walk(".", WalkOptions{Recurse: true}, func(rel, _ string) error {
		walked = append(walked, rel)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"charts/a/values.yaml", "charts/b/new.yaml", "keep.txt", "link.yaml"}; !reflect.DeepEqual(walked, want) {
		t.Fatalf("walk = %v, want %v", walked, want)
	}
	if fi, err := r.Stat("charts"); err != nil || !fi.IsDir() {
		t.Fatalf("charts: %v %v", fi, err)
	}

	// Another index file, as 'git commit -a' prepares one.
	other := filepath.Join(t.TempDir(), "index")
	cmd := exec.Command("git", "add", "-A")
	cmd.Dir = dir
	cmd.Env = append(gittest.Env(dir), "GIT_INDEX_FILE="+other)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	r2, err := Open(dir, IndexFileRev(other))
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, r2, "charts/a/values.yaml"); got != "tag: v3\n" {
		t.Fatalf("other index values = %q", got)
	}
	if _, err := r2.ReadFile("keep.txt"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("keep.txt in the other index: %v", err)
	}
	// The default index is unchanged.
	if got := read(t, r, "charts/a/values.yaml"); got != "tag: v2\n" {
		t.Fatalf("staged values = %q", got)
	}

	// A split index is refused with a clear message.
	runGit(t, dir, "update-index", "--split-index")
	if _, err := Open(dir, IndexRev); err == nil || !strings.Contains(err.Error(), "split index") {
		t.Fatalf("split index: want a clear error, got %v", err)
	}
	// A missing index file named explicitly is an error.
	if _, err := Open(dir, IndexFileRev(filepath.Join(dir, "nope"))); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing index file: %v", err)
	}
}
