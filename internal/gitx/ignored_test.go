package gitx

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// ChangedIgnored names the ignored files and directories git status passes
// over in the work tree, and nothing for a revision.
func TestChangedIgnored(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", "-q")
	write(t, filepath.Join(dir, ".gitignore"), "*.local.env\nbuild/\n")
	write(t, filepath.Join(dir, "sub/.gitignore"), "*.tmp\n")
	write(t, filepath.Join(dir, "a.yaml"), "a\n")
	run(t, dir, "add", "-A")
	run(t, dir, "commit", "-qm", "base")
	write(t, filepath.Join(dir, "x.local.env"), "S=1\n")
	write(t, filepath.Join(dir, "sub/a.tmp"), "t\n")
	write(t, filepath.Join(dir, "build/out.yaml"), "u\n")
	write(t, filepath.Join(dir, "new.yaml"), "n\n")
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := OpenReader(dir)
	if err != nil {
		t.Fatal(err)
	}
	changed, ignored, err := g.ChangedIgnored("HEAD", WorkTree)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a.yaml", "new.yaml"}; !reflect.DeepEqual(changed, want) {
		t.Errorf("changed = %v, want %v", changed, want)
	}
	if want := []string{"build/", "sub/a.tmp", "x.local.env"}; !reflect.DeepEqual(ignored, want) {
		t.Errorf("ignored = %v, want %v", ignored, want)
	}
	run(t, dir, "add", "-A")
	run(t, dir, "commit", "-qm", "next")
	changed, ignored, err = g.ChangedIgnored("HEAD~1", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a.yaml", "new.yaml"}; !reflect.DeepEqual(changed, want) || ignored != nil {
		t.Errorf("between commits: changed = %v, ignored = %v", changed, ignored)
	}
}

// A linked worktree takes info/exclude from the main repository's git
// directory, as git does.
func TestLinkedWorktreeReadsCommonExclude(t *testing.T) {
	gitEnv(t)
	dir := newRepo(t)
	wt := filepath.Join(t.TempDir(), "wt")
	gitCLI(t, dir, "worktree", "add", "-q", "-b", "side", wt)
	if err := os.WriteFile(filepath.Join(dir, ".git", "info", "exclude"), []byte("secret.env\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(wt, "secret.env"), "A=1\n")
	write(t, filepath.Join(wt, "other"), "x\n")
	g, err := OpenReader(wt)
	if err != nil {
		t.Fatal(err)
	}
	changed, _, err := g.ChangedIgnored("HEAD", WorkTree)
	if err != nil {
		t.Fatal(err)
	}
	if got := gitCLI(t, wt, "status", "--porcelain"); got != "?? other" {
		t.Fatalf("git status: %q", got)
	}
	if len(changed) != 1 || changed[0] != "other" {
		t.Errorf("changed = %q, want [other] as git status has it", changed)
	}
}

// A repository nested in the work tree: its .git directory is never walked
// (git tracks no path named .git); its files are untracked.
func TestNestedRepositoryGitDirNotWalked(t *testing.T) {
	gitEnv(t)
	dir := newRepo(t)
	nested := filepath.Join(dir, "nested")
	if err := os.MkdirAll(nested, 0o755); err != nil {
		t.Fatal(err)
	}
	gitCLI(t, nested, "init", "-q")
	write(t, filepath.Join(nested, "file"), "x\n")
	g, err := OpenReader(dir)
	if err != nil {
		t.Fatal(err)
	}
	changed, err := g.Changed("HEAD", WorkTree)
	if err != nil {
		t.Fatal(err)
	}
	if len(changed) != 1 || changed[0] != "nested/file" {
		t.Errorf("changed = %q, want [nested/file]", changed)
	}
}

// ChangedIgnored also names what the work tree holds differently although
// git status shows nothing of it: an untracked directory holding no file
// it reports (empty, only empty directories, only a nested repository's
// .git) and a sparse checkout's file missing from the work tree; not an
// untracked directory whose files it reports, nor one holding an ignored
// file.
func TestChangedIgnoredPassedOver(t *testing.T) {
	gitEnv(t)
	dir := newRepo(t)
	write(t, filepath.Join(dir, ".gitignore"), "*.tmp\n")
	write(t, filepath.Join(dir, "kept.yaml"), "k\n")
	write(t, filepath.Join(dir, "sparse/gone.yaml"), "g\n")
	gitCLI(t, dir, "add", "-A")
	gitCLI(t, dir, "commit", "-qm", "files")
	for _, d := range []string{"empty", "deep/er/est", "sparse/empty"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "nested"), 0o755); err != nil {
		t.Fatal(err)
	}
	gitCLI(t, filepath.Join(dir, "nested"), "init", "-q")
	write(t, filepath.Join(dir, "full/new.yaml"), "n\n")
	write(t, filepath.Join(dir, "scratch/a.tmp"), "t\n")
	gitCLI(t, dir, "update-index", "--skip-worktree", "sparse/gone.yaml")
	if err := os.Remove(filepath.Join(dir, "sparse/gone.yaml")); err != nil {
		t.Fatal(err)
	}
	// git shows the nested repository, which Changed leaves out (its
	// files would be listed): ChangedIgnored names it.
	if got := gitCLI(t, dir, "status", "--porcelain"); got != "?? full/\n?? nested/" {
		t.Fatalf("git status: %q", got)
	}
	g, err := OpenReader(dir)
	if err != nil {
		t.Fatal(err)
	}
	changed, ignored, err := g.ChangedIgnored("HEAD", WorkTree)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"full/new.yaml"}; !reflect.DeepEqual(changed, want) {
		t.Errorf("changed = %v, want %v", changed, want)
	}
	want := []string{"deep/", "deep/er/", "deep/er/est/", "empty/", "nested/", "scratch/a.tmp", "sparse/empty/", "sparse/gone.yaml"}
	if !reflect.DeepEqual(ignored, want) {
		t.Errorf("ignored = %v, want %v", ignored, want)
	}
}
