package kustomize

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
)

// repoFS shows one repository view to the kustomize API as a read-only
// filesys.FileSystem. The repository appears at its own absolute root
// directory (so kustomize's messages name real paths), every read goes
// through the gitrepo view (its revision, its link resolution that never
// leaves the root, its Deny rule), and a path above the root is an error
// instead of being clamped to it. Files written by the build (the edited
// kustomization) live in an in-memory overlay; nothing touches the disk.
type repoFS struct {
	repo *gitrepo.Repo
	root string // absolute, clean, OS separators

	mu      sync.Mutex
	overlay map[string][]byte // root-relative slash path -> content
	read    map[string]bool   // root-relative paths read (resolved)
	// mounts show other repository views (remote bases served from local
	// checkouts) below mountDir/<n>.
	mounts []*gitrepo.Repo
	// remoteRepos finds local checkouts of remote bases (nil: none).
	remoteRepos RemoteRepos
}

// mountDir holds the mounted repositories; a name no repository uses for
// a kustomization.
const mountDir = "@remote"

// mount shows r below a new directory and returns it, root-relative.
func (f *repoFS) mount(r *gitrepo.Repo) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, m := range f.mounts {
		if m == r {
			return fmt.Sprintf("%s/%d", mountDir, i)
		}
	}
	f.mounts = append(f.mounts, r)
	return fmt.Sprintf("%s/%d", mountDir, len(f.mounts)-1)
}

// route finds the repository view holding the root-relative path r: the
// repository, the path in it, and the mount prefix ("" for the source's
// own repository).
func (f *repoFS) route(r string) (*gitrepo.Repo, string, string) {
	if rest, ok := strings.CutPrefix(r, mountDir+"/"); ok {
		n, sub, _ := strings.Cut(rest, "/")
		f.mu.Lock()
		defer f.mu.Unlock()
		for i, m := range f.mounts {
			if n == fmt.Sprint(i) {
				if sub == "" {
					sub = "."
				}
				return m, sub, mountDir + "/" + n
			}
		}
	}
	return f.repo, r, ""
}

// resolve follows links of r inside the repository holding it.
func (f *repoFS) resolve(r string) (string, error) {
	repo, p, pre := f.route(r)
	rp, err := repo.Resolve(p)
	if err != nil || pre == "" {
		return rp, err
	}
	return path.Join(pre, rp), nil
}

var _ filesys.FileSystem = (*repoFS)(nil)

func newRepoFS(r *gitrepo.Repo) *repoFS {
	return &repoFS{repo: r, root: filepath.Clean(r.Root), overlay: map[string][]byte{}, read: map[string]bool{}}
}

// abs is the absolute path of the root-relative slash path rel.
func (f *repoFS) abs(rel string) string {
	if rel == "." || rel == "" {
		return f.root
	}
	return filepath.Join(f.root, filepath.FromSlash(rel))
}

// rel turns a path kustomize passes (absolute, or relative to the root) into
// a root-relative slash path; a path outside the root is an
// *gitrepo.OutsideError.
func (f *repoFS) rel(p string) (string, error) {
	q := p
	if !filepath.IsAbs(q) {
		q = filepath.Join(f.root, q)
	}
	q = filepath.Clean(q)
	r, err := filepath.Rel(f.root, q)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", &gitrepo.OutsideError{Path: p}
	}
	return filepath.ToSlash(r), nil
}

// readOnly refuses a write outside the overlay.
func readOnly(op, p string) error {
	return &fs.PathError{Op: op, Path: p, Err: errors.New("the repository is read-only while rendering")}
}

func (f *repoFS) Create(p string) (filesys.File, error) { return nil, readOnly("create", p) }
func (f *repoFS) Mkdir(p string) error                  { return readOnly("mkdir", p) }
func (f *repoFS) MkdirAll(p string) error               { return readOnly("mkdir", p) }
func (f *repoFS) RemoveAll(p string) error              { return readOnly("remove", p) }

// WriteFile puts data in the overlay (only the kustomization edits write).
func (f *repoFS) WriteFile(p string, data []byte) error {
	r, err := f.rel(p)
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.overlay[r] = append([]byte(nil), data...)
	f.mu.Unlock()
	return nil
}

func (f *repoFS) overlaid(r string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.overlay[r]
	return b, ok
}

// stat describes the root-relative path r (links followed).
func (f *repoFS) stat(r string) (fs.FileInfo, error) {
	if b, ok := f.overlaid(r); ok {
		return fileInfo{name: path.Base(r), size: int64(len(b))}, nil
	}
	if err := f.denied(r); err != nil {
		return nil, err
	}
	repo, p, _ := f.route(r)
	return repo.Stat(p)
}

// denied refuses to even look at git's own directory (gitrepo applies the
// view's Deny rule to reads; a directory in .git is never read, so the
// rule is applied here to paths that are only looked at).
func (f *repoFS) denied(r string) error {
	for _, c := range strings.Split(r, "/") {
		if strings.EqualFold(c, ".git") {
			if repo, p, _ := f.route(r); repo.Deny != nil {
				if err := repo.Deny(p); err != nil {
					return err
				}
			}
			return &fs.PathError{Op: "stat", Path: r, Err: fs.ErrNotExist}
		}
	}
	return nil
}

func (f *repoFS) IsDir(p string) bool {
	r, err := f.rel(p)
	if err != nil {
		return false
	}
	fi, err := f.stat(r)
	return err == nil && fi.IsDir()
}

func (f *repoFS) Exists(p string) bool {
	r, err := f.rel(p)
	if err != nil {
		return false
	}
	_, err = f.stat(r)
	return err == nil
}

// ReadDir lists names in the directory (sorted), leaving out what
// rendering never reads.
func (f *repoFS) ReadDir(p string) ([]string, error) {
	r, err := f.rel(p)
	if err != nil {
		return nil, err
	}
	repo, rp, _ := f.route(r)
	ents, err := repo.ReadDir(rp)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if repo.Deny != nil && repo.Deny(path.Join(rp, e.Name())) != nil {
			continue
		}
		out = append(out, e.Name())
	}
	return out, nil
}

// CleanedAbs follows links (inside the repository only) as kustomize does
// on disk, and splits a file path into its directory and name.
func (f *repoFS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	r, err := f.rel(p)
	if err != nil {
		return "", "", err
	}
	rp := r
	if _, ok := f.overlaid(r); !ok {
		if rp, err = f.resolve(r); err != nil {
			return "", "", err
		}
	}
	fi, err := f.stat(rp)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("'%s' does not exist: %w", p, fs.ErrNotExist)
		}
		return "", "", err
	}
	if fi.IsDir() {
		return filesys.ConfirmedDir(f.abs(rp)), "", nil
	}
	return filesys.ConfirmedDir(f.abs(path.Dir(rp))), path.Base(rp), nil
}

func (f *repoFS) ReadFile(p string) ([]byte, error) {
	r, err := f.rel(p)
	if err != nil {
		return nil, err
	}
	if b, ok := f.overlaid(r); ok {
		return append([]byte(nil), b...), nil
	}
	repo, rp, pre := f.route(r)
	data, err := repo.ReadFile(rp)
	if err != nil {
		return nil, err
	}
	if pre == "" {
		f.mu.Lock()
		f.read[r] = true
		f.mu.Unlock()
	}
	return append([]byte(nil), data...), nil
}

func (f *repoFS) Open(p string) (filesys.File, error) {
	data, err := f.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return &memFile{Reader: bytes.NewReader(data), fi: fileInfo{name: filepath.Base(p), size: int64(len(data))}}, nil
}

// Glob matches a pattern with path.Match rules, one directory level per
// pattern component, like filepath.Glob; matches are sorted.
func (f *repoFS) Glob(pattern string) ([]string, error) {
	r, err := f.rel(pattern)
	if err != nil {
		return nil, err
	}
	if _, err := path.Match(r, ""); err != nil {
		return nil, err
	}
	repo, rp, pre := f.route(r)
	matches, err := fs.Glob(repo.FS(), rp)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range matches {
		m = path.Join(pre, m)
		if f.denied(m) == nil {
			out = append(out, f.abs(m))
		}
	}
	sort.Strings(out)
	return out, nil
}

// Walk visits p and everything below it in lexical order, not following
// links to directories.
func (f *repoFS) Walk(p string, fn filepath.WalkFunc) error {
	r, err := f.rel(p)
	if err != nil {
		return fn(p, nil, err)
	}
	return f.walk(r, fn)
}

func (f *repoFS) walk(r string, fn filepath.WalkFunc) error {
	fi, err := f.stat(r)
	if err != nil {
		return fn(f.abs(r), nil, err)
	}
	if err := fn(f.abs(r), fi, nil); err != nil {
		if errors.Is(err, filepath.SkipDir) {
			return nil
		}
		return err
	}
	if !fi.IsDir() {
		return nil
	}
	names, err := f.ReadDir(f.abs(r))
	if err != nil {
		return fn(f.abs(r), fi, err)
	}
	for _, n := range names {
		if err := f.walk(path.Join(r, n), fn); err != nil {
			return err
		}
	}
	return nil
}

// filesRead are the root-relative (resolved) paths of the source
// repository's files the build read, sorted.
func (f *repoFS) filesRead() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.read))
	for p := range f.read {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

type memFile struct {
	*bytes.Reader
	fi fileInfo
}

func (m *memFile) Write([]byte) (int, error)  { return 0, readOnly("write", m.fi.name) }
func (m *memFile) Close() error               { return nil }
func (m *memFile) Stat() (os.FileInfo, error) { return m.fi, nil }

type fileInfo struct {
	name string
	size int64
}

func (i fileInfo) Name() string       { return i.name }
func (i fileInfo) Size() int64        { return i.size }
func (i fileInfo) Mode() fs.FileMode  { return 0o644 }
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return false }
func (i fileInfo) Sys() any           { return nil }
