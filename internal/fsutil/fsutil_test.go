package fsutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriteFileAtomicKeepsModeAndLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.yaml")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(p, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	fi, _ := os.Stat(p)
	if string(b) != "new" || fi.Mode().Perm() != 0o600 {
		t.Fatalf("content %q mode %v", b, fi.Mode())
	}
	if got := listDir(t, dir); len(got) != 1 {
		t.Fatalf("leftover files: %v", got)
	}
}

func TestWriteFileAtomicFailureLeavesOld(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "missing-dir", "f.yaml")
	if err := WriteFileAtomic(p, []byte("x"), 0o644); err == nil {
		t.Fatal("expected an error for a missing directory")
	}
	if got := listDir(t, dir); len(got) != 0 {
		t.Fatalf("leftover files: %v", got)
	}
}

func TestWriteTreeAtomic(t *testing.T) {
	root := t.TempDir()
	tree := Tree{"a/b.yaml": []byte("b"), "c.sh": []byte("#!/bin/sh\n"), "a/d/e.txt": []byte("e")}
	if err := WriteTreeAtomic(root, tree, false); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(listDir(t, root), ",")
	if got != "a/b.yaml,a/d/e.txt,c.sh" {
		t.Fatalf("tree %s", got)
	}
	if fi, _ := os.Stat(filepath.Join(root, "c.sh")); fi.Mode().Perm()&0o100 == 0 {
		t.Fatalf("script not executable: %v", fi.Mode())
	}
	// A second write of an overlapping tree is refused and writes nothing.
	err := WriteTreeAtomic(root, Tree{"new.yaml": []byte("n"), "a/b.yaml": []byte("x")}, false)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("err = %v", err)
	}
	if got2 := strings.Join(listDir(t, root), ","); got2 != got {
		t.Fatalf("refused write changed the tree: %s", got2)
	}
	// With overwrite it replaces.
	if err := WriteTreeAtomic(root, Tree{"a/b.yaml": []byte("x")}, true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "a/b.yaml")); string(b) != "x" {
		t.Fatalf("not overwritten: %q", b)
	}
}
