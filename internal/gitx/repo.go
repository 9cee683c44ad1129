package gitx

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Repo is a git repository with a work tree.
type Repo struct {
	repo *git.Repository
	// Root is the top-level directory of the work tree (absolute, with
	// symlinks resolved).
	Root string
	// gitDir is where the index and HEAD live; commonDir holds objects,
	// refs/ and packed-refs (the same directory unless the work tree was
	// made with git worktree add).
	gitDir    string
	commonDir string
}

// Open finds the repository holding dir (dir may be any directory inside
// the work tree).
func Open(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	r, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		if errors.Is(err, git.ErrRepositoryNotExists) {
			return nil, fmt.Errorf("%s is not inside a git repository", dir)
		}
		return nil, fmt.Errorf("open git repository at %s: %w", dir, err)
	}
	wt, err := r.Worktree()
	if err != nil {
		return nil, fmt.Errorf("open git repository at %s: %w", dir, err)
	}
	root, err := filepath.EvalSymlinks(wt.Filesystem.Root())
	if err != nil {
		return nil, err
	}
	fs, ok := r.Storer.(*filesystem.Storage)
	if !ok {
		return nil, errors.New("unsupported git storage")
	}
	gitDir := fs.Filesystem().Root()
	commonDir := gitDir
	if data, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		commonDir = strings.TrimSpace(string(data))
		if !filepath.IsAbs(commonDir) {
			commonDir = filepath.Join(gitDir, commonDir)
		}
	}
	repo := &Repo{Root: root, gitDir: gitDir, commonDir: commonDir}
	// Every reference go-git writes (fetch, push) goes through updateRef
	// too, never rewritten in place.
	if repo.repo, err = git.Open(&safeRefs{Storage: fs, r: repo}, wt.Filesystem); err != nil {
		return nil, fmt.Errorf("open git repository at %s: %w", dir, err)
	}
	return repo, nil
}

// Git is the underlying go-git repository.
func (r *Repo) Git() *git.Repository { return r.repo }

// Rel turns a file path into a slash-separated path relative to the work
// tree's top level.
func (r *Repo) Rel(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(r.Root, filepath.Join(dir, filepath.Base(abs)))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the git work tree %s", path, r.Root)
	}
	return filepath.ToSlash(rel), nil
}

// Abs is the file path of a work-tree relative path.
func (r *Repo) Abs(rel string) string { return filepath.Join(r.Root, filepath.FromSlash(rel)) }

// Head is the commit HEAD points at and the reference HEAD names (HEAD
// itself when detached).
func (r *Repo) Head() (*object.Commit, plumbing.ReferenceName, error) {
	h, err := r.repo.Storer.Reference(plumbing.HEAD)
	if err != nil {
		return nil, "", fmt.Errorf("read HEAD: %w", err)
	}
	name := plumbing.HEAD
	if h.Type() == plumbing.SymbolicReference {
		name = h.Target()
	}
	ref, err := r.repo.Reference(plumbing.HEAD, true)
	if err != nil {
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			return nil, name, errors.New("the repository has no commits yet")
		}
		return nil, name, fmt.Errorf("read HEAD: %w", err)
	}
	c, err := r.repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, name, fmt.Errorf("read HEAD commit: %w", err)
	}
	return c, name, nil
}

// Branch is the short name of the branch HEAD is on ("" when detached).
func (r *Repo) Branch() string {
	_, name, err := r.Head()
	if err != nil && name == "" {
		return ""
	}
	if name.IsBranch() {
		return name.Short()
	}
	return ""
}

// blobAt is the blob hash of rel in commit c (ZeroHash when absent).
func blobAt(c *object.Commit, rel string) (plumbing.Hash, error) {
	t, err := c.Tree()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	e, err := t.FindEntry(rel)
	if err != nil {
		if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
			return plumbing.ZeroHash, nil
		}
		return plumbing.ZeroHash, err
	}
	return e.Hash, nil
}

// FileAt reads rel at commit c.
func (r *Repo) FileAt(c *object.Commit, rel string) ([]byte, error) {
	f, err := c.File(rel)
	if err != nil {
		return nil, fmt.Errorf("read %s at %s: %w", rel, c.Hash.String()[:12], err)
	}
	s, err := f.Contents()
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}

func hashBytes(b []byte) plumbing.Hash { return plumbing.ComputeHash(plumbing.BlobObject, b) }

// CheckClean refuses when rel has uncommitted changes: its work-tree
// content, its index entry and HEAD must agree. It reads only that file
// and the index.
func (r *Repo) CheckClean(rel string) error {
	idx, err := r.readIndex()
	if err != nil {
		return err
	}
	return r.checkClean(idx, rel)
}

// CheckClean is Repo.CheckClean against the locked index.
func (l *Lock) CheckClean(rel string) error { return l.r.checkClean(l.idx, rel) }

func (r *Repo) checkClean(idx *index.Index, rel string) error {
	head, _, err := r.Head()
	if err != nil {
		return err
	}
	headHash, err := blobAt(head, rel)
	if err != nil {
		return err
	}
	e, idxErr := idx.Entry(rel)
	if headHash.IsZero() || idxErr != nil {
		return fmt.Errorf("%s is not committed in git; commit it first or use --no-commit", rel)
	}
	data, err := os.ReadFile(r.Abs(rel))
	if err != nil {
		return err
	}
	switch {
	case e.Hash != headHash:
		return fmt.Errorf("%s has staged changes; commit or unstage them first (or use --no-commit)", rel)
	case hashBytes(data) != headHash:
		return fmt.Errorf("%s has uncommitted changes; commit or discard them first (or use --no-commit)", rel)
	}
	return nil
}

// FileState is how a file differs between HEAD, the index and the work
// tree.
type FileState struct {
	// Head is the file at HEAD (nil when HEAD has no such file).
	Head []byte
	// Work is the work-tree content.
	Work []byte
	// Staged is true when the index entry differs from HEAD; StagedWork
	// when the index entry is exactly the work-tree content.
	Staged, StagedWork bool
	// StagedParent is true when HEAD's own commit changed the file and
	// the index entry still holds the parent's version: what a commit
	// interrupted between moving the branch and writing the index leaves.
	StagedParent bool
}

// State reads rel at HEAD, in the locked index and in the work tree.
func (l *Lock) State(rel string) (FileState, error) {
	var st FileState
	head, _, err := l.r.Head()
	if err != nil {
		return st, err
	}
	headHash, err := blobAt(head, rel)
	if err != nil {
		return st, err
	}
	if !headHash.IsZero() {
		if st.Head, err = l.r.FileAt(head, rel); err != nil {
			return st, err
		}
	}
	if st.Work, err = os.ReadFile(l.r.Abs(rel)); err != nil {
		return st, err
	}
	var staged plumbing.Hash
	if e, err := l.idx.Entry(rel); err == nil {
		staged = e.Hash
	}
	st.Staged = staged != headHash
	st.StagedWork = staged == hashBytes(st.Work)
	if st.Staged && len(head.ParentHashes) > 0 {
		parent, err := l.r.repo.CommitObject(head.ParentHashes[0])
		if err != nil {
			return st, err
		}
		ph, err := blobAt(parent, rel)
		if err != nil {
			return st, err
		}
		st.StagedParent = ph == staged && ph != headHash
	}
	return st, nil
}

// Restage points rel's index entry at its HEAD version, with the work
// tree's stat data (the work tree must hold that version).
func (l *Lock) Restage(rel string) error {
	head, _, err := l.r.Head()
	if err != nil {
		return err
	}
	h, err := blobAt(head, rel)
	if err != nil {
		return err
	}
	if err := l.r.setEntry(l.idx, rel, h); err != nil {
		return err
	}
	l.idx.Cache = nil
	l.dirty = true
	return nil
}

// Finish writes the index when Restage changed it, else releases the
// lock.
func (l *Lock) Finish() error {
	if l.dirty && !l.done {
		return l.writeIndex()
	}
	l.Release()
	return nil
}

// readIndex reads the index, explaining the formats go-git cannot read.
func (r *Repo) readIndex() (*index.Index, error) {
	idx, err := r.repo.Storer.Index()
	if err != nil {
		if strings.Contains(err.Error(), "unknown extension") {
			return nil, fmt.Errorf("read git index: %w (a split or sparse index is not supported; run git update-index --no-split-index)", err)
		}
		return nil, fmt.Errorf("read git index: %w", err)
	}
	return idx, nil
}

// Lock is a held index.lock, taken as git takes it: while it exists no
// other git command changes the index (git commit, add, checkout, merge
// all take it), and the new index replaces the old one atomically by
// renaming the lock file over it. Take it before touching any work-tree
// file that is to be committed, and keep it until the commit is made.
type Lock struct {
	r    *Repo
	f    *os.File
	path string
	idx  *index.Index
	done bool
	// dirty is set when the index changed without a commit.
	dirty bool
}

// Lock takes index.lock and reads the index. When another process holds
// it, the error (wrapping ErrLocked) says so and names the file.
func (r *Repo) Lock() (*Lock, error) {
	path := filepath.Join(r.gitDir, "index")
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, r.lockedError(path + ".lock")
		}
		return nil, fmt.Errorf("lock git index: %w", err)
	}
	l := &Lock{r: r, f: f, path: path}
	if l.idx, err = r.readIndex(); err != nil {
		l.Release()
		return nil, err
	}
	return l, nil
}

// writeIndex replaces the index with the lock's copy, durably, and so
// releases the lock.
func (l *Lock) writeIndex() error {
	if l.done {
		return errors.New("git index lock already released")
	}
	var buf bytes.Buffer
	if err := index.NewEncoder(&buf).Encode(l.idx); err != nil {
		return fmt.Errorf("encode git index: %w", err)
	}
	if _, err := l.f.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write git index: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("write git index: %w", err)
	}
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("write git index: %w", err)
	}
	if err := os.Rename(l.path+".lock", l.path); err != nil {
		return fmt.Errorf("write git index: %w", err)
	}
	l.done = true
	return nil
}

// Release drops the lock, leaving the index as it was, unless the index
// was already written. It is safe to call more than once.
func (l *Lock) Release() {
	if l == nil || l.done {
		return
	}
	l.f.Close()
	os.Remove(l.path + ".lock")
	l.done = true
}
