package scaffold

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// txn writes files into one or more repository roots all or nothing: every
// file is first written to a staging directory inside its root (same file
// system, so the final move is a rename), then all files are renamed into
// place. Files that are replaced are kept as backups until the transaction
// is finished, so a failure at any point (including a later git commit) can
// be undone completely.
type txn struct {
	overwrite bool
	files     []txnFile

	stages      map[string]string // root -> staging directory
	createdDirs []string          // directories this txn created, in creation order
	applied     []appliedFile
}

type txnFile struct {
	root string // absolute repository root
	rel  string // slash-separated path below root
	data []byte
}

type appliedFile struct {
	dst    string
	backup string // "" when dst did not exist before
}

// testHookMove, when set, runs before the n-th rename; an error aborts the
// move (tests use it to simulate a failure halfway).
var testHookMove func(n int) error

func newTxn(overwrite bool) *txn { return &txn{overwrite: overwrite, stages: map[string]string{}} }

// writePair stages and moves into place the files of both repositories, all
// or nothing; the caller cleans up (or undoes) the returned transaction. A
// cancelled ctx (Ctrl-C) before the last file is in place undoes everything.
func writePair(ctx context.Context, overwrite bool, repoDir string, repoFiles []file, configsDir string, configsFiles []file) (*txn, error) {
	t := newTxn(overwrite)
	t.add(repoDir, repoFiles...)
	t.add(configsDir, configsFiles...)
	if err := t.stage(ctx); err != nil {
		t.rollback()
		return nil, err
	}
	if err := t.apply(ctx); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *txn) add(root string, files ...file) {
	for _, f := range files {
		t.files = append(t.files, txnFile{root: root, rel: f.Path, data: f.Data})
	}
	sort.SliceStable(t.files, func(i, j int) bool {
		if t.files[i].root != t.files[j].root {
			return t.files[i].root < t.files[j].root
		}
		return t.files[i].rel < t.files[j].rel
	})
}

func (f txnFile) dst() string { return filepath.Join(f.root, filepath.FromSlash(f.rel)) }

// existing lists the destination files that already exist.
func (t *txn) existing() ([]string, error) {
	var out []string
	for _, f := range t.files {
		if _, err := os.Lstat(f.dst()); err == nil {
			out = append(out, f.dst())
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return out, nil
}

// mkdirAll creates dir and missing parents, remembering what it created.
func (t *txn) mkdirAll(dir string) error {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%s is not a directory", d)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil {
			return err
		}
		t.createdDirs = append(t.createdDirs, missing[i])
	}
	return nil
}

// interrupted is the error of a transaction whose ctx was cancelled.
func interrupted(ctx context.Context) error {
	return fmt.Errorf("interrupted, nothing written: %w", ctx.Err())
}

// stage writes every file into its root's staging directory.
func (t *txn) stage(ctx context.Context) error {
	if !t.overwrite {
		ex, err := t.existing()
		if err != nil {
			return err
		}
		if len(ex) > 0 {
			return fmt.Errorf("%s already exists", ex[0])
		}
	}
	for _, f := range t.files {
		if ctx.Err() != nil {
			return interrupted(ctx)
		}
		st, ok := t.stages[f.root]
		if !ok {
			if err := t.mkdirAll(f.root); err != nil {
				return fmt.Errorf("create %s: %w", f.root, err)
			}
			var err error
			if st, err = os.MkdirTemp(f.root, ".gitopsctl-stage-*"); err != nil {
				return fmt.Errorf("create staging directory in %s: %w", f.root, err)
			}
			t.stages[f.root] = st
		}
		p := filepath.Join(st, "new", filepath.FromSlash(f.rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			return fmt.Errorf("stage %s: %w", f.rel, err)
		}
	}
	return nil
}

// apply renames the staged files into place. On error it rolls back and
// returns the error. ctx is checked before each move and once more after the
// last: an interrupt (SIGINT and SIGTERM cancel ctx, see cli.Main) cannot
// leave half a service behind; it is reported as an error after rolling back.
func (t *txn) apply(ctx context.Context) (err error) {
	defer func() {
		if err == nil && ctx.Err() != nil {
			err = interrupted(ctx)
		}
		if err != nil {
			t.rollback()
		}
	}()
	for i, f := range t.files {
		if ctx.Err() != nil {
			return interrupted(ctx)
		}
		if testHookMove != nil {
			if err := testHookMove(i); err != nil {
				return err
			}
		}
		st := t.stages[f.root]
		src := filepath.Join(st, "new", filepath.FromSlash(f.rel))
		dst := f.dst()
		if err := t.mkdirAll(filepath.Dir(dst)); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Dir(dst), err)
		}
		a := appliedFile{dst: dst}
		if fi, err := os.Lstat(dst); err == nil {
			if fi.IsDir() {
				return fmt.Errorf("%s is a directory", dst)
			}
			a.backup = filepath.Join(st, "old", filepath.FromSlash(f.rel))
			if err := os.MkdirAll(filepath.Dir(a.backup), 0o755); err != nil {
				return err
			}
			if err := os.Rename(dst, a.backup); err != nil {
				return fmt.Errorf("move %s aside: %w", dst, err)
			}
		}
		if err := os.Rename(src, dst); err != nil {
			if a.backup != "" {
				_ = os.Rename(a.backup, dst)
			}
			return fmt.Errorf("move %s into place: %w", dst, err)
		}
		t.applied = append(t.applied, a)
	}
	return nil
}

// rollback undoes apply and stage: moved files are removed (or restored from
// their backups) and directories this txn created are removed again.
func (t *txn) rollback() {
	for i := len(t.applied) - 1; i >= 0; i-- {
		a := t.applied[i]
		_ = os.Remove(a.dst)
		if a.backup != "" {
			_ = os.Rename(a.backup, a.dst)
		}
	}
	t.applied = nil
	t.cleanup()
	for i := len(t.createdDirs) - 1; i >= 0; i-- {
		_ = os.Remove(t.createdDirs[i]) // only if empty
	}
	t.createdDirs = nil
}

// cleanup removes the staging directories (and with them the backups).
func (t *txn) cleanup() {
	for root, st := range t.stages {
		_ = os.RemoveAll(st)
		delete(t.stages, root)
	}
}

// written returns the files of root that the txn wrote, relative and sorted.
func (t *txn) written(root string) []string {
	var out []string
	for _, f := range t.files {
		if f.root == root {
			out = append(out, f.rel)
		}
	}
	return out
}
