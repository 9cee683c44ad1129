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

// An interrupted command (Main cancels the context on SIGINT/SIGTERM) ends
// with exit 1 and leaves neither its files nor temporary ones behind.
func TestInterruptedCommandLeavesNothing(t *testing.T) {
	root := t.TempDir()
	repo := filepath.Join(root, "gitops-repo")
	if code, _, stderr := runCLI(t, nil, "init", repo, "--registry", "ghcr.io/acme"); code != ExitOK {
		t.Fatalf("init: %d %s", code, stderr)
	}
	before := tree(t, root)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, args := range [][]string{
		{"--repo", repo, "new-service", "fresh"},
		{"init", filepath.Join(root, "x", "gitops-repo"), "--registry", "ghcr.io/acme"},
		{"--repo", repo, "render", "--out", filepath.Join(root, "out")},
	} {
		io, _, errOut := iostreams.Test()
		f := &Factory{IO: io, Now: func() time.Time { return time.Unix(0, 0).UTC() }, Getenv: func(string) string { return "" }, v: newViper()}
		if code := run(ctx, f, args); code != ExitError {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, ExitError, errOut)
		}
		if !strings.Contains(errOut.String(), "context canceled") {
			t.Errorf("%v: stderr %q does not say it was interrupted", args, errOut)
		}
		if after := tree(t, root); after != before {
			t.Errorf("%v: files changed:\nbefore:\n%s\nafter:\n%s", args, before, after)
		}
	}
}

// tree lists every path below root (directories too, so a leftover staging
// directory or temp file shows).
func tree(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		b.WriteString(rel + "\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
