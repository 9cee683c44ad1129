package gitx

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// WorkTree names the working tree (with uncommitted edits) as a side.
const WorkTree = ""

// Reader answers questions about a repository: what changed, what is tracked or staged.
type Reader struct {
	Dir string
	r   *git.Repository
	// indexFile, when set, is the index file read instead of the
	// repository's own (as GIT_INDEX_FILE names it during a commit).
	indexFile string
	// listings, when set, keeps directory listings between runs (see
	// SetListingCache).
	listings ListingCache
}

// ErrNotRepo is returned (wrapped) when a directory is not a git repository.
var ErrNotRepo = errors.New("not a git repository")

// OpenReader opens the repository whose work tree root is dir.
func OpenReader(dir string) (*Reader, error) {
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		if errors.Is(err, git.ErrRepositoryNotExists) {
			return nil, fmt.Errorf("%s: %w", dir, ErrNotRepo)
		}
		return nil, fmt.Errorf("open git repository %s: %w", dir, err)
	}
	return &Reader{Dir: dir, r: r}, nil
}

// Resolve returns the commit a revision (branch, tag, hash, HEAD~1, ...)
// names.
func (g *Reader) Resolve(rev string) (plumbing.Hash, error) {
	h, err := g.r.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("%s: unknown revision %q: %w", g.Dir, rev, err)
	}
	return *h, nil
}

func (g *Reader) tree(rev string) (*object.Tree, error) {
	h, err := g.Resolve(rev)
	if err != nil {
		return nil, err
	}
	c, err := g.r.CommitObject(h)
	if err != nil {
		return nil, fmt.Errorf("%s: %s is not a commit: %w", g.Dir, rev, err)
	}
	return c.Tree()
}

// hasHead reports whether HEAD points at a commit (false in a new repository).
func (g *Reader) hasHead() bool {
	_, err := g.r.Head()
	return err == nil
}

// Changed lists the slash-separated paths that differ between revision base
// and head; head == WorkTree means the work tree, including staged,
// unstaged and untracked (not ignored) files.
func (g *Reader) Changed(base, head string) ([]string, error) {
	changed, _, err := g.changed(base, head)
	return changed, err
}

// changed is Changed, plus the ignored entries the work-tree walk passed
// over (see ChangedIgnored; nil when head is not WorkTree).
func (g *Reader) changed(base, head string) (changed, ignored []string, err error) {
	set := map[string]bool{}
	if head != WorkTree {
		if err := g.treeChanges(base, head, set); err != nil {
			return nil, nil, err
		}
		return sorted(set), nil, nil
	}
	// base..HEAD, HEAD..index and index..work tree. The work tree is
	// walked (it reads files only) while the revisions are compared (in
	// this goroutine only: go-git's repository is not for concurrent use).
	idxc := make(chan *gitIndex, 1)
	walked := make(chan *statusWalk, 1)
	var walkErr error
	go func() {
		lcc := make(chan *listings, 1)
		go func() { lcc <- loadListings(g.listings, g.Dir) }()
		idx, err := g.readIndex()
		idxc <- idx
		if err != nil {
			<-lcc
			walkErr = err
			walked <- nil
			return
		}
		w := newStatusWalk(g, idx)
		w.lc = <-lcc
		if err := w.run(); err != nil {
			walkErr = fmt.Errorf("%s: read work tree: %w", g.Dir, err)
		}
		walked <- w
	}()
	if g.hasHead() {
		err = g.treeChanges(base, "HEAD", set)
	} else if base != "HEAD" {
		err = fmt.Errorf("%s: unknown revision %q: the repository has no commits", g.Dir, base)
	}
	if idx := <-idxc; err == nil && idx != nil {
		err = g.indexVsHead(idx, set)
	}
	w := <-walked
	if err == nil {
		err = walkErr
	}
	if err != nil {
		return nil, nil, err
	}
	w.addTo(set)
	ignored = append(append([]string{}, w.ignored...), w.passedOver()...) // non-nil: the head is the work tree
	sort.Strings(ignored)
	return sorted(set), ignored, nil
}

func (g *Reader) treeChanges(base, head string, set map[string]bool) error {
	bt, err := g.tree(base)
	if err != nil {
		return err
	}
	ht, err := g.tree(head)
	if err != nil {
		return err
	}
	if bt.Hash == ht.Hash {
		return nil
	}
	changes, err := object.DiffTree(bt, ht)
	if err != nil {
		return fmt.Errorf("%s: diff %s..%s: %w", g.Dir, base, head, err)
	}
	for _, c := range changes {
		if c.From.Name != "" {
			set[c.From.Name] = true
		}
		if c.To.Name != "" {
			set[c.To.Name] = true
		}
	}
	return nil
}

// Staged lists the paths whose index entry differs from HEAD (added,
// modified or deleted in the index).
func (g *Reader) Staged() ([]string, error) {
	idx, err := g.readIndex()
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	if err := g.indexVsHead(idx, set); err != nil {
		return nil, err
	}
	return sorted(set), nil
}

// Tracked lists the paths in the index (what the next commit holds).
func (g *Reader) Tracked() ([]string, error) {
	idx, err := g.readIndex()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(idx.Entries))
	for _, e := range idx.Entries {
		out = append(out, e.Name)
	}
	sort.Strings(out)
	return out, nil
}

// IndexFile returns the content of path as staged.
func (g *Reader) IndexFile(path string) ([]byte, error) {
	idx, err := g.readIndex()
	if err != nil {
		return nil, err
	}
	var e *indexEntry
	for i := range idx.Entries {
		if idx.Entries[i].Name == filepath.ToSlash(path) {
			e = &idx.Entries[i]
			break
		}
	}
	if e == nil {
		return nil, fmt.Errorf("%s: %s is not in the index: %w", g.Dir, path, index.ErrEntryNotFound)
	}
	b, err := g.r.BlobObject(e.Hash)
	if err != nil {
		return nil, fmt.Errorf("%s: read staged %s: %w", g.Dir, path, err)
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

func sorted(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// HooksDir returns the directory git runs the repository's hooks from. It
// asks git itself when installed (so core.hooksPath from any config file,
// "~/" and linked worktrees are honoured exactly as git does), else it
// reads core.hooksPath from the repository's config (relative to the work
// tree root), defaulting to the hooks directory of the common git directory
// (linked worktrees share it).
func (g *Reader) HooksDir() (string, error) {
	if dir, err := gitHooksDir(g.Dir); err == nil {
		return dir, nil
	}
	cfg, err := g.r.Config()
	if err != nil {
		return "", fmt.Errorf("%s: read git config: %w", g.Dir, err)
	}
	if hp := cfg.Raw.Section("core").Option("hooksPath"); hp != "" {
		if rest, ok := strings.CutPrefix(hp, "~/"); ok {
			if home, err := os.UserHomeDir(); err == nil {
				hp = filepath.Join(home, rest)
			}
		}
		if !filepath.IsAbs(hp) {
			hp = filepath.Join(g.Dir, hp)
		}
		return hp, nil
	}
	_, common, err := GitDirs(g.Dir)
	if err != nil {
		return "", err
	}
	return filepath.Join(common, "hooks"), nil
}

// CLI returns a git command that runs in the work tree at dir and only
// there: the git variables of the calling environment (a pre-commit hook
// inherits GIT_DIR and GIT_INDEX_FILE of the repository being committed) are
// dropped, so they cannot point it at another repository or index.
func CLI(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_OBJECT_DIRECTORY":
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	return cmd
}

// gitHooksDir asks the git CLI where the hooks of the work tree at dir are,
// ignoring git variables of the calling environment that would point it at
// another repository.
func gitHooksDir(dir string) (string, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return "", err
	}
	out, err := CLI(dir, "rev-parse", "--git-path", "hooks").Output()
	if err != nil {
		return "", err
	}
	p := strings.TrimRight(string(out), "\r\n")
	if p == "" {
		return "", errors.New("git rev-parse --git-path hooks: no answer")
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	return filepath.Clean(p), nil
}

// GitDirs returns the git directory of the work tree rooted at dir (for a
// linked worktree, its own one under the main repository's
// .git/worktrees) and the common git directory (the main repository's
// .git, where objects, refs, config and hooks live).
func GitDirs(dir string) (gitDir, common string, err error) {
	gitDir = filepath.Join(dir, ".git")
	fi, err := os.Stat(gitDir)
	if err != nil {
		return "", "", fmt.Errorf("%s: %w", dir, ErrNotRepo)
	}
	if fi.IsDir() {
		return gitDir, gitDir, nil
	}
	// A linked worktree or submodule: ".git" is a file "gitdir: <dir>".
	b, err := os.ReadFile(gitDir)
	if err != nil {
		return "", "", err
	}
	line := strings.TrimSpace(string(b))
	if !strings.HasPrefix(line, "gitdir:") {
		return "", "", fmt.Errorf("%s: unexpected .git file", dir)
	}
	gitDir = strings.TrimSpace(strings.TrimPrefix(line, "gitdir:"))
	if !filepath.IsAbs(gitDir) {
		gitDir = filepath.Join(dir, gitDir)
	}
	common = gitDir
	if c, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		common = strings.TrimSpace(string(c))
		if !filepath.IsAbs(common) {
			common = filepath.Join(gitDir, common)
		}
		common = filepath.Clean(common)
	}
	return gitDir, common, nil
}
