package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitopsctl/gitopsctl/internal/iostreams"
)

// runCLI runs the command tree in-process with captured streams and env.
func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	io, out, errOut := iostreams.Test()
	for k, v := range env {
		t.Setenv(k, v)
	}
	f := &Factory{IO: io, Now: func() time.Time { return time.Unix(0, 0).UTC() }, Getenv: func(k string) string { return env[k] }, v: newViper()}
	code := run(context.Background(), f, args)
	return code, out.String(), errOut.String()
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		args    []string
		code    int
		errLike string
	}{
		{[]string{"version"}, ExitOK, ""},
		{[]string{"bogus"}, ExitUsage, `unknown command "bogus"`},
		{[]string{"version", "--nope"}, ExitUsage, "unknown flag: --nope"},
		{[]string{"version", "extra"}, ExitUsage, "unknown command"},
		{[]string{"-o", "xml", "version"}, ExitUsage, `invalid argument "xml" for "-o, --output" flag: must be one of text, json, yaml`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, _, stderr := runCLI(t, nil, tc.args...)
			if code != tc.code {
				t.Fatalf("exit code %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if tc.errLike != "" && !strings.Contains(stderr, tc.errLike) {
				t.Fatalf("stderr %q lacks %q", stderr, tc.errLike)
			}
			if n := strings.Count(stderr, "Error:"); tc.code != 0 && n != 1 {
				t.Fatalf("error printed %d times: %q", n, stderr)
			}
		})
	}
}

// A bad flag value of init or new-service is a usage error (exit 2); a
// problem with the repositories is an ordinary error (exit 1).
func TestScaffoldExitCodes(t *testing.T) {
	root := t.TempDir()
	repo := filepath.Join(root, "gitops-repo")
	if code, _, stderr := runCLI(t, nil, "init", repo, "--registry", "ghcr.io/acme"); code != ExitOK {
		t.Fatalf("init: %d %s", code, stderr)
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"new-service", "fresh", "--port", "0"}, ExitUsage},
		{[]string{"new-service", "Bad_Name"}, ExitUsage},
		{[]string{"new-service", "fresh", "--hpa-min", "5", "--hpa-max", "2"}, ExitUsage},
		{[]string{"new-service", "fresh", "--project", "nosuch"}, ExitError},
		{[]string{"init", filepath.Join(root, "other"), "--cluster", "Bad_Cluster", "--registry", "ghcr.io/acme"}, ExitUsage},
		{[]string{"init", filepath.Join(root, "other"), "--registry", "quay.io/acme"}, ExitUsage}, // URLs cannot be derived
		{[]string{"init", repo, "--registry", "ghcr.io/acme"}, ExitError},                         // not empty
	} {
		args := tc.args
		if args[0] == "new-service" {
			args = append([]string{"--repo", repo}, args...)
		}
		code, _, stderr := runCLI(t, nil, args...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(repo, "charts", "fresh")); !os.IsNotExist(err) {
		t.Fatalf("a failed new-service wrote its chart: %v", err)
	}
}

// The exit code follows the error's type, not its text: a package error
// whose message reads like one of cobra's usage errors (here, because a file
// name does) is still an ordinary error.
func TestExitCodeNotFromMessage(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"received x.yaml", "accepts 1 arg.yaml", "unknown command.yaml", "requires at least.yaml"} {
		t.Run(name, func(t *testing.T) {
			cfg := filepath.Join(dir, name)
			code, _, stderr := runCLI(t, nil, "check", "--config", cfg)
			if code != ExitError {
				t.Fatalf("exit %d, want %d (stderr %q)", code, ExitError, stderr)
			}
			if !strings.Contains(stderr, name) || strings.Contains(stderr, "--help") {
				t.Fatalf("stderr %q: want the file named and no usage hint", stderr)
			}
		})
	}
}
