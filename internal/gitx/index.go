package gitx

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// SetIndexFile makes the repository's index questions (Staged, Tracked,
// IndexFile) read the index stored in file instead of the repository's own,
// as git does when GIT_INDEX_FILE names one ("" = the repository's own).
func (g *Reader) SetIndexFile(file string) { g.indexFile = file }

// ReadIndexFile decodes the git index stored in file (versions 2 to 4).
// An index using an extension that cannot be read (a split or sparse
// index) is a clear error, never a silently empty index.
func ReadIndexFile(file string) (*index.Index, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("read index %s: %w", file, err)
	}
	defer f.Close()
	idx := &index.Index{}
	if err := index.NewDecoder(bufio.NewReader(f)).Decode(idx); err != nil {
		return nil, indexError("read index "+file, err)
	}
	if fi, err := f.Stat(); err == nil {
		idx.ModTime = fi.ModTime()
	}
	return idx, nil
}

// indexError explains the index features gitopsctl cannot read.
func indexError(what string, err error) error {
	switch {
	case errors.Is(err, index.ErrUnknownExtension):
		return fmt.Errorf("%s: it uses an index extension gitopsctl cannot read (a split index or a sparse index): "+
			"turn them off with 'git config core.splitIndex false && git update-index --no-split-index' "+
			"or 'git sparse-checkout init --no-sparse-index': %w", what, err)
	case errors.Is(err, index.ErrUnsupportedVersion), errors.Is(err, index.ErrMalformedSignature), errors.Is(err, index.ErrInvalidChecksum):
		return fmt.Errorf("%s: not an index gitopsctl can read: %w", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// CommitIndexes returns, for each repository work tree in dirs, the index
// file that holds what is being committed there: GIT_INDEX_FILE for the
// repository git runs the pre-commit hook in (git points it at a temporary
// index for 'git commit -a' and 'git commit -- PATH'), "" (the
// repository's own index) for the others and whenever GIT_INDEX_FILE is not
// set.
//
// The repository being committed is the one whose git directory GIT_DIR
// names (git sets it for hooks in a linked worktree), else the one whose
// work tree holds cwd (git runs hooks at the top of the work tree). A
// relative GIT_INDEX_FILE is relative to cwd, as git hands it to hooks.
// getenv looks up environment variables (os.Getenv).
func CommitIndexes(getenv func(string) string, cwd string, dirs ...string) ([]string, error) {
	out := make([]string, len(dirs))
	file := getenv("GIT_INDEX_FILE")
	if file == "" {
		return out, nil
	}
	if !filepath.IsAbs(file) {
		file = filepath.Join(cwd, file)
	}
	at := -1
	if gd := getenv("GIT_DIR"); gd != "" {
		if !filepath.IsAbs(gd) {
			gd = filepath.Join(cwd, gd)
		}
		for i, d := range dirs {
			if own, _, err := GitDirs(d); err == nil && sameDir(own, gd) {
				at = i
				break
			}
		}
		if at < 0 {
			return nil, fmt.Errorf("GIT_INDEX_FILE and GIT_DIR are set, but GIT_DIR %s is the git directory of neither %s: cannot tell which index to check (run from the repository being committed, or unset GIT_DIR and GIT_INDEX_FILE; a pre-commit hook naming fixed repository paths is updated by 'gitopsctl hook install')", gd, strings.Join(dirs, " nor "))
		}
	} else {
		best := -1
		for i, d := range dirs {
			if n := within(d, cwd); n > best {
				at, best = i, n
			}
		}
		if at < 0 {
			return nil, fmt.Errorf("GIT_INDEX_FILE is set, but the current directory %s is in neither %s: cannot tell which repository it is the index of (run from the repository being committed, or unset GIT_INDEX_FILE)", cwd, strings.Join(dirs, " nor "))
		}
	}
	out[at] = file
	return out, nil
}

func realPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	return filepath.Clean(p)
}

func sameDir(a, b string) bool {
	if realPath(a) == realPath(b) {
		return true
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// within returns the length of root when p is root or below it, else -1.
func within(root, p string) int {
	root, p = realPath(root), realPath(p)
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return -1
	}
	return len(root)
}
