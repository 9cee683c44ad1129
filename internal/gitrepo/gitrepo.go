// Package gitrepo is a read-only view of a git repository's files, either as
// its working tree (uncommitted edits included), as its index (what is
// staged), or at a revision read straight from the go-git object store,
// without a checkout.
//
// Paths are slash-separated and relative to the repository root; a leading
// "/" also means the root. Symbolic links are followed in every path
// component, and a path that resolves outside the repository root is refused
// with Argo CD's message ("file '<x>' resolved to outside repository root").
package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitopsctl/gitopsctl/internal/fsutil"
)

// MaxSymlinks bounds how many symbolic links one path may traverse.
const MaxSymlinks = 10

// OutsideError reports a path that resolves outside the repository root.
type OutsideError struct{ Path string }

func (e *OutsideError) Error() string {
	return fmt.Sprintf("file '%s' resolved to outside repository root", e.Path)
}

// Repo is a read-only view of one repository at one revision.
type Repo struct {
	// Root is the absolute directory of the working tree.
	Root string
	// Rev is the revision asked for ("" = the working tree).
	Rev string
	// Commit is the resolved commit hash: of Rev, or of HEAD for the working
	// tree ("" when the directory is not a git repository or has no commits).
	Commit string

	// Deny, when set, is asked before ReadFile reads a file, with the
	// root-relative path as asked and as resolved (links followed); an
	// error refuses the read. Set it before sharing the view.
	Deny func(p string) error
	// Filter, when set, rewrites what ReadFile returns for a file, given
	// its resolved root-relative path; the rewritten content is what every
	// reader of the view sees (Stat still describes the file itself). It
	// must be a pure function of its arguments. Set it before sharing the
	// view.
	Filter func(p string, data []byte) []byte

	b backend

	mu    sync.Mutex
	files map[string]fileResult
	stats sync.Map // path -> statResult
	// resolved keeps Resolve's answers (path as asked -> *resolution),
	// dirs the directory listings read (resolved path -> []fs.DirEntry,
	// sorted by name).
	resolved sync.Map
	dirs     sync.Map
	// unlisted are the directories whose listing could not be read;
	// notExist is the cause lstat gave for a missing entry of a listed
	// directory (what later ones not listed are answered with).
	unlisted sync.Map
	notExist atomic.Pointer[cause]
	// log, when set, records the questions asked (SetLog).
	log logs
}

type cause struct{ err error }

type statResult struct {
	fi  fs.FileInfo
	err error
}

// lstat answers from a per-view cache: a view is a snapshot, read once.
func (r *Repo) lstat(p string) (fs.FileInfo, error) {
	if v, ok := r.stats.Load(p); ok {
		sr := v.(statResult)
		return sr.fi, sr.err
	}
	fi, err := r.b.lstat(p)
	r.stats.Store(p, statResult{fi, err})
	return fi, err
}

type fileResult struct {
	data []byte
	err  error
}

// backend answers for cleaned, resolved, root-relative paths ("." = root)
// without following symbolic links.
type backend interface {
	lstat(p string) (fs.FileInfo, error)
	readlink(p string) (string, error)
	readFile(p string) ([]byte, error)
	readDir(p string) ([]fs.DirEntry, error)
}

// Open returns a view of the repository rooted at dir: its working tree when
// rev is "", its index (what is staged) when rev is IndexRev or an
// IndexFileRev, else the tree of commit rev (a branch, tag, hash or an
// expression like HEAD~1).
func Open(dir, rev string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("repository %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("repository %s is not a directory", dir)
	}
	r := &Repo{Root: abs, Rev: rev, files: map[string]fileResult{}}
	gr, gerr := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if rev == "" {
		if gerr == nil {
			if head, err := gr.Head(); err == nil {
				r.Commit = head.Hash().String()
			}
		}
		r.b = osBackend{root: abs}
		return r, nil
	}
	if gerr != nil {
		return nil, fmt.Errorf("open git repository %s: %w", dir, gerr)
	}
	if file, ok := indexFileOf(rev); ok {
		if err := openIndex(r, gr, file); err != nil {
			return nil, err
		}
		return r, nil
	}
	h, err := gr.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("repository %s: unknown revision %q: %w", dir, rev, err)
	}
	c, err := gr.CommitObject(*h)
	if err != nil {
		return nil, fmt.Errorf("repository %s: revision %q: %w", dir, rev, err)
	}
	b, err := newGitBackend(newODB(abs, gr.Storer), c.TreeHash, c.Committer.When)
	if err != nil {
		return nil, fmt.Errorf("repository %s: revision %q: %w", dir, rev, err)
	}
	r.Commit = h.String()
	r.b = b
	return r, nil
}

// ResolveRevision resolves a revision of the repository (as git rev-parse
// would) to a commit hash, independently of the view's own revision.
func (r *Repo) ResolveRevision(rev string) (string, error) {
	gr, err := git.PlainOpenWithOptions(r.Root, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		return "", err
	}
	h, err := gr.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return "", fmt.Errorf("unknown revision %q: %w", rev, err)
	}
	return h.String(), nil
}

// String names the view for messages: the directory, and @rev when not the
// working tree (" (staged)" for an index).
func (r *Repo) String() string {
	if r.Rev == "" {
		return r.Root
	}
	if r.IsIndex() {
		return r.Root + " (staged)"
	}
	return r.Root + "@" + r.Rev
}

// Clean turns p into a root-relative slash path ("." for the root). A leading
// "/" means the root. ".." beyond the root is kept (the result then starts
// with ".." and Resolve refuses it).
func Clean(p string) string {
	p = strings.TrimLeft(filepath.ToSlash(p), "/")
	if p == "" {
		return "."
	}
	return path.Clean(p)
}

// Resolve follows symbolic links in every component of p and returns the
// resolved root-relative path. A path leaving the root (through ".." or a
// link) is an *OutsideError naming p. A path that does not exist resolves to
// itself from the first missing component on (callers then see fs.ErrNotExist).
func (r *Repo) Resolve(p string) (string, error) {
	res := r.resolve(p)
	r.note(OpResolve, p, r.followed, func() string { return pathAnswer(res.rp, res.err) })
	return res.rp, res.err
}

// resolution is what Resolve found for a path (kept per view).
type resolution struct {
	rp string
	// links counts the links followed (up to the error, when there is one).
	links int
	// missing, when set, is why a component does not exist (the cause of
	// its lstat error): reading the path fails with it.
	missing error
	// unverified: a ".." after a missing component took the path back
	// out of it, so that rp was never looked up.
	unverified bool
	err        error
}

// resolve answers Resolve once per path: a path whose parent resolved
// without links is its parent's answer and one more component; anything
// else takes the component-by-component walk.
func (r *Repo) resolve(p string) *resolution {
	if v, ok := r.resolved.Load(p); ok {
		return v.(*resolution)
	}
	var res *resolution
	if parent, name, ok := splitCanonical(p); ok {
		if pr := r.resolve(parent); pr.err == nil && pr.links == 0 && !pr.unverified {
			rp := name
			if pr.rp != "." {
				rp = pr.rp + "/" + name
			}
			if pr.missing != nil {
				res = &resolution{rp: rp, missing: pr.missing}
			} else if mode, err := r.kind(rp); err == nil && mode&fs.ModeSymlink == 0 {
				res = &resolution{rp: rp}
			} else if err != nil && errors.Is(err, fs.ErrNotExist) {
				res = &resolution{rp: rp, missing: unwrapPathErr(err)}
			}
		}
	}
	if res == nil {
		res = r.walkLinks(p)
	}
	r.resolved.Store(p, res)
	return res
}

// splitCanonical splits a path written in canonical form (no leading,
// trailing or doubled "/", no "." or ".." component) into its parent
// ("." at the top) and last component.
func splitCanonical(p string) (parent, name string, ok bool) {
	if p == "" || p == "." || p[0] == '/' || p[len(p)-1] == '/' || strings.Contains(p, "//") || strings.Contains(p, "\\") {
		return "", "", false
	}
	for _, c := range strings.Split(p, "/") {
		if c == "." || c == ".." {
			return "", "", false
		}
	}
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ".", p, true
	}
	return p[:i], p[i+1:], true
}

// walkLinks resolves p component by component.
func (r *Repo) walkLinks(p string) *resolution {
	raw := p
	rest := splitPath(filepath.ToSlash(p))
	var cur []string
	links := 0
	var missing error
	unverified := false
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(cur) == 0 {
				return &resolution{err: &OutsideError{Path: raw}, links: links}
			}
			cur = cur[:len(cur)-1]
			if missing != nil {
				missing, unverified = nil, true
			}
			continue
		}
		cur = append(cur, c)
		if unverified {
			continue
		}
		if missing != nil {
			continue
		}
		mode, err := r.kind(strings.Join(cur, "/"))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				missing = unwrapPathErr(err)
				continue
			}
			return &resolution{err: err, links: links}
		}
		if mode&fs.ModeSymlink == 0 {
			continue
		}
		links++
		if links > MaxSymlinks {
			return &resolution{err: fmt.Errorf("%s: too many levels of symbolic links", raw), links: links}
		}
		target, err := r.b.readlink(strings.Join(cur, "/"))
		if err != nil {
			return &resolution{err: err, links: links}
		}
		cur = cur[:len(cur)-1]
		if path.IsAbs(filepath.ToSlash(target)) {
			// An absolute link is inside only if it points into this checkout.
			rel, err := filepath.Rel(r.Root, filepath.FromSlash(target))
			if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return &resolution{err: &OutsideError{Path: raw}, links: links}
			}
			cur = nil
			target = filepath.ToSlash(rel)
		}
		rest = append(splitPath(target), rest...)
	}
	rp := "."
	if len(cur) > 0 {
		rp = strings.Join(cur, "/")
	}
	return &resolution{rp: rp, links: links, missing: missing, unverified: unverified}
}

func splitPath(p string) []string {
	return strings.Split(strings.Trim(p, "/"), "/")
}

// kind returns the type bits of the entry at the resolved path p (links
// not followed): from its directory's listing when the view has read it
// (the work tree's listing is read on first use: one read answers for every
// entry), else from lstat.
func (r *Repo) kind(p string) (fs.FileMode, error) {
	dir, name := ".", p
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		dir, name = p[:i], p[i+1:]
	}
	ents, listed := r.listing(dir)
	if listed {
		if i, found := slices.BinarySearchFunc(ents, name, func(e fs.DirEntry, n string) int { return strings.Compare(e.Name(), n) }); found {
			return ents[i].Type(), nil
		}
		// Not listed. The name is missing, unless the file system folds
		// case (an ASCII name no entry matches without case is missing
		// there too): lstat says.
		if c := r.notExist.Load(); c != nil && len(ents) <= 256 && missingFrom(ents, name) {
			return 0, c.err
		}
	}
	fi, err := r.lstat(p)
	if err != nil {
		if listed && errors.Is(err, fs.ErrNotExist) {
			r.notExist.CompareAndSwap(nil, &cause{unwrapPathErr(err)})
		}
		return 0, err
	}
	return fi.Mode().Type(), nil
}

// listing returns the sorted listing of the resolved directory dir when
// the view has read it; a work tree's is read now.
func (r *Repo) listing(dir string) ([]fs.DirEntry, bool) {
	if v, ok := r.dirs.Load(dir); ok {
		return v.([]fs.DirEntry), true
	}
	if _, ok := r.b.(osBackend); !ok {
		return nil, false
	}
	if _, failed := r.unlisted.Load(dir); failed {
		return nil, false
	}
	ents, err := r.b.readDir(dir)
	if err != nil || !slices.IsSortedFunc(ents, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) }) {
		r.unlisted.Store(dir, true)
		return nil, false
	}
	v, _ := r.dirs.LoadOrStore(dir, ents)
	return v.([]fs.DirEntry), true
}

// missingFrom reports whether name is ASCII and no entry's name equals it
// without regard to case.
func missingFrom(ents []fs.DirEntry, name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			return false
		}
	}
	for _, e := range ents {
		if strings.EqualFold(e.Name(), name) {
			return false
		}
	}
	return true
}

// ReadFile returns the content of the file at p (links followed). Contents
// are read once per Repo and shared: callers must not modify them.
func (r *Repo) ReadFile(p string) ([]byte, error) {
	data, err := r.readFile(p)
	r.note(OpRead, p, r.followed, func() string { return r.contentAnswer(p, data, err) })
	return data, err
}

func (r *Repo) readFile(p string) ([]byte, error) {
	res := r.resolve(p)
	if res.err != nil {
		return nil, res.err
	}
	rp := res.rp
	if r.Deny != nil {
		for _, q := range []string{Clean(p), rp} {
			if err := r.Deny(q); err != nil {
				return nil, err
			}
		}
	}
	r.mu.Lock()
	fr, ok := r.files[rp]
	r.mu.Unlock()
	if ok {
		return fr.data, fr.err
	}
	var data []byte
	var err error
	if res.missing != nil {
		// A component does not exist: reading fails as the lstat did.
		err = &fs.PathError{Op: "read", Path: p, Err: res.missing}
	} else if data, err = r.b.readFile(rp); err != nil {
		err = &fs.PathError{Op: "read", Path: p, Err: unwrapPathErr(err)}
	} else if r.Filter != nil {
		data = r.Filter(rp, data)
	}
	r.mu.Lock()
	r.files[rp] = fileResult{data, err}
	r.mu.Unlock()
	return data, err
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Stat describes the file at p (links followed).
func (r *Repo) Stat(p string) (fs.FileInfo, error) {
	fi, err := r.stat(p)
	r.note(OpStat, p, r.followed, func() string { return infoAnswer(fi, err) })
	return fi, err
}

func (r *Repo) stat(p string) (fs.FileInfo, error) {
	res := r.resolve(p)
	rp, err := res.rp, res.err
	if err != nil {
		return nil, err
	}
	fi, err := r.lstat(rp)
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: p, Err: unwrapPathErr(err)}
	}
	return fi, nil
}

// Exists reports whether p names an existing file or directory inside the repository.
func (r *Repo) Exists(p string) bool {
	ok := r.exists(p)
	r.note(OpExists, p, r.followed, func() string { return existsAnswer(ok) })
	return ok
}

func (r *Repo) exists(p string) bool {
	res := r.resolve(p)
	if res.err != nil || res.missing != nil {
		return false
	}
	if res.unverified {
		_, err := r.lstat(res.rp)
		return err == nil
	}
	return true
}

// ReadDir lists the directory at p (links followed for p itself), sorted by
// name. Entries are not followed: a link is reported as a link.
func (r *Repo) ReadDir(p string) ([]fs.DirEntry, error) {
	ents, err := r.readDir(p)
	r.note(OpReadDir, p, r.followed, func() string { return dirAnswer(ents, err, Clean(p) == ".") })
	return ents, err
}

func (r *Repo) readDir(p string) ([]fs.DirEntry, error) {
	res := r.resolve(p)
	rp, err := res.rp, res.err
	if err != nil {
		return nil, err
	}
	if v, ok := r.dirs.Load(rp); ok {
		return slices.Clone(v.([]fs.DirEntry)), nil
	}
	ents, err := r.b.readDir(rp)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: p, Err: unwrapPathErr(err)}
	}
	if slices.IsSortedFunc(ents, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) }) {
		r.dirs.Store(rp, slices.Clone(ents))
	}
	return ents, nil
}

// WalkFunc is called for every regular file below a walked directory: rel is
// its path relative to the walked directory (through links as written), full
// its root-relative path before link resolution.
type WalkFunc func(rel, full string) error

// WalkOptions control Walk.
type WalkOptions struct {
	// Recurse descends into subdirectories (else only dir's own files).
	Recurse bool
	// FollowDirLinks descends into symbolic links to directories (as Helm's
	// chart loader does); otherwise such links are skipped (as Argo CD's
	// Directory source does). Links to files are always followed.
	FollowDirLinks bool
	// SkipDir, when set, is asked about every subdirectory (by its rel path).
	SkipDir func(rel string) bool
}

// Walk calls fn for each regular file below dir in lexical order; a link
// leaving the repository is an error.
func (r *Repo) Walk(dir string, o WalkOptions, fn WalkFunc) error {
	return r.walk(Clean(dir), "", o, fn, 0)
}

func (r *Repo) walk(full, rel string, o WalkOptions, fn WalkFunc, depth int) error {
	if depth > 64 {
		return fmt.Errorf("%s: directory nesting too deep (a symbolic link loop?)", full)
	}
	ents, err := r.ReadDir(full)
	if err != nil {
		return err
	}
	for _, e := range ents {
		name := e.Name()
		if name == ".git" && full == "." {
			continue
		}
		cf := path.Join(full, name)
		if full == "." {
			cf = name
		}
		cr := name
		if rel != "" {
			cr = rel + "/" + name
		}
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			fi, err := r.Stat(cf)
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					continue // dangling link
				}
				return err
			}
			isDir = fi.IsDir()
			if isDir && !o.FollowDirLinks {
				continue
			}
		} else if !isDir && !e.Type().IsRegular() {
			continue
		}
		if isDir {
			if !o.Recurse || (o.SkipDir != nil && o.SkipDir(cr)) {
				continue
			}
			if err := r.walk(cf, cr, o, fn, depth+1); err != nil {
				return err
			}
			continue
		}
		if err := fn(cr, cf); err != nil {
			return err
		}
	}
	return nil
}

// ---- working tree

type osBackend struct{ root string }

func (b osBackend) abs(p string) string { return filepath.Join(b.root, filepath.FromSlash(p)) }

func (b osBackend) lstat(p string) (fs.FileInfo, error)     { return os.Lstat(b.abs(p)) }
func (b osBackend) readlink(p string) (string, error)       { return os.Readlink(b.abs(p)) }
func (b osBackend) readFile(p string) ([]byte, error)       { return fsutil.ReadFile(b.abs(p)) }
func (b osBackend) readDir(p string) ([]fs.DirEntry, error) { return os.ReadDir(b.abs(p)) }

// ---- a commit's tree

// gitBackend reads a commit's tree. Trees and blobs are read by object id
// and kept by it: an identical directory or file in many places (one
// chart copied per service) is read and decoded once.
type gitBackend struct {
	odb  *odb
	root *gtree
	when time.Time

	trees  sync.Map // directory path -> *gtree
	byHash sync.Map // plumbing.Hash -> *gtree
	blobs  sync.Map // plumbing.Hash -> []byte
}

func newGitBackend(o *odb, root plumbing.Hash, when time.Time) (*gitBackend, error) {
	b := &gitBackend{odb: o, when: when}
	t, err := b.treeObject(root)
	if err != nil {
		return nil, err
	}
	b.root = t
	b.trees.Store(".", t)
	return b, nil
}

// treeObject reads and decodes tree h (once per backend).
func (b *gitBackend) treeObject(h plumbing.Hash) (*gtree, error) {
	if v, ok := b.byHash.Load(h); ok {
		return v.(*gtree), nil
	}
	typ, data, err := b.odb.read(h)
	if err != nil {
		return nil, err
	}
	if typ != plumbing.TreeObject {
		return nil, fmt.Errorf("object %s is a %s, not a tree", h, typ)
	}
	t, err := parseTree(data)
	if err != nil {
		return nil, fmt.Errorf("tree %s: %w", h, err)
	}
	v, _ := b.byHash.LoadOrStore(h, t)
	return v.(*gtree), nil
}

// tree returns the tree of directory p (resolved, no links inside).
func (b *gitBackend) tree(p string) (*gtree, error) {
	if v, ok := b.trees.Load(p); ok {
		return v.(*gtree), nil
	}
	parent, name := path.Split(p)
	pt, err := b.tree(cleanDir(parent))
	if err != nil {
		return nil, err
	}
	e := pt.find(name)
	if e == nil {
		return nil, fs.ErrNotExist
	}
	if e.Mode != filemode.Dir {
		return nil, fmt.Errorf("%s: not a directory", p)
	}
	t, err := b.treeObject(e.Hash)
	if err != nil {
		return nil, err
	}
	b.trees.Store(p, t)
	return t, nil
}

func cleanDir(p string) string {
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return "."
	}
	return p
}

// entry returns the tree entry of p (nil for the root).
func (b *gitBackend) entry(p string) (*object.TreeEntry, error) {
	if p == "." {
		return nil, nil
	}
	parent, name := path.Split(p)
	pt, err := b.tree(cleanDir(parent))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &fs.PathError{Op: "lstat", Path: p, Err: fs.ErrNotExist}
		}
		return nil, err
	}
	e := pt.find(name)
	if e == nil {
		return nil, &fs.PathError{Op: "lstat", Path: p, Err: fs.ErrNotExist}
	}
	return e, nil
}

func (b *gitBackend) lstat(p string) (fs.FileInfo, error) {
	e, err := b.entry(p)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return entryInfo{name: ".", mode: filemode.Dir, when: b.when}, nil
	}
	return entryInfo{name: e.Name, mode: e.Mode, when: b.when}, nil
}

func (b *gitBackend) blob(p string) ([]byte, error) {
	e, err := b.entry(p)
	if err != nil {
		return nil, err
	}
	if e == nil || e.Mode == filemode.Dir {
		return nil, fmt.Errorf("%s: is a directory", p)
	}
	if e.Mode == filemode.Submodule {
		return nil, fmt.Errorf("%s: is a git submodule (not available offline)", p)
	}
	if v, ok := b.blobs.Load(e.Hash); ok {
		return bytes.Clone(v.([]byte)), nil
	}
	typ, data, err := b.odb.read(e.Hash)
	if err != nil {
		return nil, err
	}
	if typ != plumbing.BlobObject {
		return nil, fmt.Errorf("%s: object %s is a %s, not a blob", p, e.Hash, typ)
	}
	b.blobs.Store(e.Hash, data)
	return bytes.Clone(data), nil
}

func (b *gitBackend) readlink(p string) (string, error) {
	data, err := b.blob(p)
	return string(data), err
}

func (b *gitBackend) readFile(p string) ([]byte, error) {
	return b.blob(p)
}

func (b *gitBackend) readDir(p string) ([]fs.DirEntry, error) {
	t, err := b.tree(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &fs.PathError{Op: "readdir", Path: p, Err: fs.ErrNotExist}
		}
		return nil, err
	}
	out := make([]fs.DirEntry, len(t.entries))
	for i, e := range t.entries {
		out[i] = entryInfo{name: e.Name, mode: e.Mode, when: b.when}
	}
	return out, nil
}

// entryInfo is both the fs.FileInfo and fs.DirEntry of a tree entry.
type entryInfo struct {
	name string
	mode filemode.FileMode
	when time.Time
}

func (e entryInfo) Name() string { return e.name }
func (e entryInfo) Size() int64  { return 0 }
func (e entryInfo) Mode() fs.FileMode {
	switch e.mode {
	case filemode.Dir:
		return fs.ModeDir | 0o755
	case filemode.Symlink:
		return fs.ModeSymlink | 0o777
	case filemode.Executable:
		return 0o755
	case filemode.Submodule:
		return fs.ModeIrregular
	default:
		return 0o644
	}
}
func (e entryInfo) ModTime() time.Time         { return e.when }
func (e entryInfo) IsDir() bool                { return e.mode == filemode.Dir }
func (e entryInfo) Sys() any                   { return nil }
func (e entryInfo) Type() fs.FileMode          { return e.Mode().Type() }
func (e entryInfo) Info() (fs.FileInfo, error) { return e, nil }

// FS returns an io/fs view of the repository (links followed, escapes
// refused), for pattern matching with io/fs based libraries. Directory
// entries report links as links; the FS is also an fs.ReadLinkFS.
func (r *Repo) FS() fs.FS { return repoFS{r} }

type repoFS struct{ r *Repo }

// named is a FileInfo under the name it was asked by, not its link target's.
type named struct {
	fs.FileInfo
	name string
}

func (n named) Name() string { return n.name }

func rename(fi fs.FileInfo, name string) fs.FileInfo {
	if base := path.Base(name); fi.Name() != base {
		return named{fi, base}
	}
	return fi
}

func (f repoFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	fi, err := f.Stat(name)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		ents, err := f.r.ReadDir(name)
		if err != nil {
			return nil, err
		}
		return &dirFile{fi: fi, ents: ents}, nil
	}
	data, err := f.r.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return &memFile{fi: fi, r: bytes.NewReader(data)}, nil
}

func (f repoFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	return f.r.ReadDir(name)
}

func (f repoFS) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	fi, err := f.r.Stat(name)
	if err != nil {
		return nil, err
	}
	return rename(fi, name), nil
}

// ReadFile returns a copy: fs.ReadFileFS lets callers modify the result,
// while Repo.ReadFile shares its cached contents.
func (f repoFS) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrInvalid}
	}
	data, err := f.r.ReadFile(name)
	return bytes.Clone(data), err
}

// lresolve resolves the links of name's directory, not of name itself.
func (f repoFS) lresolve(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return ".", nil
	}
	dir, err := f.r.Resolve(path.Dir(name))
	if err != nil {
		return "", err
	}
	return path.Join(dir, path.Base(name)), nil
}

// Lstat describes name without following it if it is a link.
func (f repoFS) Lstat(name string) (fs.FileInfo, error) {
	fi, err := f.lstat(name)
	f.r.note(OpLstat, name, f.parentFollowed, func() string { return infoAnswer(fi, err) })
	return fi, err
}

func (f repoFS) lstat(name string) (fs.FileInfo, error) {
	p, err := f.lresolve("lstat", name)
	if err != nil {
		return nil, err
	}
	fi, err := f.r.lstat(p)
	if err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: unwrapPathErr(err)}
	}
	return rename(fi, name), nil
}

// ReadLink returns the target of the link name.
func (f repoFS) ReadLink(name string) (string, error) {
	t, err := f.readLink(name)
	f.r.note(OpReadLink, name, f.parentFollowed, func() string { return pathAnswer(t, err) })
	return t, err
}

func (f repoFS) readLink(name string) (string, error) {
	fi, err := f.Lstat(name)
	if err != nil {
		return "", err
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	p, err := f.lresolve("readlink", name)
	if err != nil {
		return "", err
	}
	target, err := f.r.b.readlink(p)
	if err != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: unwrapPathErr(err)}
	}
	return target, nil
}

type memFile struct {
	fi fs.FileInfo
	r  *bytes.Reader
}

func (m *memFile) Stat() (fs.FileInfo, error) { return m.fi, nil }
func (m *memFile) Read(p []byte) (int, error) { return m.r.Read(p) }
func (m *memFile) Close() error               { return nil }

type dirFile struct {
	fi   fs.FileInfo
	ents []fs.DirEntry
	off  int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.fi, nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.fi.Name(), Err: fs.ErrInvalid}
}
func (d *dirFile) Close() error { return nil }
func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.ents[d.off:]
	if n <= 0 {
		d.off = len(d.ents)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	if n > len(rest) {
		n = len(rest)
	}
	d.off += n
	return rest[:n], nil
}
