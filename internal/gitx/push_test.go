package gitx

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitopsctl/gitopsctl/internal/yamledit"
)

// newRemote makes a bare repository seeded from newRepo and returns its
// path and a function cloning it.
func newRemote(t *testing.T) (string, func() string) {
	t.Helper()
	seed := newRepo(t)
	remote := filepath.Join(t.TempDir(), "remote.git")
	gitCLI(t, seed, "init", "-q", "--bare", "-b", "main", remote)
	gitCLI(t, seed, "push", "-q", remote, "main")
	return remote, func() string {
		dir := filepath.Join(t.TempDir(), "clone")
		gitCLI(t, filepath.Dir(dir), "clone", "-q", remote, dir)
		return dir
	}
}

// bumper edits service's values file in the clone at dir to tag, commits
// and pushes, re-applying the edit on the remote tip when rejected.
func bumper(t *testing.T, dir, service, tag string, retries int) (PushResult, error) {
	r, err := Open(dir)
	if err != nil {
		return PushResult{}, err
	}
	rel := "gitops/charts/" + service + "/values.yaml"
	edit := func(src []byte) (CommitOptions, error) {
		out, ch, err := yamledit.Set(src, yamledit.Path{"image", "tag"}, tag)
		if err != nil || !ch.Changed {
			return CommitOptions{}, err
		}
		return CommitOptions{
			Files:     []File{{Path: rel, Content: out}},
			Message:   fmt.Sprintf("%s: bump image tag to %s", service, tag),
			Author:    sig("Bot " + filepath.Base(filepath.Dir(dir))),
			Committer: sig("Bot"),
		}, nil
	}
	src, err := readFileT(r.Abs(rel))
	if err != nil {
		return PushResult{}, err
	}
	co, err := edit(src)
	if err != nil {
		return PushResult{}, err
	}
	if len(co.Files) > 0 {
		if err := writeFileT(r.Abs(rel), co.Files[0].Content); err != nil {
			return PushResult{}, err
		}
		if _, err := r.Commit(co); err != nil {
			return PushResult{}, err
		}
	}
	return r.Push(context.Background(), PushOptions{
		Retries: retries,
		Redo: func(read func(string) ([]byte, error)) (CommitOptions, error) {
			src, err := read(rel)
			if err != nil {
				return CommitOptions{}, err
			}
			return edit(src)
		},
		Sleep: func(time.Duration) {},
		Rand:  func() float64 { return 0.5 },
	})
}

func TestPushRejectedThenReapplied(t *testing.T) {
	gitEnv(t)
	remote, clone := newRemote(t)
	a, b := clone(), clone()
	// b has local work elsewhere that must survive the move onto the tip.
	write(t, filepath.Join(b, "gitops/unstaged.txt"), "local edit\n")

	ra, err := bumper(t, a, "backend", "v2", 3)
	if err != nil || !ra.Pushed || ra.Attempts != 1 {
		t.Fatalf("a: %+v %v", ra, err)
	}
	rb, err := bumper(t, b, "frontend", "v7", 3)
	if err != nil || !rb.Pushed || rb.Attempts != 2 {
		t.Fatalf("b: %+v %v", rb, err)
	}
	log := gitCLI(t, remote, "log", "--format=%s", "main")
	if log != "frontend: bump image tag to v7\nbackend: bump image tag to v2\ninitial" {
		t.Errorf("remote log:\n%s", log)
	}
	if merges := gitCLI(t, remote, "rev-list", "--merges", "main"); merges != "" {
		t.Errorf("merge commits: %s", merges)
	}
	gitCLI(t, remote, "fsck", "--strict", "--no-progress")
	// b is now on the remote tip with a's change in its work tree and its
	// own unstaged edit kept.
	if got := gitCLI(t, b, "rev-parse", "HEAD"); got != gitCLI(t, remote, "rev-parse", "main") {
		t.Errorf("b HEAD %s is not the remote tip", got)
	}
	if got := gitCLI(t, b, "status", "--porcelain"); got != " M gitops/unstaged.txt" {
		t.Errorf("b status: %q", got)
	}
	if got := gitCLI(t, b, "show", "HEAD:gitops/charts/backend/values.yaml"); !strings.Contains(got, "tag: v2") {
		t.Errorf("b misses a's change: %s", got)
	}
	gitCLI(t, b, "fsck", "--strict", "--no-progress")
}

func TestPushAlreadyThere(t *testing.T) {
	gitEnv(t)
	remote, clone := newRemote(t)
	a, b := clone(), clone()
	if _, err := bumper(t, a, "backend", "v2", 3); err != nil {
		t.Fatal(err)
	}
	rb, err := bumper(t, b, "backend", "v2", 3)
	if err != nil || rb.Pushed || !rb.AlreadyThere {
		t.Fatalf("b: %+v %v", rb, err)
	}
	if n := gitCLI(t, remote, "rev-list", "--count", "main"); n != "2" {
		t.Errorf("remote has %s commits, want 2", n)
	}
	if got, want := gitCLI(t, b, "rev-parse", "HEAD"), gitCLI(t, remote, "rev-parse", "main"); got != want {
		t.Errorf("b HEAD %s, remote %s", got, want)
	}
	if got := gitCLI(t, b, "status", "--porcelain"); got != "" {
		t.Errorf("b status: %q", got)
	}
}

func TestPushGivesUpAfterRetries(t *testing.T) {
	gitEnv(t)
	_, clone := newRemote(t)
	a, b := clone(), clone()
	if _, err := bumper(t, a, "backend", "v2", 0); err != nil {
		t.Fatal(err)
	}
	_, err := bumper(t, b, "frontend", "v2", 0)
	if err == nil || !strings.Contains(err.Error(), "still rejected after 1 attempts") {
		t.Fatalf("err = %v", err)
	}
	// Never forced: the remote keeps a's commit.
}

func TestPushRefusesToOverwriteLocalChanges(t *testing.T) {
	gitEnv(t)
	_, clone := newRemote(t)
	a, b := clone(), clone()
	// a changes a file that b has modified locally.
	write(t, filepath.Join(a, "gitops/unstaged.txt"), "from a\n")
	gitCLI(t, a, "commit", "-q", "-am", "a edits unstaged.txt")
	gitCLI(t, a, "push", "-q", "origin", "main")
	write(t, filepath.Join(b, "gitops/unstaged.txt"), "b local\n")
	_, err := bumper(t, b, "frontend", "v2", 3)
	if err == nil || !strings.Contains(err.Error(), "local changes to gitops/unstaged.txt would be overwritten") {
		t.Fatalf("err = %v", err)
	}
	if got := gitCLI(t, b, "status", "--porcelain"); got != " M gitops/unstaged.txt" {
		t.Errorf("b status: %q", got)
	}
}

func TestPushRefusesWhenLocalCommitsWouldBeLost(t *testing.T) {
	gitEnv(t)
	_, clone := newRemote(t)
	a, b := clone(), clone()
	if _, err := bumper(t, a, "backend", "v2", 3); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(b, "gitops/staged.txt"), "unpushed\n")
	gitCLI(t, b, "commit", "-q", "-am", "unpushed local work")
	_, err := bumper(t, b, "frontend", "v2", 3)
	if err == nil || !strings.Contains(err.Error(), "commits that are not on the remote") {
		t.Fatalf("err = %v", err)
	}
	if got := gitCLI(t, b, "log", "--format=%s", "-2"); got != "frontend: bump image tag to v2\nunpushed local work" {
		t.Errorf("b log: %q", got)
	}
}

func TestPushDetachedHead(t *testing.T) {
	gitEnv(t)
	remote, clone := newRemote(t)
	a := clone()
	gitCLI(t, a, "checkout", "-q", "--detach")
	r, _ := Open(a)
	if _, err := r.Push(context.Background(), PushOptions{}); err == nil || !strings.Contains(err.Error(), "--branch") {
		t.Errorf("detached without branch: %v", err)
	}
	b := clone()
	if _, err := bumper(t, b, "backend", "v3", 3); err != nil {
		t.Fatal(err)
	}
	rel := "gitops/charts/frontend/values.yaml"
	write(t, r.Abs(rel), "image:\n  tag: v9\n")
	if _, err := r.Commit(CommitOptions{Files: []File{{Path: rel, Content: []byte("image:\n  tag: v9\n")}}, Message: "frontend", Author: sig("A"), Committer: sig("A")}); err != nil {
		t.Fatal(err)
	}
	res, err := r.Push(context.Background(), PushOptions{Branch: "main", Retries: 2, Sleep: func(time.Duration) {},
		Redo: func(read func(string) ([]byte, error)) (CommitOptions, error) {
			return CommitOptions{Files: []File{{Path: rel, Content: []byte("image:\n  tag: v9\n")}}, Message: "frontend", Author: sig("A"), Committer: sig("A")}, nil
		}})
	if err != nil || !res.Pushed {
		t.Fatalf("%+v %v", res, err)
	}
	if got := gitCLI(t, remote, "log", "--format=%s", "main"); got != "frontend\nbackend: bump image tag to v3\ninitial" {
		t.Errorf("remote log: %q", got)
	}
	if refs := gitCLI(t, a, "for-each-ref", "refs/gitopsctl"); refs != "" {
		t.Errorf("temporary ref left: %s", refs)
	}
}

// Several bumpers race on one remote: every bump lands, none is lost, and
// the history stays linear.
func TestPushRace(t *testing.T) {
	gitEnv(t)
	remote, clone := newRemote(t)
	services := []string{"backend", "frontend", "backend", "frontend"}
	dirs := make([]string, len(services))
	for i := range dirs {
		dirs[i] = clone()
	}
	var wg sync.WaitGroup
	errs := make([]error, len(services))
	for i, svc := range services {
		wg.Add(1)
		go func(i int, svc string) {
			defer wg.Done()
			_, errs[i] = bumper(t, dirs[i], svc, fmt.Sprintf("v%d", 10+i), 10)
		}(i, svc)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("bumper %d: %v", i, err)
		}
	}
	log := gitCLI(t, remote, "log", "--format=%s", "main")
	for i, svc := range services {
		if !strings.Contains(log, fmt.Sprintf("%s: bump image tag to v%d", svc, 10+i)) {
			t.Errorf("bump %d lost:\n%s", i, log)
		}
	}
	if n := gitCLI(t, remote, "rev-list", "--count", "main"); n != fmt.Sprint(len(services)+1) {
		t.Errorf("remote has %s commits:\n%s", n, log)
	}
	if merges := gitCLI(t, remote, "rev-list", "--merges", "main"); merges != "" {
		t.Errorf("merge commits: %s", merges)
	}
	gitCLI(t, remote, "fsck", "--strict", "--no-progress")
}
