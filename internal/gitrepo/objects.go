package gitrepo

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"github.com/gitopsctl/gitopsctl/internal/fsutil"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/gitopsctl/gitopsctl/internal/gitx"
)

// odb reads git objects by hash: a loose object straight from the objects
// directory (one read and one inflate), anything else (packed objects,
// alternates, a quarantine directory) through go-git's storage. A view of a
// fresh commit reads thousands of loose trees and blobs; go-git's storage
// resolves every component of each object's path through its filesystem
// layer and sets up a new decompressor per object.
type odb struct {
	dir string // the objects directory; "" reads everything through st
	// mu serializes go-git's storage, which is not safe for concurrent use
	// (packfiles share their readers).
	mu sync.Mutex
	st storer.EncodedObjectStorer
}

func newODB(root string, st storer.EncodedObjectStorer) *odb {
	o := &odb{st: st}
	if _, common, err := gitx.GitDirs(root); err == nil {
		o.dir = filepath.Join(common, "objects")
	}
	return o
}

// zlibReaders are reusable decompressors (io.ReadCloser and zlib.Resetter).
var zlibReaders sync.Pool

// read returns the type and content of object h.
func (o *odb) read(h plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	if o.dir != "" {
		hex := h.String()
		if t, data, err := readLoose(filepath.Join(o.dir, hex[:2], hex[2:])); err == nil {
			return t, data, nil
		}
		// Not loose (or damaged): go-git's storage finds it or says what
		// is wrong.
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	obj, err := o.st.EncodedObject(plumbing.AnyObject, h)
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	rd, err := obj.Reader()
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	defer rd.Close()
	data := make([]byte, 0, obj.Size())
	buf := bytes.NewBuffer(data)
	if _, err := io.Copy(buf, rd); err != nil {
		return plumbing.InvalidObject, nil, err
	}
	return obj.Type(), buf.Bytes(), nil
}

var errBadLoose = errors.New("malformed loose object")

// readLoose reads and decodes the loose object file p.
func readLoose(p string) (plumbing.ObjectType, []byte, error) {
	raw, err := fsutil.ReadFile(p)
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	return inflateLoose(raw)
}

// inflateLoose decodes a loose object file: zlib("<type> <size>\x00<data>").
func inflateLoose(raw []byte) (plumbing.ObjectType, []byte, error) {
	src := bytes.NewReader(raw)
	var zr io.ReadCloser
	if v, ok := zlibReaders.Get().(io.ReadCloser); ok {
		if err := v.(zlib.Resetter).Reset(src, nil); err != nil {
			zlibReaders.Put(v)
			return plumbing.InvalidObject, nil, err
		}
		zr = v
	} else {
		v, err := zlib.NewReader(src)
		if err != nil {
			return plumbing.InvalidObject, nil, err
		}
		zr = v
	}
	defer zlibReaders.Put(zr)
	out := bytes.NewBuffer(make([]byte, 0, 3*len(raw)+64))
	if _, err := io.Copy(out, zr); err != nil {
		return plumbing.InvalidObject, nil, err
	}
	all := out.Bytes()
	nul := bytes.IndexByte(all, 0)
	if nul < 0 {
		return plumbing.InvalidObject, nil, errBadLoose
	}
	typ, size, ok := strings.Cut(string(all[:nul]), " ")
	if !ok {
		return plumbing.InvalidObject, nil, errBadLoose
	}
	t, err := plumbing.ParseObjectType(typ)
	if err != nil {
		return plumbing.InvalidObject, nil, errBadLoose
	}
	n, err := strconv.ParseInt(size, 10, 64)
	data := all[nul+1:]
	if err != nil || n != int64(len(data)) {
		return plumbing.InvalidObject, nil, errBadLoose
	}
	return t, data, nil
}

// gtree is a decoded tree object, its entries sorted by name.
type gtree struct {
	entries []object.TreeEntry
}

// find returns the entry called name, or nil.
func (t *gtree) find(name string) *object.TreeEntry {
	i, ok := slices.BinarySearchFunc(t.entries, name, func(e object.TreeEntry, n string) int { return strings.Compare(e.Name, n) })
	if !ok {
		return nil
	}
	return &t.entries[i]
}

// parseTree decodes a tree object's content: "<octal mode> <name>\x00"
// and a 20-byte object id per entry. Modes are canonicalized as git does
// (and go-git's decoder).
func parseTree(data []byte) (*gtree, error) {
	t := &gtree{}
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp < 0 {
			return nil, fmt.Errorf("malformed tree: missing mode terminator")
		}
		mode, err := filemode.New(string(data[:sp]))
		if err != nil {
			return nil, fmt.Errorf("malformed tree: malformed mode")
		}
		data = data[sp+1:]
		nul := bytes.IndexByte(data, 0)
		if nul <= 0 {
			return nil, fmt.Errorf("malformed tree: missing or empty file name")
		}
		name := string(data[:nul])
		data = data[nul+1:]
		if len(data) < len(plumbing.Hash{}) {
			return nil, fmt.Errorf("malformed tree: truncated object id")
		}
		var h plumbing.Hash
		copy(h[:], data)
		data = data[len(h):]
		t.entries = append(t.entries, object.TreeEntry{Name: name, Mode: canonicalMode(mode), Hash: h})
	}
	// Git orders a directory as if its name ended in "/": sort by name.
	if !slices.IsSortedFunc(t.entries, byName) {
		slices.SortStableFunc(t.entries, byName)
	}
	return t, nil
}

func byName(a, b object.TreeEntry) int { return strings.Compare(a.Name, b.Name) }

func canonicalMode(m filemode.FileMode) filemode.FileMode {
	switch m & 0o170000 {
	case 0o040000:
		return filemode.Dir
	case 0o100000:
		if m&0o111 != 0 {
			return filemode.Executable
		}
		return filemode.Regular
	case 0o120000:
		return filemode.Symlink
	default:
		return filemode.Submodule
	}
}

// BlobID returns the git object id of the file at p (links followed) in a
// view of a commit or an index: what ReadFile would return is that blob's
// content, so answers about the content may be kept by it. ok is false for
// the work tree, for a view with a Filter (its contents are rewritten), and
// for a path ReadFile refuses or cannot read (ReadFile then says why).
func (r *Repo) BlobID(p string) (id string, ok bool) {
	b, isGit := r.b.(interface {
		blobID(p string) (plumbing.Hash, bool)
	})
	if !isGit || r.Filter != nil {
		return "", false
	}
	res := r.resolve(p)
	if res.err != nil || res.missing != nil {
		return "", false
	}
	if r.Deny != nil && (r.Deny(Clean(p)) != nil || r.Deny(res.rp) != nil) {
		return "", false
	}
	h, ok := b.blobID(res.rp)
	if !ok {
		return "", false
	}
	// The caller learns the content.
	r.note(OpRead, p, r.followed, func() string { return "@" + h.String() })
	return h.String(), true
}

func (b *gitBackend) blobID(p string) (plumbing.Hash, bool) {
	e, err := b.entry(p)
	if err != nil || e == nil || (e.Mode != filemode.Regular && e.Mode != filemode.Executable && e.Mode != filemode.Deprecated) {
		return plumbing.ZeroHash, false
	}
	return e.Hash, true
}

func (b *indexBackend) blobID(p string) (plumbing.Hash, bool) {
	e, ok := b.files[p]
	if !ok || (e.Mode != filemode.Regular && e.Mode != filemode.Executable && e.Mode != filemode.Deprecated) {
		return plumbing.ZeroHash, false
	}
	return e.Hash, true
}
