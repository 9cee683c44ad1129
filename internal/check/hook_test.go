package check

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestInstallHooks(t *testing.T) {
	f := newFixture(t)
	hook := filepath.Join(f.gitops, ".git", "hooks", "pre-commit")
	os.Remove(hook)
	got, err := InstallHooks(HookOptions{GitopsDir: f.gitops, ConfigsDir: f.configs, Bin: "gitopsctl"})
	if err != nil || len(got) != 1 || got[0].Action != "created" || got[0].Path != hook {
		t.Fatalf("%+v %v", got, err)
	}
	fi, err := os.Stat(hook)
	if err != nil || fi.Mode().Perm()&0o111 == 0 {
		t.Fatalf("hook not executable: %v %v", fi, err)
	}
	// Again: updated in place.
	if got, err = InstallHooks(HookOptions{GitopsDir: f.gitops, ConfigsDir: f.configs, Bin: "gitopsctl", Configs: true}); err != nil || got[0].Action != "updated" || got[1].Action != "created" {
		t.Fatalf("%+v %v", got, err)
	}
	// A foreign hook is kept unless --force, and nothing is written.
	foreign := "#!/bin/sh\necho mine\n"
	os.WriteFile(hook, []byte(foreign), 0o755)
	os.Remove(filepath.Join(f.configs, ".git", "hooks", "pre-commit"))
	_, err = InstallHooks(HookOptions{GitopsDir: f.gitops, ConfigsDir: f.configs, Bin: "gitopsctl", Configs: true})
	if err == nil || !strings.Contains(err.Error(), "not written by gitopsctl") {
		t.Fatalf("want refusal, got %v", err)
	}
	if b, _ := os.ReadFile(hook); string(b) != foreign {
		t.Fatal("foreign hook changed")
	}
	if _, err := os.Stat(filepath.Join(f.configs, ".git", "hooks", "pre-commit")); err == nil {
		t.Fatal("configs hook written although the install was refused")
	}
	got, err = InstallHooks(HookOptions{GitopsDir: f.gitops, ConfigsDir: f.configs, Bin: "gitopsctl", Force: true})
	if err != nil || got[0].Action != "replaced" {
		t.Fatalf("%+v %v", got, err)
	}
	if b, _ := os.ReadFile(hook + ".bak"); string(b) != foreign {
		t.Fatal("foreign hook not backed up")
	}
	// core.hooksPath is honoured.
	gitRun(t, f.gitops, "config", "core.hooksPath", ".githooks")
	got, err = InstallHooks(HookOptions{GitopsDir: f.gitops, ConfigsDir: f.configs, Bin: "gitopsctl"})
	if err != nil || got[0].Path != filepath.Join(f.gitops, ".githooks", "pre-commit") {
		t.Fatalf("%+v %v", got, err)
	}
}

// TestHookBlocksCommit runs the real git CLI: the hook's exit status
// decides the commit. The gitopsctl binary is stood in for by a script
// recording its arguments, so this test is about the hook, not check.
func TestHookBlocksCommit(t *testing.T) {
	f := newFixture(t)
	bin := filepath.Join(t.TempDir(), "fake-gitopsctl")
	args := filepath.Join(t.TempDir(), "args")
	os.WriteFile(bin, []byte("#!/bin/sh\necho \"$@\" > "+shellQuote(args)+"\nexit 3\n"), 0o755)
	if _, err := InstallHooks(HookOptions{GitopsDir: f.gitops, ConfigsDir: f.configs, Bin: bin, Configs: true}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, f.configs, "backend/config.yaml", "config: {A: b}\n")
	gitRun(t, f.configs, "add", "-A")
	cmd := exec.Command("git", "commit", "-qm", "blocked")
	cmd.Dir = f.configs
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("commit went through a failing hook:\n%s", out)
	}
	b, _ := os.ReadFile(args)
	if want := "--repo " + f.gitops + " --configs " + f.configs + " check --staged\n"; string(b) != want {
		t.Fatalf("hook ran %q, want %q", b, want)
	}
}
