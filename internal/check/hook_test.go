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

func gitCommit(t *testing.T, dir string, env ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command("git", "commit", "-qm", "c")
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com"), env...)
	return cmd.CombinedOutput()
}

// TestHookBlocksCommit runs the real git CLI: the hook's exit status
// decides the commit. The gitopsctl binary is stood in for by a script
// recording its arguments, so this test is about the hook, not check.
func TestHookBlocksCommit(t *testing.T) {
	f := newFixture(t)
	writeFile(t, f.gitops, ".gitopsctl.yaml", "cluster: prod\n")
	bin := filepath.Join(t.TempDir(), "fake-gitopsctl")
	args := filepath.Join(t.TempDir(), "args")
	os.WriteFile(bin, []byte("#!/bin/sh\necho \"$@\" > "+shellQuote(args)+"\nexit 3\n"), 0o755)
	if _, err := InstallHooks(HookOptions{GitopsDir: f.gitops, ConfigsDir: f.configs, Bin: bin, Configs: true}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{f.gitops, f.configs} {
		if b, _ := os.ReadFile(filepath.Join(d, ".git", "hooks", "pre-commit")); strings.Contains(string(b), d) {
			t.Fatalf("hook names the repository directory %s:\n%s", d, b)
		}
	}
	writeFile(t, f.configs, "backend/config.yaml", "config: {A: b}\n")
	gitRun(t, f.configs, "add", "-A")
	if out, err := gitCommit(t, f.configs); err == nil {
		t.Fatalf("commit went through a failing hook:\n%s", out)
	}
	b, _ := os.ReadFile(args)
	if want := "--quiet --repo " + f.configs + "/../gitops-repo --configs " + f.configs + " check --staged\n"; string(b) != want {
		t.Fatalf("hook ran %q, want %q", b, want)
	}
	writeFile(t, f.gitops, "charts/backend/values.yaml", "image: {tag: v2}\n")
	gitRun(t, f.gitops, "add", "-A")
	if out, err := gitCommit(t, f.gitops); err == nil {
		t.Fatalf("commit went through a failing hook:\n%s", out)
	}
	b, _ = os.ReadFile(args)
	if want := "--quiet --repo " + f.gitops + " check --staged\n"; string(b) != want {
		t.Fatalf("hook ran %q, want %q", b, want)
	}

	// A gitops-repo the configs-repo's hook cannot find fails the commit.
	os.Rename(f.gitops, f.gitops+"-moved")
	out, err := gitCommit(t, f.configs)
	if err == nil || !strings.Contains(string(out), "no gitops-repo (.gitopsctl.yaml) at '../gitops-repo'") {
		t.Fatalf("want a missing gitops-repo to fail the commit, got %v:\n%s", err, out)
	}
	os.Rename(f.gitops+"-moved", f.gitops)

	// A missing binary fails the commit with a message, never passes.
	out, err = gitCommit(t, f.configs, "GITOPSCTL_BIN="+bin+"-missing")
	if err == nil || !strings.Contains(string(out), "cannot run '"+bin+"-missing': no such executable") {
		t.Fatalf("want a missing binary to fail the commit, got %v:\n%s", err, out)
	}
	os.Remove(bin)
	out, err = gitCommit(t, f.configs, "PATH=/usr/bin:/bin")
	if err == nil || !strings.Contains(string(out), "no such executable") {
		t.Fatalf("want a missing binary to fail the commit, got %v:\n%s", err, out)
	}
}

func TestUninstallHooks(t *testing.T) {
	f := newFixture(t)
	hooks := filepath.Join(f.gitops, ".git", "hooks")
	hook := filepath.Join(hooks, "pre-commit")
	os.Remove(hook)
	o := HookOptions{GitopsDir: f.gitops, ConfigsDir: f.configs, Bin: "gitopsctl", Configs: true}
	got, err := UninstallHooks(o)
	if err != nil || len(got) != 2 || got[0].Action != "absent" || got[1].Action != "absent" {
		t.Fatalf("%+v %v", got, err)
	}
	if _, err := InstallHooks(o); err != nil {
		t.Fatal(err)
	}
	if got, err = UninstallHooks(o); err != nil || got[0].Action != "removed" || got[1].Action != "removed" {
		t.Fatalf("%+v %v", got, err)
	}
	for _, d := range []string{f.gitops, f.configs} {
		if _, err := os.Stat(filepath.Join(d, ".git", "hooks", "pre-commit")); err == nil {
			t.Fatalf("%s: hook left behind", d)
		}
	}
	// A foreign hook replaced with --force comes back.
	foreign := "#!/bin/sh\necho mine\n"
	os.WriteFile(hook, []byte(foreign), 0o755)
	if _, err := InstallHooks(HookOptions{GitopsDir: f.gitops, ConfigsDir: f.configs, Bin: "gitopsctl", Force: true}); err != nil {
		t.Fatal(err)
	}
	if got, err = UninstallHooks(HookOptions{GitopsDir: f.gitops, ConfigsDir: f.configs}); err != nil || got[0].Action != "restored" {
		t.Fatalf("%+v %v", got, err)
	}
	if b, _ := os.ReadFile(hook); string(b) != foreign {
		t.Fatalf("foreign hook not restored: %q", b)
	}
	if _, err := os.Stat(hook + ".bak"); err == nil {
		t.Fatal("backup left behind")
	}
	// A foreign hook is never removed, and then nothing is removed anywhere.
	if _, err := InstallHooks(HookOptions{GitopsDir: f.gitops, ConfigsDir: f.configs, Bin: "gitopsctl", Configs: true, Force: true}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(hook, []byte(foreign), 0o755)
	_, err = UninstallHooks(o)
	if err == nil || !strings.Contains(err.Error(), "not written by gitopsctl") {
		t.Fatalf("want refusal, got %v", err)
	}
	if b, _ := os.ReadFile(hook); string(b) != foreign {
		t.Fatal("foreign hook changed")
	}
	if _, err := os.Stat(filepath.Join(f.configs, ".git", "hooks", "pre-commit")); err != nil {
		t.Fatal("configs hook removed although the uninstall was refused")
	}
}
