package scaffold

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/testutil/readonly"
)

// A file that cannot be removed (its directory refuses changes) leaves every
// file in place: the ones already moved aside are put back.
func TestRemoveAllIsAllOrNothing(t *testing.T) {
	root := t.TempDir()
	a := filepath.Join(root, "a", "one.yaml")
	b := filepath.Join(root, "b", "two.yaml")
	for _, f := range []string{a, b} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	undo := readonly.Make(t, filepath.Dir(b))
	err := removeAll(context.Background(), []string{a, b})
	undo()
	if err == nil {
		t.Fatal("removeAll succeeded in a read-only directory")
	}
	for _, f := range []string{a, b} {
		if got, err := os.ReadFile(f); err != nil || string(got) != f {
			t.Errorf("%s: %q %v", f, got, err)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(a))
	if len(entries) != 1 {
		t.Errorf("left behind in a/: %v", entries)
	}
	if err := removeAll(context.Background(), []string{a, b}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{a, b} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s still there", f)
		}
	}
}
