package gitx

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

func bumpCommit(r *Repo, tag string) (plumbing.Hash, error) {
	rel := "gitops/charts/backend/values.yaml"
	content := []byte("image:\n  tag: " + tag + "\n")
	if err := os.WriteFile(r.Abs(rel), content, 0o644); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.Commit(CommitOptions{Files: []File{{Path: rel, Content: content}}, Message: "backend: bump image tag to " + tag + "\n\nbody", Author: sig("Alice"), Committer: sig("Bob")})
}

// The branch moves as git moves it: a loose ref holding the new id, a
// reflog entry for the branch and for HEAD in git's format, no lock left.
func TestCommitWritesRefAndReflogLikeGit(t *testing.T) {
	gitEnv(t)
	dir := newRepo(t)
	old := gitCLI(t, dir, "rev-parse", "HEAD")
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	h, err := bumpCommit(r, "v2")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, ".git/refs/heads/main"))
	if err != nil || string(data) != h.String()+"\n" {
		t.Fatalf("refs/heads/main = %q, %v", data, err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git/refs/heads/main.lock")); !os.IsNotExist(err) {
		t.Errorf("lock left behind: %v", err)
	}
	want := old + " " + h.String() + " Bob <bob@example.com> 1700000000 +0000\tcommit: backend: bump image tag to v2"
	for _, log := range []string{".git/logs/refs/heads/main", ".git/logs/HEAD"} {
		data, err := os.ReadFile(filepath.Join(dir, log))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		if got := lines[len(lines)-1]; got != want {
			t.Errorf("%s last entry:\n%s\nwant\n%s", log, got, want)
		}
	}
	if got := gitCLI(t, dir, "reflog", "-1", "--format=%H %gs", "main"); got != h.String()+" commit: backend: bump image tag to v2" {
		t.Errorf("git reflog main: %q", got)
	}
	if got := gitCLI(t, dir, "reflog", "-2", "--format=%gs", "HEAD"); got != "commit: backend: bump image tag to v2\ncommit (initial): initial" {
		t.Errorf("git reflog HEAD: %q", got)
	}
	if got := gitCLI(t, dir, "rev-parse", "main@{1}"); got != old {
		t.Errorf("main@{1} = %s, want %s", got, old)
	}
	gitCLI(t, dir, "fsck", "--strict", "--no-progress", "--no-dangling")
	// The objects are loose, complete, readable by git.
	if got := gitCLI(t, dir, "cat-file", "-t", h.String()); got != "commit" {
		t.Errorf("cat-file -t: %q", got)
	}
}

// A branch only in packed-refs gets a loose ref written the same way;
// packed-refs is left alone.
func TestCommitOnPackedRef(t *testing.T) {
	gitEnv(t)
	dir := newRepo(t)
	gitCLI(t, dir, "pack-refs", "--all", "--prune")
	if _, err := os.Stat(filepath.Join(dir, ".git/refs/heads/main")); !os.IsNotExist(err) {
		t.Fatalf("main still loose: %v", err)
	}
	packed, _ := os.ReadFile(filepath.Join(dir, ".git/packed-refs"))
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	h, err := bumpCommit(r, "v2")
	if err != nil {
		t.Fatal(err)
	}
	if got := gitCLI(t, dir, "rev-parse", "main"); got != h.String() {
		t.Errorf("main = %s, want %s", got, h)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, ".git/packed-refs")); string(after) != string(packed) {
		t.Errorf("packed-refs changed")
	}
	// And again, now from the loose ref.
	h2, err := bumpCommit(r, "v3")
	if err != nil {
		t.Fatal(err)
	}
	if got := gitCLI(t, dir, "log", "--format=%H", "-2"); got != h2.String()+"\n"+h.String() {
		t.Errorf("log: %q", got)
	}
	gitCLI(t, dir, "fsck", "--strict", "--no-progress")
}

// updateRef is a compare-and-swap: a reference that moved meanwhile is
// left alone, and so is a lock another process holds.
func TestUpdateRefCompareAndSwap(t *testing.T) {
	gitEnv(t)
	dir := newRepo(t)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	head := plumbing.NewHash(gitCLI(t, dir, "rev-parse", "HEAD"))
	other := plumbing.NewHash(strings.Repeat("1", 40))
	err = r.updateRef(refUpdate{name: "refs/heads/main", old: other, new: other, who: sig("A"), msg: "x"})
	if err == nil || !strings.Contains(err.Error(), "moved from") {
		t.Fatalf("stale old value accepted: %v", err)
	}
	if got := gitCLI(t, dir, "rev-parse", "main"); got != head.String() {
		t.Errorf("main = %s", got)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git/refs/heads/main.lock")); !os.IsNotExist(err) {
		t.Errorf("own lock left behind: %v", err)
	}

	lock := filepath.Join(dir, ".git/refs/heads/main.lock")
	write(t, lock, "")
	_, err = bumpCommit(r, "v2")
	if err == nil || !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "another git process is running in") || !strings.Contains(err.Error(), "(.git/refs/heads/main.lock exists); if none is, remove it") {
		t.Fatalf("held ref lock: %v", err)
	}
	if _, err := os.Stat(lock); err != nil {
		t.Errorf("someone else's ref lock was removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git/index.lock")); !os.IsNotExist(err) {
		t.Errorf("index lock left behind: %v", err)
	}
	if got := gitCLI(t, dir, "rev-parse", "main"); got != head.String() {
		t.Errorf("main = %s", got)
	}
	os.Remove(lock)
	if _, err := bumpCommit(r, "v2"); err != nil {
		t.Fatal(err)
	}
	gitCLI(t, dir, "fsck", "--strict", "--no-progress")
}

// A branch file emptied by an earlier crash (as go-git's in-place write
// could leave it) is reported, not overwritten blindly.
func TestCommitOnBrokenRef(t *testing.T) {
	gitEnv(t)
	dir := newRepo(t)
	write(t, filepath.Join(dir, ".git/refs/heads/main"), "")
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bumpCommit(r, "v2"); err == nil {
		t.Fatal("commit on an empty ref file succeeded")
	}
}

// TestCrashHelper is not a test: run by TestKilledDuringCommit in a child
// process, it commits and stops at the point named by CRASH_AT, says
// "ready" and waits there to be killed.
func TestCrashHelper(t *testing.T) {
	dir, at := os.Getenv("GITOPSCTL_CRASH_DIR"), os.Getenv("GITOPSCTL_CRASH_AT")
	if dir == "" {
		t.Skip("helper process only")
	}
	crashHook = func(p string) {
		if p == at {
			os.Stdout.WriteString("ready\n")
			select {}
		}
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bumpCommit(r, "v2"); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("never stopped at %s", at)
}

// killAt runs a commit in a child process and kills it with SIGKILL at
// the named point of the write.
func killAt(t *testing.T, dir, at string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
	cmd.Env = append(os.Environ(), "GITOPSCTL_CRASH_DIR="+dir, "GITOPSCTL_CRASH_AT="+at)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	ready := false
	var seen []string
	for sc.Scan() {
		if sc.Text() == "ready" {
			ready = true
			break
		}
		seen = append(seen, sc.Text())
	}
	if !ready {
		cmd.Wait()
		t.Fatalf("helper never reached %s:\n%s", at, strings.Join(seen, "\n"))
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("helper did not die of SIGKILL: %v", err)
	}
}

// kill -9 in the middle of the branch update leaves the branch at the old
// commit or the new one, git fsck clean, and the locks git would leave;
// once they are removed, as the error says, the next commit works.
func TestKilledDuringCommit(t *testing.T) {
	for _, tc := range []struct {
		at      string
		moved   bool
		refLock bool
	}{
		{at: "ref-lock", moved: false, refLock: true},
		{at: "ref-renamed", moved: true},
		{at: "index", moved: true},
	} {
		t.Run(tc.at, func(t *testing.T) {
			gitEnv(t)
			dir := newRepo(t)
			old := gitCLI(t, dir, "rev-parse", "HEAD")
			killAt(t, dir, tc.at)

			data, err := os.ReadFile(filepath.Join(dir, ".git/refs/heads/main"))
			if err != nil || !plumbing.IsHash(strings.TrimSpace(string(data))) {
				t.Fatalf("refs/heads/main after the kill: %q %v", data, err)
			}
			head := gitCLI(t, dir, "rev-parse", "main")
			if (head != old) != tc.moved {
				t.Errorf("main = %s (old %s), moved want %v", head, old, tc.moved)
			}
			if tc.moved {
				if got := gitCLI(t, dir, "log", "-1", "--format=%s"); got != "backend: bump image tag to v2" {
					t.Errorf("log: %q", got)
				}
				if got := gitCLI(t, dir, "reflog", "-1", "--format=%gs", "main"); got != "commit: backend: bump image tag to v2" {
					t.Errorf("reflog: %q", got)
				}
			}
			gitCLI(t, dir, "fsck", "--strict", "--no-progress")
			_, err = os.Stat(filepath.Join(dir, ".git/refs/heads/main.lock"))
			if (err == nil) != tc.refLock {
				t.Errorf("ref lock present = %v, want %v", err == nil, tc.refLock)
			}

			r, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			_, err = bumpCommit(r, "v3")
			if err == nil || !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "(.git/index.lock exists); if none is, remove it") {
				t.Fatalf("next commit with the stale index lock: %v", err)
			}
			os.Remove(filepath.Join(dir, ".git/index.lock"))
			os.Remove(filepath.Join(dir, ".git/refs/heads/main.lock"))
			h, err := bumpCommit(r, "v3")
			if err != nil {
				t.Fatal(err)
			}
			if got := gitCLI(t, dir, "rev-parse", "main"); got != h.String() {
				t.Errorf("main = %s, want %s", got, h)
			}
			if got := gitCLI(t, dir, "status", "--porcelain"); got != "" {
				t.Errorf("status: %q", got)
			}
			gitCLI(t, dir, "fsck", "--strict", "--no-progress")
		})
	}
}

func TestPlainHTTPCredentialsRefused(t *testing.T) {
	gitEnv(t)
	dir := newRepo(t)
	gitCLI(t, dir, "remote", "add", "origin", "http://git.example.com/acme/gitops.git")
	gitCLI(t, dir, "remote", "add", "pw", "http://bot:s3cret@git.example.com/acme/gitops.git")
	gitCLI(t, dir, "remote", "add", "tls", "https://git.example.com/acme/gitops.git")
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"GITHUB_TOKEN": "tok"}
	getenv := func(k string) string { return env[k] }
	err = r.CheckPush("origin", "", getenv, false)
	if err == nil || !strings.Contains(err.Error(), `refusing to send the token in GITHUB_TOKEN to remote "origin" over plain http (http://git.example.com/acme/gitops.git)`) {
		t.Errorf("token over http: %v", err)
	}
	// Push itself refuses before connecting (the host does not exist).
	_, err = r.Push(context.Background(), PushOptions{Getenv: getenv})
	if err == nil || !strings.Contains(err.Error(), "refusing to send the token") {
		t.Errorf("Push: %v", err)
	}
	err = r.CheckPush("pw", "", func(string) string { return "" }, false)
	if err == nil || !strings.Contains(err.Error(), "the password in its URL") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("password over http: %v", err)
	}
	if err := r.CheckPush("origin", "", getenv, true); err != nil {
		t.Errorf("--allow-insecure-http: %v", err)
	}
	if err := r.CheckPush("origin", "", func(string) string { return "" }, false); err != nil {
		t.Errorf("anonymous http: %v", err)
	}
	if err := r.CheckPush("tls", "", getenv, false); err != nil {
		t.Errorf("https: %v", err)
	}
}

// A remote that accepts the connection and never answers ends in a
// timeout error, not a hang.
func TestPushTimesOut(t *testing.T) {
	gitEnv(t)
	dir := newRepo(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c) // held open, never answered
		}
	}()
	gitCLI(t, dir, "remote", "add", "origin", "http://"+ln.Addr().String()+"/gitops.git")
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bumpCommit(r, "v2"); err != nil {
		t.Fatal(err)
	}
	_, err = r.Push(context.Background(), PushOptions{Timeout: 200 * 1e6, Getenv: func(string) string { return "" }})
	if err == nil || !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "gave no answer within 200ms") {
		t.Fatalf("err = %v", err)
	}
}

// The backoff between retries ends when the context is cancelled.
func TestSleepRespectsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleep(ctx, nil, 1<<62); !errors.Is(err, context.Canceled) {
		t.Errorf("sleep = %v", err)
	}
}
