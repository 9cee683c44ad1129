// Package fsutil holds the file-system primitives every writer in gitopsctl
// uses: atomic file replacement and all-or-nothing tree creation.
package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// WriteFileAtomic writes data to path through a temporary file in the same
// directory followed by a rename, so readers see either the old or the new
// content and an interrupted write leaves no partial file. An existing file
// keeps its permission bits; a new file gets perm.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) (err error) {
	dir := filepath.Dir(path)
	if fi, statErr := os.Stat(path); statErr == nil {
		perm = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Tree is a set of files to create, keyed by slash-separated path relative
// to a root directory.
type Tree map[string][]byte

// Paths returns the tree's paths in sorted order.
func (t Tree) Paths() []string {
	out := make([]string, 0, len(t))
	for p := range t {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// WriteTreeAtomic creates every file of tree under root, all or nothing.
// Files are first written into a staging directory next to root's top-level
// entries, then each top-level entry is renamed into place. It refuses to
// overwrite an existing file unless overwrite is set. On error nothing new
// is left behind.
func WriteTreeAtomic(root string, tree Tree, overwrite bool) error {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", root, err)
	}
	if !overwrite {
		for _, p := range tree.Paths() {
			if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(p))); err == nil {
				return fmt.Errorf("%s already exists", filepath.Join(root, filepath.FromSlash(p)))
			} else if !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	stage, err := os.MkdirTemp(root, ".gitopsctl-stage-*")
	if err != nil {
		return fmt.Errorf("create staging directory in %s: %w", root, err)
	}
	defer os.RemoveAll(stage)
	for _, p := range tree.Paths() {
		dst := filepath.Join(stage, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		perm := fs.FileMode(0o644)
		if filepath.Ext(p) == ".sh" {
			perm = 0o755
		}
		if err := os.WriteFile(dst, tree[p], perm); err != nil {
			return fmt.Errorf("stage %s: %w", p, err)
		}
	}
	// Move files into place. Each file is renamed individually so existing
	// directories (charts/, argo-apps/...) are merged, not replaced. Renames
	// within one file system are atomic per file; on a failure midway the
	// files moved so far are removed again.
	var moved []string
	undo := func() {
		for i := len(moved) - 1; i >= 0; i-- {
			os.Remove(moved[i])
		}
	}
	for _, p := range tree.Paths() {
		src := filepath.Join(stage, filepath.FromSlash(p))
		dst := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			undo()
			return err
		}
		if err := os.Rename(src, dst); err != nil {
			undo()
			return fmt.Errorf("move %s into place: %w", p, err)
		}
		moved = append(moved, dst)
	}
	return nil
}
