package gitrepo

import (
	"io/fs"
	"os/exec"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// TestFSConforms runs io/fs's conformance checks on the FS of each kind of
// view: the working tree, a commit and the index, each holding the same
// nested files, an empty file and links to a file and to a directory.
func TestFSConforms(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := filepath.Join(t.TempDir(), "repo")
	write(t, dir, "charts/a/values.yaml", "tag: v1\n")
	write(t, dir, "charts/a/templates/cm.yaml", "kind: ConfigMap\n")
	write(t, dir, "charts/b/Chart.yaml", "name: b\n")
	write(t, dir, "empty.txt", "")
	write(t, dir, "README.md", "# repo\n")
	symlink(t, dir, "link.yaml", "charts/a/values.yaml")
	symlink(t, dir, "charts/dirlink", "a/templates")
	runGit(t, dir, "init", "-q", "-b", "main")
	runGit(t, dir, "add", "-A")
	runGit(t, dir, "commit", "-q", "-m", "one")

	want := []string{
		"README.md", "empty.txt", "link.yaml",
		"charts/a/values.yaml", "charts/a/templates/cm.yaml", "charts/b/Chart.yaml",
	}
	for _, rev := range []string{"", "HEAD", IndexRev} {
		t.Run("rev="+rev, func(t *testing.T) {
			r, err := Open(dir, rev)
			if err != nil {
				t.Fatal(err)
			}
			fsys := r.FS()
			if target, err := fs.ReadLink(fsys, "charts/dirlink"); err != nil || target != "a/templates" {
				t.Fatalf("ReadLink(charts/dirlink) = %q, %v", target, err)
			}
			if b, err := fs.ReadFile(fsys, "charts/dirlink/cm.yaml"); err != nil || string(b) != "kind: ConfigMap\n" {
				t.Fatalf("read through a directory link = %q, %v", b, err)
			}
			if rev == "" {
				// The working tree holds .git too; check the tracked part.
				sub, err := fs.Sub(fsys, "charts")
				if err != nil {
					t.Fatal(err)
				}
				if err := fstest.TestFS(sub, "a/values.yaml", "a/templates/cm.yaml", "b/Chart.yaml"); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err := fstest.TestFS(fsys, want...); err != nil {
				t.Fatal(err)
			}
		})
	}
}
