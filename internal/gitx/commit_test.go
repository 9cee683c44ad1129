package gitx

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"
)

// git runs the real git CLI in dir and returns its trimmed output.
func gitCLI(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimRight(string(out), "\n")
}

func gitEnv(t testing.TB) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_AUTHOR_NAME", "Env Author")
	t.Setenv("GIT_AUTHOR_EMAIL", "author@example.com")
	t.Setenv("GIT_COMMITTER_NAME", "Env Committer")
	t.Setenv("GIT_COMMITTER_EMAIL", "committer@example.com")
}

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newRepo makes a repository with a gitops-repo subdirectory.
func newRepo(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	gitCLI(t, dir, "init", "-q", "-b", "main")
	write(t, filepath.Join(dir, "README"), "top\n")
	write(t, filepath.Join(dir, "gitops/charts/backend/values.yaml"), "image:\n  tag: v1\n")
	write(t, filepath.Join(dir, "gitops/charts/frontend/values.yaml"), "image:\n  tag: v1\n")
	write(t, filepath.Join(dir, "gitops/staged.txt"), "a\n")
	write(t, filepath.Join(dir, "gitops/unstaged.txt"), "b\n")
	write(t, filepath.Join(dir, "run.sh"), "#!/bin/sh\n")
	os.Chmod(filepath.Join(dir, "run.sh"), 0o755)
	gitCLI(t, dir, "add", "-A")
	gitCLI(t, dir, "commit", "-q", "-m", "initial")
	return dir
}

func sig(name string) object.Signature {
	return object.Signature{Name: name, Email: strings.ToLower(name) + "@example.com", When: time.Unix(1700000000, 0).UTC()}
}

func TestCommitOnlyTheGivenFiles(t *testing.T) {
	gitEnv(t)
	dir := newRepo(t)
	// Staged, unstaged and untracked changes elsewhere must survive as they are.
	write(t, filepath.Join(dir, "gitops/staged.txt"), "a2\n")
	gitCLI(t, dir, "add", "gitops/staged.txt")
	write(t, filepath.Join(dir, "gitops/unstaged.txt"), "b2\n")
	write(t, filepath.Join(dir, "gitops/new.txt"), "new\n")
	before := gitCLI(t, dir, "status", "--porcelain")

	r, err := Open(filepath.Join(dir, "gitops", "charts"))
	if err != nil {
		t.Fatal(err)
	}
	rel, err := r.Rel(filepath.Join(dir, "gitops/charts/backend/values.yaml"))
	if err != nil || rel != "gitops/charts/backend/values.yaml" {
		t.Fatalf("Rel = %q, %v", rel, err)
	}
	if err := r.CheckClean(rel); err != nil {
		t.Fatal(err)
	}
	content := []byte("image:\n  tag: v2\n")
	write(t, r.Abs(rel), string(content))
	h, err := r.Commit(CommitOptions{
		Files:     []File{{Path: rel, Content: content}},
		Message:   "backend: bump image tag to v2",
		Author:    sig("Alice"),
		Committer: sig("Bob"),
		Signoff:   true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := gitCLI(t, dir, "rev-parse", "HEAD"); got != h.String() {
		t.Errorf("HEAD = %s, want %s", got, h)
	}
	if got := gitCLI(t, dir, "status", "--porcelain"); got != before {
		t.Errorf("status changed:\n%s\nwant\n%s", got, before)
	}
	if got := gitCLI(t, dir, "show", "--stat", "--format=", "HEAD"); !strings.Contains(got, "gitops/charts/backend/values.yaml | 2 +-") || !strings.Contains(got, "1 file changed") {
		t.Errorf("show --stat:\n%s", got)
	}
	if got := gitCLI(t, dir, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%B"); got != "Alice <alice@example.com>|Bob <bob@example.com>|backend: bump image tag to v2\n\nSigned-off-by: Bob <bob@example.com>" {
		t.Errorf("log: %q", got)
	}
	if got := gitCLI(t, dir, "show", "HEAD:gitops/charts/backend/values.yaml"); got != "image:\n  tag: v2" {
		t.Errorf("committed content %q", got)
	}
	// Executable bits and other files are carried over from the parent tree.
	if got := gitCLI(t, dir, "ls-tree", "HEAD", "run.sh"); !strings.HasPrefix(got, "100755") {
		t.Errorf("ls-tree run.sh: %s", got)
	}
	if got := gitCLI(t, dir, "diff", "--name-only", "HEAD~1", "HEAD"); got != "gitops/charts/backend/values.yaml" {
		t.Errorf("diff names: %q", got)
	}
	gitCLI(t, dir, "fsck", "--strict", "--no-progress")
	// git commit afterwards still commits what was staged, and only that.
	gitCLI(t, dir, "commit", "-q", "-m", "staged")
	if got := gitCLI(t, dir, "show", "--name-only", "--format=", "HEAD"); got != "gitops/staged.txt" {
		t.Errorf("later git commit took %q", got)
	}
	if got := gitCLI(t, dir, "status", "--porcelain"); got != " M gitops/unstaged.txt\n?? gitops/new.txt" {
		t.Errorf("status after git commit: %q", got)
	}
}

func TestCommitSeveralFilesAndNewFile(t *testing.T) {
	gitEnv(t)
	dir := newRepo(t)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := []File{
		{Path: "gitops/charts/backend/values.yaml", Content: []byte("image:\n  tag: v3\n")},
		{Path: "gitops/charts/frontend/values.yaml", Content: []byte("image:\n  tag: v3\n")},
		{Path: "gitops/charts/new/deep/values.yaml", Content: []byte("x: 1\n")},
	}
	for _, f := range files {
		write(t, r.Abs(f.Path), string(f.Content))
	}
	if _, err := r.Commit(CommitOptions{Files: files, Message: "several", Author: sig("A"), Committer: sig("A")}); err != nil {
		t.Fatal(err)
	}
	if got := gitCLI(t, dir, "status", "--porcelain"); got != "" {
		t.Errorf("status: %q", got)
	}
	if got := gitCLI(t, dir, "show", "--name-only", "--format=", "HEAD"); got != "gitops/charts/backend/values.yaml\ngitops/charts/frontend/values.yaml\ngitops/charts/new/deep/values.yaml" {
		t.Errorf("files: %q", got)
	}
	gitCLI(t, dir, "fsck", "--strict", "--no-progress")
	// Committing the same content again is refused as empty.
	if _, err := r.Commit(CommitOptions{Files: files[:1], Message: "again", Author: sig("A"), Committer: sig("A")}); err != ErrNothingToCommit {
		t.Errorf("err = %v, want ErrNothingToCommit", err)
	}
}

func TestCheckClean(t *testing.T) {
	gitEnv(t)
	dir := newRepo(t)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	rel := "gitops/charts/backend/values.yaml"
	write(t, r.Abs(rel), "image:\n  tag: dirty\n")
	if err := r.CheckClean(rel); err == nil || !strings.Contains(err.Error(), "uncommitted changes") {
		t.Errorf("unstaged: %v", err)
	}
	gitCLI(t, dir, "add", rel)
	if err := r.CheckClean(rel); err == nil || !strings.Contains(err.Error(), "staged changes") {
		t.Errorf("staged: %v", err)
	}
	write(t, r.Abs("gitops/untracked.yaml"), "x: 1\n")
	if err := r.CheckClean("gitops/untracked.yaml"); err == nil || !strings.Contains(err.Error(), "not committed") {
		t.Errorf("untracked: %v", err)
	}
	if _, err := r.Rel(filepath.Join(t.TempDir(), "x.yaml")); err == nil {
		t.Error("Rel outside the work tree: no error")
	}
}

func TestSignatures(t *testing.T) {
	gitEnv(t)
	dir := newRepo(t)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1700000000, 0)
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }

	// Nothing configured anywhere.
	if _, _, err := r.Signatures(IdentityOptions{Getenv: getenv, Now: now}); err == nil || !strings.Contains(err.Error(), "no git identity") {
		t.Errorf("no identity: %v", err)
	}
	// Global config.
	gitCLI(t, dir, "config", "--global", "user.name", "Global User")
	gitCLI(t, dir, "config", "--global", "user.email", "global@example.com")
	r, _ = Open(dir)
	a, c, err := r.Signatures(IdentityOptions{Getenv: getenv, Now: now})
	if err != nil || a.Name != "Global User" || c.Email != "global@example.com" {
		t.Errorf("global: %v %v %v", a, c, err)
	}
	// Repository config wins over global.
	gitCLI(t, dir, "config", "user.name", "Repo User")
	gitCLI(t, dir, "config", "user.email", "repo@example.com")
	r, _ = Open(dir)
	a, c, _ = r.Signatures(IdentityOptions{Getenv: getenv, Now: now})
	if a.Name != "Repo User" || c.Name != "Repo User" {
		t.Errorf("repo: %v %v", a, c)
	}
	// The environment wins over config.
	env["GIT_AUTHOR_NAME"], env["GIT_AUTHOR_EMAIL"] = "Env A", "enva@example.com"
	env["GIT_COMMITTER_NAME"] = "Env C"
	a, c, _ = r.Signatures(IdentityOptions{Getenv: getenv, Now: now})
	if a.Name != "Env A" || a.Email != "enva@example.com" || c.Name != "Env C" || c.Email != "repo@example.com" {
		t.Errorf("env: %v %v", a, c)
	}
	// The flag wins over everything, for the author.
	a, c, _ = r.Signatures(IdentityOptions{Author: "Flag Person <flag@example.com>", Getenv: getenv, Now: now})
	if a.Name != "Flag Person" || a.Email != "flag@example.com" || c.Name != "Env C" || !a.When.Equal(now) {
		t.Errorf("flag: %v %v", a, c)
	}
	if _, _, err := r.Signatures(IdentityOptions{Author: "no email", Getenv: getenv}); err == nil {
		t.Error("bad --author: no error")
	}
}

func TestSignoff(t *testing.T) {
	who := object.Signature{Name: "B", Email: "b@x"}
	for in, want := range map[string]string{
		"subject\n":                         "subject\n\nSigned-off-by: B <b@x>\n",
		"subject\n\nbody\n":                 "subject\n\nbody\n\nSigned-off-by: B <b@x>\n",
		"subject\n\nAcked-by: C <c@x>\n":    "subject\n\nAcked-by: C <c@x>\nSigned-off-by: B <b@x>\n",
		"subject\n\nSigned-off-by: B <b@x>": "subject\n\nSigned-off-by: B <b@x>",
	} {
		if got := addSignoff(in, who); got != want {
			t.Errorf("addSignoff(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBackoff(t *testing.T) {
	lo := func() float64 { return 0 }
	hi := func() float64 { return 0.999 }
	if d := Backoff(1, lo); d != 100*time.Millisecond {
		t.Errorf("Backoff(1, lo) = %v", d)
	}
	if d := Backoff(3, lo); d != 400*time.Millisecond {
		t.Errorf("Backoff(3, lo) = %v", d)
	}
	if d := Backoff(30, hi); d > 7500*time.Millisecond || d < 7*time.Second {
		t.Errorf("Backoff(30, hi) = %v", d)
	}
}

func readFileT(p string) ([]byte, error)  { return os.ReadFile(p) }
func writeFileT(p string, b []byte) error { return os.WriteFile(p, b, 0o644) }

// A linked work tree (git worktree add) keeps its own index and HEAD.
func TestCommitInLinkedWorktree(t *testing.T) {
	gitEnv(t)
	dir := newRepo(t)
	wt := filepath.Join(t.TempDir(), "wt")
	gitCLI(t, dir, "worktree", "add", "-q", "-b", "side", wt)
	r, err := Open(filepath.Join(wt, "gitops"))
	if err != nil {
		t.Fatal(err)
	}
	rel := "gitops/charts/backend/values.yaml"
	if err := r.CheckClean(rel); err != nil {
		t.Fatal(err)
	}
	write(t, r.Abs(rel), "image:\n  tag: side\n")
	if _, err := r.Commit(CommitOptions{Files: []File{{Path: rel, Content: []byte("image:\n  tag: side\n")}}, Message: "side", Author: sig("A"), Committer: sig("A")}); err != nil {
		t.Fatal(err)
	}
	if got := gitCLI(t, wt, "log", "--format=%s", "-1", "side"); got != "side" {
		t.Errorf("side branch: %q", got)
	}
	if got := gitCLI(t, dir, "log", "--format=%s", "-1", "main"); got != "initial" {
		t.Errorf("main moved: %q", got)
	}
	for _, d := range []string{wt, dir} {
		if got := gitCLI(t, d, "status", "--porcelain"); got != "" {
			t.Errorf("status in %s: %q", d, got)
		}
	}
	gitCLI(t, dir, "fsck", "--strict", "--no-progress")
}

// A held index.lock (another git command running) stops the commit before
// anything is created.
func TestCommitRespectsIndexLock(t *testing.T) {
	gitEnv(t)
	dir := newRepo(t)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	head := gitCLI(t, dir, "rev-parse", "HEAD")
	write(t, filepath.Join(dir, ".git", "index.lock"), "")
	rel := "gitops/charts/backend/values.yaml"
	write(t, r.Abs(rel), "image:\n  tag: v2\n")
	_, err = r.Commit(CommitOptions{Files: []File{{Path: rel, Content: []byte("image:\n  tag: v2\n")}}, Message: "x", Author: sig("A"), Committer: sig("A")})
	if err == nil || !strings.Contains(err.Error(), "another git process is running") {
		t.Fatalf("err = %v", err)
	}
	if got := gitCLI(t, dir, "rev-parse", "HEAD"); got != head {
		t.Errorf("HEAD moved to %s", got)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git", "index.lock")); err != nil {
		t.Errorf("someone else's lock was removed: %v", err)
	}
}
