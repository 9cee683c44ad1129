package scaffold

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// Ctrl-C (a cancelled context) while new-service moves its files into place
// undoes every move, across both repositories, and leaves no staging
// directory behind.
func TestNewServiceCancelledMidwayLeavesNothing(t *testing.T) {
	p := initPair(t)
	before := snapshot(t, p.root)
	for _, at := range []int{0, 1, 9, 15} { // 16 files to move
		ctx, cancel := context.WithCancel(context.Background())
		testHookMove = func(n int) error {
			if n == at {
				cancel()
			}
			return nil
		}
		_, err := NewService(ctx, p.serviceOpts("backend"))
		testHookMove = nil
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled at move %d: err = %v, want context.Canceled", at, err)
		}
		sameSnapshot(t, before, snapshot(t, p.root))
	}
}

// The same for init, whose directories did not exist before.
func TestInitCancelledMidwayLeavesNothing(t *testing.T) {
	root := t.TempDir()
	before := snapshot(t, root)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	testHookMove = func(n int) error {
		if n == 5 {
			cancel()
		}
		return nil
	}
	defer func() { testHookMove = nil }()
	_, err := Init(ctx, InitOptions{RepoDir: filepath.Join(root, "g"), Registry: "ghcr.io/acme", Platform: true})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	sameSnapshot(t, before, snapshot(t, root))
}
