package scaffold

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// uncommitted is a file with changes git does not have in HEAD.
type uncommitted struct {
	Path  string // relative to the repository root it was asked about
	State string // "modified", "staged" or "untracked"
}

// uncommittedFiles reports which of files (slash paths below dir) differ
// from what HEAD records: changed in the work tree, changed in the index,
// or not tracked at all. ok is false when dir is not in a git repository
// (then nothing can be said).
func uncommittedFiles(dir string, files []string) (out []uncommitted, ok bool, err error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("open git repository at %s: %w", dir, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, false, fmt.Errorf("git %s: %w", dir, err)
	}
	top := wt.Filesystem.Root()
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, false, err
	}
	if r, err := filepath.EvalSymlinks(absDir); err == nil {
		absDir = r
	}
	if r, err := filepath.EvalSymlinks(top); err == nil {
		top = r
	}
	prefix, err := filepath.Rel(top, absDir)
	if err != nil {
		return nil, false, err
	}
	idx, err := repo.Storer.Index()
	if err != nil {
		return nil, false, fmt.Errorf("read git index of %s: %w", top, err)
	}
	head := map[string]plumbing.Hash{}
	if ref, err := repo.Head(); err == nil {
		c, err := repo.CommitObject(ref.Hash())
		if err != nil {
			return nil, false, err
		}
		tree, err := c.Tree()
		if err != nil {
			return nil, false, err
		}
		for _, f := range files {
			if e, err := tree.FindEntry(gitPath(prefix, f)); err == nil {
				head[f] = e.Hash
			}
		}
	} else if !errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, false, err
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, false, err
		}
		work := plumbing.ComputeHash(plumbing.BlobObject, data)
		e, ierr := idx.Entry(gitPath(prefix, f))
		switch {
		case errors.Is(ierr, index.ErrEntryNotFound):
			out = append(out, uncommitted{f, "untracked"})
		case ierr != nil:
			return nil, false, ierr
		case e.Hash != head[f]:
			out = append(out, uncommitted{f, "staged"})
		case e.Hash != work:
			out = append(out, uncommitted{f, "modified"})
		}
	}
	return out, true, nil
}

func gitPath(prefix, f string) string {
	if prefix == "." || prefix == "" {
		return f
	}
	return filepath.ToSlash(prefix) + "/" + f
}

// checkIndexLock refuses to go on when dir's repository has its index
// locked: another git process is running (or one crashed and left the lock
// behind), and a commit would fail only after files were written.
func checkIndexLock(dir string) error {
	gitDir := filepath.Join(dir, ".git")
	fi, err := os.Stat(gitDir)
	if err != nil {
		return nil // no repository yet: git init creates it unlocked
	}
	if !fi.IsDir() {
		// A worktree or submodule: .git is a file pointing at the git dir.
		b, err := os.ReadFile(gitDir)
		if err != nil {
			return nil
		}
		p, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir: ")
		if !ok {
			return nil
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		gitDir = p
	}
	lock := filepath.Join(gitDir, "index.lock")
	if _, err := os.Stat(lock); err == nil {
		return fmt.Errorf("%s exists: another git process is running in %s, or one crashed; wait for it to finish, or remove the lock if none is running", lock, dir)
	}
	return nil
}
