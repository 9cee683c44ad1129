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
	"sort"
	"strings"
	"sync"
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
}

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
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("repository %s: revision %q: %w", dir, rev, err)
	}
	r.Commit = h.String()
	r.b = &gitBackend{root: t, trees: map[string]*object.Tree{".": t}, when: c.Committer.When}
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
	raw := p
	rest := splitPath(filepath.ToSlash(p))
	var cur []string
	links := 0
	missing := false
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(cur) == 0 {
				return "", &OutsideError{Path: raw}
			}
			cur = cur[:len(cur)-1]
			continue
		}
		cur = append(cur, c)
		if missing {
			continue
		}
		fi, err := r.lstat(strings.Join(cur, "/"))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				missing = true
				continue
			}
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		links++
		if links > MaxSymlinks {
			return "", fmt.Errorf("%s: too many levels of symbolic links", raw)
		}
		target, err := r.b.readlink(strings.Join(cur, "/"))
		if err != nil {
			return "", err
		}
		cur = cur[:len(cur)-1]
		if path.IsAbs(filepath.ToSlash(target)) {
			// An absolute link is inside only if it points into this checkout.
			rel, err := filepath.Rel(r.Root, filepath.FromSlash(target))
			if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return "", &OutsideError{Path: raw}
			}
			cur = nil
			target = filepath.ToSlash(rel)
		}
		rest = append(splitPath(target), rest...)
	}
	if len(cur) == 0 {
		return ".", nil
	}
	return strings.Join(cur, "/"), nil
}

func splitPath(p string) []string {
	return strings.Split(strings.Trim(p, "/"), "/")
}

// ReadFile returns the content of the file at p (links followed). Contents
// are read once per Repo and shared: callers must not modify them.
func (r *Repo) ReadFile(p string) ([]byte, error) {
	rp, err := r.Resolve(p)
	if err != nil {
		return nil, err
	}
	if r.Deny != nil {
		for _, q := range []string{Clean(p), rp} {
			if err := r.Deny(q); err != nil {
				return nil, err
			}
		}
	}
	r.mu.Lock()
	res, ok := r.files[rp]
	r.mu.Unlock()
	if ok {
		return res.data, res.err
	}
	data, err := r.b.readFile(rp)
	if err != nil {
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
	rp, err := r.Resolve(p)
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
	_, err := r.Stat(p)
	return err == nil
}

// ReadDir lists the directory at p (links followed for p itself), sorted by
// name. Entries are not followed: a link is reported as a link.
func (r *Repo) ReadDir(p string) ([]fs.DirEntry, error) {
	rp, err := r.Resolve(p)
	if err != nil {
		return nil, err
	}
	ents, err := r.b.readDir(rp)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: p, Err: unwrapPathErr(err)}
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

type gitBackend struct {
	mu    sync.Mutex
	root  *object.Tree
	trees map[string]*object.Tree
	// blobs caches contents by object hash: the same file in many places
	// (one chart template copied per service) is decoded once.
	blobs map[plumbing.Hash][]byte
	when  time.Time
}

// tree returns the tree object of directory p (resolved, no links inside).
func (b *gitBackend) tree(p string) (*object.Tree, error) {
	if t, ok := b.trees[p]; ok {
		return t, nil
	}
	parent, name := path.Split(p)
	pt, err := b.tree(cleanDir(parent))
	if err != nil {
		return nil, err
	}
	e := findEntry(pt, name)
	if e == nil {
		return nil, fs.ErrNotExist
	}
	if e.Mode != filemode.Dir {
		return nil, fmt.Errorf("%s: not a directory", p)
	}
	t, err := pt.Tree(name)
	if err != nil {
		return nil, err
	}
	b.trees[p] = t
	return t, nil
}

func cleanDir(p string) string {
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return "."
	}
	return p
}

func findEntry(t *object.Tree, name string) *object.TreeEntry {
	i := sort.Search(len(t.Entries), func(i int) bool { return t.Entries[i].Name >= name })
	// Git sorts directories as if their name ended in "/", so search linearly on a miss.
	if i < len(t.Entries) && t.Entries[i].Name == name {
		return &t.Entries[i]
	}
	for j := range t.Entries {
		if t.Entries[j].Name == name {
			return &t.Entries[j]
		}
	}
	return nil
}

func (b *gitBackend) entry(p string) (*object.TreeEntry, *object.Tree, error) {
	if p == "." {
		return nil, b.root, nil
	}
	parent, name := path.Split(p)
	pt, err := b.tree(cleanDir(parent))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, &fs.PathError{Op: "lstat", Path: p, Err: fs.ErrNotExist}
		}
		return nil, nil, err
	}
	e := findEntry(pt, name)
	if e == nil {
		return nil, nil, &fs.PathError{Op: "lstat", Path: p, Err: fs.ErrNotExist}
	}
	return e, pt, nil
}

func (b *gitBackend) lstat(p string) (fs.FileInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, _, err := b.entry(p)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return entryInfo{name: ".", mode: filemode.Dir, when: b.when}, nil
	}
	return entryInfo{name: e.Name, mode: e.Mode, when: b.when}, nil
}

func (b *gitBackend) blob(p string) ([]byte, error) {
	e, pt, err := b.entry(p)
	if err != nil {
		return nil, err
	}
	if e == nil || e.Mode == filemode.Dir {
		return nil, fmt.Errorf("%s: is a directory", p)
	}
	if e.Mode == filemode.Submodule {
		return nil, fmt.Errorf("%s: is a git submodule (not available offline)", p)
	}
	if data, ok := b.blobs[e.Hash]; ok {
		return bytes.Clone(data), nil
	}
	f, err := pt.TreeEntryFile(e)
	if err != nil {
		return nil, err
	}
	s, err := f.Contents()
	if err != nil {
		return nil, err
	}
	if b.blobs == nil {
		b.blobs = map[plumbing.Hash][]byte{}
	}
	b.blobs[e.Hash] = []byte(s)
	return []byte(s), nil
}

func (b *gitBackend) readlink(p string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, err := b.blob(p)
	return string(data), err
}

func (b *gitBackend) readFile(p string) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.blob(p)
}

func (b *gitBackend) readDir(p string) ([]fs.DirEntry, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, err := b.tree(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &fs.PathError{Op: "readdir", Path: p, Err: fs.ErrNotExist}
		}
		return nil, err
	}
	out := make([]fs.DirEntry, 0, len(t.Entries))
	for _, e := range t.Entries {
		out = append(out, entryInfo{name: e.Name, mode: e.Mode, when: b.when})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
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
