package replay

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Snapshot is the state of the inputs: a digest of their metadata, and the
// newest modification or change time among them.
type Snapshot struct {
	State   string
	Newest  time.Time
	Entries int
}

// Take walks the inputs and returns their Snapshot. It fails when an input
// cannot be read, when there are more than MaxEntries entries, or when a
// directory is on a file system whose times are not trusted.
//
// The digest is a tree of digests (each directory's covers its entries'
// metadata and its subdirectories' digests, in name order), so that
// directories are walked in parallel and the result does not depend on
// the order they finish in.
func Take(in Inputs) (Snapshot, error) {
	w := &walker{seen: map[devIno]bool{}, sem: make(chan struct{}, max(runtime.GOMAXPROCS(0), 2)*2)}
	var top []byte
	for _, t := range in.Trees {
		if !filepath.IsAbs(t) {
			return Snapshot{}, fmt.Errorf("%s: not an absolute path", t)
		}
		d, err := w.root(t, walkAll, 0)
		if err != nil {
			return Snapshot{}, err
		}
		top = appendField(appendField(top, "tree", t), "", string(d[:]))
	}
	for _, p := range in.Paths {
		if !filepath.IsAbs(p) {
			return Snapshot{}, fmt.Errorf("%s: not an absolute path", p)
		}
		if err := trust(filepath.Dir(p)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return Snapshot{}, err
		}
		// walkAll: a link is followed to the file it leads to (a config
		// file mounted from a ConfigMap is a link to a link).
		d, err := w.root(p, walkAll, 0)
		if err != nil {
			return Snapshot{}, err
		}
		top = appendField(appendField(top, "path", p), "", string(d[:]))
	}
	sum := sha256.Sum256(top)
	return Snapshot{State: hex.EncodeToString(sum[:]), Newest: time.Unix(0, w.newest.Load()), Entries: int(w.n.Load())}, nil
}

// trust fails unless dir is on a Trusted file system.
func trust(dir string) error {
	ok, err := Trusted(dir)
	if err == nil && !ok {
		err = fmt.Errorf("%s: its file system's times are not trusted", dir)
	}
	return err
}

// walk says how far a walker goes below an entry.
type walk int

const (
	walkNone walk = iota // the entry itself
	walkAll              // a directory and everything below it
	walkGit              // a .git directory: what names the checked-out state
)

// gitWalked are the directories of a .git directory that are walked (the
// refs, their logs for names like main@{1}, and info/ with the excludes
// and grafts); its other directories (objects, hooks, ...) are not.
var gitWalked = map[string]bool{"refs": true, "logs": true, "info": true}

type devIno struct{ dev, ino uint64 }

type walker struct {
	n      atomic.Int64
	newest atomic.Int64  // Unix nanoseconds
	sem    chan struct{} // a slot per directory walked by a goroutine of its own

	mu   sync.Mutex
	seen map[devIno]bool // directories walked (links may loop)
}

type digest [sha256.Size]byte

func appendField(b []byte, kind, s string) []byte {
	b = append(b, kind...)
	b = append(b, 0)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// count adds an entry and its times.
func (w *walker) count(m meta) error {
	if w.n.Add(1) > MaxEntries {
		return fmt.Errorf("more than %d files to check", MaxEntries)
	}
	t := m.newest.UnixNano()
	for {
		old := w.newest.Load()
		if t <= old || w.newest.CompareAndSwap(old, t) {
			return nil
		}
	}
}

// root is the digest of the entry at full, walked as how says, on a
// device other than dev (0: check the file system).
func (w *walker) root(full string, how walk, dev uint64) (digest, error) {
	st, err := lstat(full)
	if errors.Is(err, os.ErrNotExist) {
		return sha256.Sum256([]byte("absent")), nil
	}
	if err != nil {
		return digest{}, err
	}
	b, err := w.describe(nil, full, st, how, dev)
	if err != nil {
		return digest{}, err
	}
	return sha256.Sum256(b), nil
}

// describe appends to b what the digest keeps of the entry at full (its
// metadata st): the metadata, a link's target and what it leads to, a
// walked directory's digest.
func (w *walker) describe(b []byte, full string, st meta, how walk, dev uint64) ([]byte, error) {
	if err := w.count(st); err != nil {
		return nil, err
	}
	b = st.append(b)
	switch {
	case st.link:
		target, err := os.Readlink(full)
		if err != nil {
			return nil, err
		}
		b = appendField(b, "link", target)
		if how == walkNone {
			return b, nil
		}
		tst, err := stat(full)
		if errors.Is(err, os.ErrNotExist) {
			return appendField(b, "dangling", ""), nil
		}
		if err != nil {
			return nil, err
		}
		if !tst.dir && tst.id.dev != dev {
			if err := trust(full); err != nil { // statfs follows the link
				return nil, err
			}
		}
		return w.describe(appendField(b, "to", ""), full, tst, how, tst.id.dev)
	case st.dir && how != walkNone:
		w.mu.Lock()
		again := w.seen[st.id]
		w.seen[st.id] = true
		w.mu.Unlock()
		if again {
			return appendField(b, "again", ""), nil
		}
		if st.id.dev != dev {
			// Another file system (a mount, or where a link leads).
			if err := trust(full); err != nil {
				return nil, err
			}
		}
		d, err := w.dir(full, how, st.id.dev)
		if err != nil {
			return nil, err
		}
		return appendField(b, "dir", string(d[:])), nil
	}
	return b, nil
}

// child is an entry of a directory being walked.
type child struct {
	name string
	st   meta
	how  walk
	desc []byte
	err  error
}

// dir is the digest of directory full (on device dev) and what is below
// it. Subdirectories are walked by goroutines of their own while slots
// last, else in line.
func (w *walker) dir(full string, how walk, dev uint64) (digest, error) {
	names, sts, err := list(full)
	if err != nil {
		return digest{}, err
	}
	kids := make([]child, 0, len(names))
	for i, n := range names {
		st := sts[i]
		if !st.ok {
			kids = append(kids, child{name: n, desc: []byte("gone")}) // removed while listed
			continue
		}
		k := child{name: n, st: st.meta, how: how}
		switch {
		case how == walkGit && st.dir && !gitWalked[n]:
			continue // not even its times: a fetch or a gc changes them
		case how == walkGit && strings.HasSuffix(n, ".lock"):
			continue // git's lock files come and go with every command
		case how == walkGit && st.dir:
			k.how = walkAll
		case n == ".git" && (st.dir || st.link):
			k.how = walkGit
		case !st.dir && !st.link && st.id.dev != dev:
			// A file mounted from another file system.
			if err := trust(full + string(os.PathSeparator) + n); err != nil {
				return digest{}, err
			}
		}
		kids = append(kids, k)
	}
	var wg sync.WaitGroup
	for i := range kids {
		k := &kids[i]
		if k.desc != nil {
			continue
		}
		p := full + string(os.PathSeparator) + k.name
		// A .git file names a git directory (a FIFO or a device is only
		// stat'ed: reading it could block).
		if k.name == ".git" && k.st.regular {
			k.desc, k.err = w.gitFile(p, k.st)
			continue
		}
		walks := k.how != walkNone && (k.st.dir || k.st.link)
		if walks {
			select {
			case w.sem <- struct{}{}:
				wg.Add(1)
				go func() {
					defer func() { <-w.sem; wg.Done() }()
					k.desc, k.err = w.describe(nil, p, k.st, k.how, dev)
				}()
				continue
			default:
			}
		}
		k.desc, k.err = w.describe(nil, p, k.st, k.how, dev)
	}
	wg.Wait()
	var b []byte
	for _, k := range kids {
		if k.err != nil {
			return digest{}, k.err
		}
		b = appendField(b, "name", k.name)
		b = append(b, k.desc...)
	}
	return sha256.Sum256(b), nil
}

// gitFile describes a .git file (a linked work tree or a submodule) and
// the git directory it names, with its common directory.
func (w *walker) gitFile(full string, st meta) ([]byte, error) {
	b, err := w.describe(nil, full, st, walkNone, 0)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(full)
	if err != nil {
		return nil, err
	}
	b = appendField(b, "gitfile", string(data))
	dir, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir:")
	if !ok {
		return b, nil
	}
	dir = strings.TrimSpace(dir)
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(filepath.Dir(full), dir)
	}
	d, err := w.root(dir, walkGit, 0)
	if err != nil {
		return nil, err
	}
	b = appendField(b, "gitdir", string(d[:]))
	common, err := os.ReadFile(filepath.Join(dir, "commondir"))
	if errors.Is(err, os.ErrNotExist) {
		return b, nil
	}
	if err != nil {
		return nil, err
	}
	c := strings.TrimSpace(string(common))
	if !filepath.IsAbs(c) {
		c = filepath.Join(dir, c)
	}
	d, err = w.root(c, walkGit, 0)
	if err != nil {
		return nil, err
	}
	return appendField(b, "common", string(d[:])), nil
}
