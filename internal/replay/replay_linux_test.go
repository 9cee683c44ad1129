package replay

import (
	"path/filepath"
	"syscall"
	"testing"
)

// A .git that is a FIFO is only stat'ed: reading it would block the walk.
func TestGitFIFO(t *testing.T) {
	repo := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(repo, ".git"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if s := snap(t, Inputs{Trees: []string{repo}}); s.Entries != 2 {
		t.Errorf("%d entries, want 2 (the directory and the FIFO)", s.Entries)
	}
}
