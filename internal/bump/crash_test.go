package bump

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
	"time"

	"github.com/gitopsctl/gitopsctl/internal/gitx"
)

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimRight(string(out), "\n")
}

func gitRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("needs git")
	}
	home := t.TempDir()
	for k, v := range map[string]string{
		"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, ".config"), "GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.com",
		"GIT_COMMITTER_NAME": "C", "GIT_COMMITTER_EMAIL": "c@example.com",
	} {
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "charts", "backend"), 0o755)
	os.WriteFile(filepath.Join(dir, "charts", "backend", "values.yaml"), []byte("image:\n  tag: v1 # ci\n"), 0o644)
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "init")
	return dir
}

func opts(dir, tag string) Options {
	return Options{RepoDir: dir, Services: []string{"backend"}, Tag: tag, Getenv: os.Getenv, Now: func() time.Time { return time.Unix(1700000000, 0) }}
}

// TestBumpCrashHelper is not a test: run by TestKilledBumpIsFinishedByRerun
// in a child process, it bumps and waits at CRASH_AT to be killed.
func TestBumpCrashHelper(t *testing.T) {
	dir, at := os.Getenv("GITOPSCTL_CRASH_DIR"), os.Getenv("GITOPSCTL_CRASH_AT")
	if dir == "" {
		t.Skip("helper process only")
	}
	gitx.SetCrashHook(func(p string) {
		if p == at {
			os.Stdout.WriteString("ready\n")
			select {}
		}
	})
	_, err := Run(context.Background(), opts(dir, "v2"))
	t.Fatalf("never stopped at %s: %v", at, err)
}

func killBumpAt(t *testing.T, dir, at string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBumpCrashHelper$")
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
	var seen []string
	for sc.Scan() && sc.Text() != "ready" {
		seen = append(seen, sc.Text())
	}
	if sc.Text() != "ready" {
		cmd.Wait()
		t.Fatalf("helper never reached %s:\n%s", at, strings.Join(seen, "\n"))
	}
	cmd.Process.Signal(syscall.SIGKILL)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("helper did not die of SIGKILL: %v", err)
	}
}

// kill -9 during bump's commit: the branch is intact, git fsck is clean,
// the next bump stops at the stale lock with nothing changed, and once the
// lock is removed it finishes the job instead of saying "already at".
func TestKilledBumpIsFinishedByRerun(t *testing.T) {
	for _, tc := range []struct{ at, resumed string }{
		{"ref-lock", "commit"},
		{"index", "index"},
	} {
		t.Run(tc.at, func(t *testing.T) {
			dir := gitRepo(t)
			values := filepath.Join(dir, "charts", "backend", "values.yaml")
			old := git(t, dir, "rev-parse", "HEAD")
			killBumpAt(t, dir, tc.at)
			git(t, dir, "fsck", "--strict", "--no-progress")
			if tc.at == "ref-lock" {
				if got := git(t, dir, "rev-parse", "main"); got != old {
					t.Errorf("main moved to %s", got)
				}
			}
			edited, _ := os.ReadFile(values)
			if string(edited) != "image:\n  tag: v2 # ci\n" {
				t.Fatalf("values.yaml after the kill: %q", edited)
			}

			_, err := Run(context.Background(), opts(dir, "v2"))
			if !errors.Is(err, gitx.ErrLocked) || !strings.Contains(err.Error(), "(.git/index.lock exists); if none is, remove it") {
				t.Fatalf("rerun with the stale lock: %v", err)
			}
			if got, _ := os.ReadFile(values); string(got) != string(edited) {
				t.Errorf("values.yaml touched: %q", got)
			}
			os.Remove(filepath.Join(dir, ".git", "index.lock"))
			os.Remove(filepath.Join(dir, ".git", "refs", "heads", "main.lock"))

			res, err := Run(context.Background(), opts(dir, "v2"))
			if err != nil {
				t.Fatal(err)
			}
			if res.Services[0].Resumed != tc.resumed {
				t.Errorf("resumed = %q, want %q (%+v)", res.Services[0].Resumed, tc.resumed, res)
			}
			if got := git(t, dir, "log", "--format=%s", "-2"); got != "backend: bump image tag to v2\ninit" {
				t.Errorf("log: %q", got)
			}
			if got := git(t, dir, "status", "--porcelain"); got != "" {
				t.Errorf("status: %q", got)
			}
			git(t, dir, "fsck", "--strict", "--no-progress")

			// Done now: another run has nothing to do.
			res, err = Run(context.Background(), opts(dir, "v2"))
			if err != nil || res.Changed() || res.Services[0].Resumed != "" {
				t.Errorf("third run: %+v %v", res, err)
			}
		})
	}
}

// Contention on the index lock: nothing is edited; after the lock goes
// away, the same command commits.
func TestIndexLockHeldLeavesFilesAlone(t *testing.T) {
	dir := gitRepo(t)
	values := filepath.Join(dir, "charts", "backend", "values.yaml")
	os.WriteFile(filepath.Join(dir, ".git", "index.lock"), nil, 0o644)
	_, err := Run(context.Background(), opts(dir, "v2"))
	if err == nil || !strings.Contains(err.Error(), "another git process is running in ") {
		t.Fatalf("err = %v", err)
	}
	if got, _ := os.ReadFile(values); string(got) != "image:\n  tag: v1 # ci\n" {
		t.Errorf("values.yaml edited: %q", got)
	}
	os.Remove(filepath.Join(dir, ".git", "index.lock"))
	res, err := Run(context.Background(), opts(dir, "v2"))
	if err != nil || !res.Changed() || res.Commit == "" || res.Services[0].Resumed != "" {
		t.Fatalf("%+v %v", res, err)
	}
}

// A ref lock held by someone else makes the commit fail after the edit:
// the edit is undone.
func TestRefLockHeldRestoresFile(t *testing.T) {
	dir := gitRepo(t)
	values := filepath.Join(dir, "charts", "backend", "values.yaml")
	os.WriteFile(filepath.Join(dir, ".git", "refs", "heads", "main.lock"), nil, 0o644)
	_, err := Run(context.Background(), opts(dir, "v2"))
	if err == nil || !strings.Contains(err.Error(), "(.git/refs/heads/main.lock exists)") {
		t.Fatalf("err = %v", err)
	}
	if got, _ := os.ReadFile(values); string(got) != "image:\n  tag: v1 # ci\n" {
		t.Errorf("values.yaml left edited: %q", got)
	}
	if got := git(t, dir, "status", "--porcelain"); got != "" {
		t.Errorf("status: %q", got)
	}
}

// The file holds the tag plus another uncommitted change: not an earlier
// bump's leftover, so it is refused rather than committed.
func TestAlreadyAtTagWithOtherChangesRefused(t *testing.T) {
	dir := gitRepo(t)
	values := filepath.Join(dir, "charts", "backend", "values.yaml")
	os.WriteFile(values, []byte("image:\n  tag: v2 # ci\nextra: 1\n"), 0o644)
	_, err := Run(context.Background(), opts(dir, "v2"))
	if err == nil || !strings.Contains(err.Error(), "already has the new value but also other uncommitted changes") {
		t.Fatalf("err = %v", err)
	}
	if got := git(t, dir, "log", "--format=%s"); got != "init" {
		t.Errorf("log: %q", got)
	}
}

// A push to a remote that never answers fails with a timeout; the commit
// stays local and a later run pushes it.
func TestPushTimeoutThenRerun(t *testing.T) {
	dir := gitRepo(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var held []net.Conn
		for {
			c, err := ln.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			held = append(held, c)
		}
	}()
	git(t, dir, "remote", "add", "origin", "http://"+ln.Addr().String()+"/gitops.git")
	o := opts(dir, "v2")
	o.Push, o.Timeout = true, time.Second
	o.Getenv = func(k string) string {
		if strings.HasSuffix(k, "_TOKEN") {
			return ""
		}
		return os.Getenv(k)
	}
	_, err = Run(context.Background(), o)
	if !errors.Is(err, gitx.ErrTimeout) || !strings.Contains(err.Error(), "made locally; push to origin main: http://"+ln.Addr().String()+"/gitops.git gave no answer within 1s") {
		t.Fatalf("err = %v", err)
	}
	if got := git(t, dir, "log", "-1", "--format=%s"); got != "backend: bump image tag to v2" {
		t.Errorf("log: %q", got)
	}

	remote := filepath.Join(t.TempDir(), "remote.git")
	git(t, dir, "init", "-q", "--bare", "-b", "main", remote)
	git(t, dir, "remote", "set-url", "origin", remote)
	// The rerun pushes for real: give it room on a loaded machine.
	o.Timeout = time.Minute
	res, err := Run(context.Background(), o)
	if err != nil || res.Resumed != "push" || !res.Pushed {
		t.Fatalf("rerun: %+v %v", res, err)
	}
	if got, want := git(t, remote, "rev-parse", "main"), git(t, dir, "rev-parse", "main"); got != want {
		t.Errorf("remote main %s, local %s", got, want)
	}
}
