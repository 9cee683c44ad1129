package scaffold

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The gitops-repo may be a directory inside a larger repository: paths are
// looked up below it.
func TestUncommittedFilesInSubdirectory(t *testing.T) {
	top := t.TempDir()
	repo, err := git.PlainInit(top, false)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(top, "deploy")
	for _, f := range []string{"clean", "modified", "staged", "deleted"} {
		write(t, filepath.Join(dir, f), f+"\n")
	}
	wt, _ := repo.Worktree()
	if _, err := wt.Add("deploy"); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "a", Email: "a@example.com", When: time.Unix(0, 0)}
	if _, err := wt.Commit("c", &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "modified"), "changed\n")
	write(t, filepath.Join(dir, "staged"), "changed\n")
	if _, err := wt.Add("deploy/staged"); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "new"), "new\n")
	os.Remove(filepath.Join(dir, "deleted"))

	got, ok, err := uncommittedFiles(dir, []string{"clean", "deleted", "missing", "modified", "new", "staged"})
	if err != nil || !ok {
		t.Fatalf("ok %v err %v", ok, err)
	}
	want := []uncommitted{{"modified", "modified"}, {"new", "untracked"}, {"staged", "staged"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}

	if _, ok, err := uncommittedFiles(t.TempDir(), []string{"x"}); ok || err != nil {
		t.Errorf("outside git: ok %v err %v, want false, nil", ok, err)
	}
}

func TestCheckIndexLock(t *testing.T) {
	dir := t.TempDir()
	if err := checkIndexLock(dir); err != nil {
		t.Fatalf("no repository: %v", err)
	}
	write(t, filepath.Join(dir, ".git", "HEAD"), "ref: refs/heads/main\n")
	if err := checkIndexLock(dir); err != nil {
		t.Fatalf("unlocked: %v", err)
	}
	write(t, filepath.Join(dir, ".git", "index.lock"), "")
	if err := checkIndexLock(dir); err == nil || !strings.Contains(err.Error(), "index.lock exists") {
		t.Fatalf("locked: %v", err)
	}
	// A linked worktree: .git is a file naming the git directory.
	wt := t.TempDir()
	write(t, filepath.Join(wt, ".git"), "gitdir: "+filepath.Join(dir, ".git")+"\n")
	if err := checkIndexLock(wt); err == nil {
		t.Fatal("locked worktree: no error")
	}
}
