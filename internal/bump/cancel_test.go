package bump

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// An interrupted bump (a cancelled context) edits nothing, commits nothing
// and leaves no temp file or lock behind.
func TestCancelledBumpLeavesNothing(t *testing.T) {
	dir := gitRepo(t)
	head := git(t, dir, "rev-parse", "HEAD")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, opts(dir, "v2"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	values := filepath.Join(dir, "charts", "backend", "values.yaml")
	if got, _ := os.ReadFile(values); string(got) != "image:\n  tag: v1 # ci\n" {
		t.Errorf("values.yaml edited: %q", got)
	}
	if got := git(t, dir, "rev-parse", "HEAD"); got != head {
		t.Errorf("HEAD moved to %s", got)
	}
	if got := git(t, dir, "status", "--porcelain", "--ignored", "--untracked-files=all"); got != "" {
		t.Errorf("left behind: %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git", "index.lock")); !os.IsNotExist(err) {
		t.Errorf("index.lock left behind: %v", err)
	}
}
