// Package gittest runs the real git CLI in tests, isolated from the
// machine's git configuration and with a fixed identity, so tests can build
// repositories with git itself and read back what gitopsctl wrote.
package gittest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Env is the environment git runs with: no system config, HOME set to dir
// (so no global config either) and a fixed author and committer.
func Env(dir string) []string {
	return append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir,
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
}

// Run runs git in dir and returns its combined output, trimmed; a failure
// ends the test with git's output. The test is skipped when git is missing.
func Run(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := command(t, dir, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Output runs git in dir and returns its standard output as is.
func Output(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := command(t, dir, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

func command(t testing.TB, dir string, args ...string) *exec.Cmd {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = Env(dir)
	return cmd
}
