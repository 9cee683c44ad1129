package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Invalid flags and an unknown service exit 2, runtime errors exit 1,
// already-at-tag exits 0.
func TestBumpExitCodes(t *testing.T) {
	repo := t.TempDir()
	os.WriteFile(filepath.Join(repo, ".gitopsctl.yaml"), []byte("cluster: prod\n"), 0o644)
	os.MkdirAll(filepath.Join(repo, "charts", "backend"), 0o755)
	os.WriteFile(filepath.Join(repo, "charts", "backend", "values.yaml"), []byte("image:\n  tag: v1\n"), 0o644)
	for _, tc := range []struct {
		args    []string
		code    int
		errLike string
	}{
		{[]string{"bump", "backend"}, ExitUsage, "--tag or --digest is required"},
		{[]string{"bump", "backend", "--tag", "latest"}, ExitUsage, "--allow-latest"},
		{[]string{"bump", "backend", "--tag", "v1", "--retries", "x"}, ExitUsage, "invalid argument"},
		{[]string{"bump", "nosuch", "--tag", "v1"}, ExitUsage, `unknown service "nosuch"`},
		{[]string{"bump", "backend", "--tag", "v1"}, ExitOK, ""},
		{[]string{"bump", "backend", "--tag", "v2", "--no-commit", "-o", "yaml"}, ExitOK, ""},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stdout, stderr := runCLI(t, nil, append(tc.args, "--repo", repo)...)
			if code != tc.code {
				t.Fatalf("exit code %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if tc.errLike != "" && !strings.Contains(stderr, tc.errLike) {
				t.Fatalf("stderr %q lacks %q", stderr, tc.errLike)
			}
			if tc.code == ExitOK && stdout == "" {
				t.Fatal("no output")
			}
		})
	}
	if b, _ := os.ReadFile(filepath.Join(repo, "charts", "backend", "values.yaml")); string(b) != "image:\n  tag: v2\n" {
		t.Errorf("values.yaml = %q", b)
	}
}
