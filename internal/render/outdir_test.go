package render

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

// WriteOutDir removes the files it wrote for objects that no longer render,
// and nothing else: not a listed file that is now a symbolic link, not one
// someone rewrote, not a file of an app that was not rendered.
func TestWriteOutDirRemovesOnlyItsStaleFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	a1, a2 := obj("a", "ConfigMap", "ns", "one"), obj("a", "ConfigMap", "ns", "two")
	b1 := obj("b", "ConfigMap", "ns", "one")
	res, err := WriteOutDir(dir, []manifest.Object{a1, a2, b1}, OutDirOptions{Rendered: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Wrote) != 3 || len(res.Removed) != 0 {
		t.Fatalf("first run: %+v", res)
	}
	// a's "two" is replaced by a symbolic link to a file that looks rendered.
	outside := filepath.Join(t.TempDir(), "outside.yaml")
	if err := os.WriteFile(outside, []byte("# Source: a/x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	two := filepath.Join(dir, "a", "configmap-ns-two.yaml")
	if err := os.Remove(two); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, two); err != nil {
		t.Fatal(err)
	}
	// Second run: a renders only "one"; b is not rendered (failed, or not named).
	res, err = WriteOutDir(dir, []manifest.Object{a1}, OutDirOptions{Rendered: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Removed) != 0 {
		t.Fatalf("removed %v: a link is not a file render wrote", res.Removed)
	}
	if _, err := os.Stat(outside); err != nil {
		t.Fatalf("the link's target is gone: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "b", "configmap-ns-one.yaml")); err != nil {
		t.Fatalf("b's file is gone though b was not rendered: %v", err)
	}
	// The link replaced by a file render wrote: removed on the next run, and
	// b, now gone, loses its files and directory.
	if err := os.Remove(two); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(two, []byte("# Source: a/t/templates/x.yaml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Still listed? The second run kept only what it wrote for a.
	res, err = WriteOutDir(dir, []manifest.Object{a1}, OutDirOptions{Rendered: []string{"a"}, Gone: func(app string) bool { return app == "b" }})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"b/configmap-ns-one.yaml"}; !slices.Equal(res.Removed, want) {
		t.Fatalf("removed %v, want %v (a's two is no longer listed: it stays)", res.Removed, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "b")); !os.IsNotExist(err) {
		t.Fatalf("b's empty directory stays: %v", err)
	}
	if _, err := os.Stat(two); err != nil {
		t.Fatalf("an unlisted file was removed: %v", err)
	}
}
