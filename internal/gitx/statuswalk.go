package gitx

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// statusWalk compares the work tree with the index the way git status
// does:
//
//   - Every directory that can hold something not ignored is listed once
//     (names and types, no stat per entry), its .gitignore applied to what
//     is below it; directories are read in parallel.
//   - A tracked file is stat'ed (relative to its open directory) and is
//     unchanged, without being read, when its type, executable bit, size,
//     modification time, change time and inode all equal its index entry's
//     and it was not modified in the same second as the index was written
//     or later (git's racy-git rule: such a file may have changed again
//     after its entry was recorded without its stat data showing it). Any
//     other tracked file is hashed and compared with its entry's blob.
//   - A name the index does not hold is untracked, or ignored when the
//     ignore rules say so (an untracked directory that is ignored is not
//     entered; a directory holding tracked files is always entered).
type statusWalk struct {
	g   *Reader
	idx *gitIndex
	// byDir holds, for each directory ("" for the root), the positions in
	// idx.Entries of its own entries, in name order (the index's order).
	byDir map[string][]int32
	// inTree holds the directories with tracked entries below them.
	inTree map[string]bool
	// seen marks the entries found in the work tree.
	seen []bool
	// lc is the listing cache (nil: none), root the open work tree root
	// when there is one.
	lc   *listings
	root wtRoot

	mu      sync.Mutex
	wake    *sync.Cond // signalled when todo grows or the walk ends
	todo    []wtTask   // directories to read
	busy    int        // directories being read
	changed []string   // modified, type-changed or untracked
	ignored []string   // ignored files, and ignored directories and submodules with "/"
	// untracked are the directories with no tracked entry below them.
	untracked []string
	err       error
}

// passedOver lists what the work tree holds differently from the index
// although git status reports nothing of it (beyond the ignored entries):
// an untracked directory holding no file it reports (empty, or holding
// only empty directories or a nested repository), with a trailing "/",
// and a file of a sparse checkout (skip-worktree) missing from the work
// tree.
func (w *statusWalk) passedOver() []string {
	var out []string
	if len(w.untracked) > 0 {
		holds := map[string]bool{} // directories below which something is reported
		for _, list := range [][]string{w.changed, w.ignored} {
			for _, p := range list {
				for d := strings.TrimSuffix(p, "/"); ; {
					k := strings.LastIndexByte(d, '/')
					if k < 0 {
						break
					}
					d = d[:k]
					if holds[d] {
						break
					}
					holds[d] = true
				}
			}
		}
		for _, d := range w.untracked {
			if !holds[d] {
				out = append(out, d+"/")
			}
		}
	}
	for i := range w.idx.Entries {
		if e := &w.idx.Entries[i]; !w.seen[i] && e.Mode != filemode.Submodule && e.SkipWorktree {
			out = append(out, e.Name)
		}
	}
	return out
}

// addTo adds to set every path whose work-tree state differs from the
// index: modified, deleted, or untracked and not ignored.
func (w *statusWalk) addTo(set map[string]bool) {
	for _, p := range w.changed {
		set[p] = true
	}
	for i := range w.idx.Entries {
		if e := &w.idx.Entries[i]; !w.seen[i] && e.Mode != filemode.Submodule && !e.SkipWorktree {
			set[e.Name] = true // deleted from the work tree
		}
	}
}

// Entry types of a directory listing and a stat.
const (
	dtUnknown uint8 = iota
	dtReg
	dtDir
	dtLink
	dtOther
)

type dirent struct {
	name string
	typ  uint8
}

// wtStat is what the status compares of a work-tree file.
type wtStat struct {
	kind                uint8
	exec                bool // the owner's executable bit (as git reads it)
	size                int64
	mtimeSec, mtimeNsec int64
	ctimeSec, ctimeNsec int64
	hasCtime            bool
	ino, dev            uint64
	hasIno              bool
}

// wtDirHandle is an open work-tree directory (wtdir_*.go).
type wtDirHandle interface {
	read() ([]dirent, error)
	lstat(name string) (wtStat, error)
	close()
}

type pathError = fs.PathError

type wtTask struct {
	dir      string
	domain   []string // dir's path components, for the ignore rules
	patterns []gitignore.Pattern
}

func newStatusWalk(g *Reader, idx *gitIndex) *statusWalk {
	w := &statusWalk{g: g, idx: idx, byDir: map[string][]int32{}, inTree: map[string]bool{"": true},
		seen: make([]bool, len(idx.Entries))}
	last := "\x00" // no directory is named so
	var own []int32
	for i := range idx.Entries {
		e := &idx.Entries[i]
		dir := ""
		if k := strings.LastIndexByte(e.Name, '/'); k >= 0 {
			dir = e.Name[:k]
		}
		if dir != last {
			if last != "\x00" {
				w.byDir[last] = own
			}
			own = w.byDir[dir]
			last = dir
		}
		own = append(own, int32(i))
		for d := dir; !w.inTree[d]; {
			w.inTree[d] = true
			if k := strings.LastIndexByte(d, '/'); k >= 0 {
				d = d[:k]
			} else {
				d = ""
			}
		}
	}
	if last != "\x00" {
		w.byDir[last] = own
	}
	return w
}

func (w *statusWalk) run() error {
	var patterns []gitignore.Pattern
	// info/exclude is shared by all worktrees: git reads the common
	// directory's (git rev-parse --git-path info/exclude).
	if _, common, err := GitDirs(w.g.Dir); err == nil {
		if b, err := os.ReadFile(filepath.Join(common, "info", "exclude")); err == nil {
			patterns = parseIgnore(b, nil)
		}
	}
	lc := w.lc
	if lc != nil && !lc.trusted {
		w.lc = nil // not used, but stored (empty): see loadListings
	}
	if w.lc != nil {
		var err error
		if w.root, err = openWTRoot(w.g.Dir); err != nil {
			return err
		}
		defer w.root.close()
	}
	// A few workers share a stack of directories to read: a directory's
	// subdirectories are pushed when it is read.
	w.todo = []wtTask{{patterns: patterns}}
	w.wake = sync.NewCond(&w.mu)
	var wg sync.WaitGroup
	for range max(2, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.work()
		}()
	}
	wg.Wait()
	if w.err == nil && lc != nil {
		lc.save()
	}
	return w.err
}

func (w *statusWalk) work() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		for len(w.todo) == 0 && w.busy > 0 {
			w.wake.Wait()
		}
		if len(w.todo) == 0 || w.err != nil {
			w.wake.Broadcast()
			return
		}
		t := w.todo[len(w.todo)-1]
		w.todo = w.todo[:len(w.todo)-1]
		w.busy++
		w.mu.Unlock()
		r := w.readDir(t)
		w.mu.Lock()
		w.busy--
		w.todo = append(w.todo, r.subs...)
		w.changed = append(w.changed, r.changed...)
		w.ignored = append(w.ignored, r.ignored...)
		w.untracked = append(w.untracked, r.untracked...)
		if r.err != nil && w.err == nil {
			w.err = r.err
		}
		if len(r.subs) > 1 || len(w.todo) == 0 && w.busy == 0 {
			w.wake.Broadcast()
		}
	}
}

type dirResult struct {
	subs                        []wtTask
	changed, ignored, untracked []string
	err                         error
}

// readDir compares one directory's entries and returns the directories
// below it to read.
func (w *statusWalk) readDir(t wtTask) (r dirResult) {
	full := w.g.Dir
	if t.dir != "" {
		full = filepath.Join(w.g.Dir, filepath.FromSlash(t.dir))
	}
	d, des, err := w.list(t.dir, full)
	if err != nil {
		return dirResult{err: err}
	}
	defer d.close()
	patterns := t.patterns
	for _, de := range des {
		if de.name != ".gitignore" {
			continue
		}
		typ := de.typ
		if typ == dtUnknown {
			if st, err := d.lstat(de.name); err == nil {
				typ = st.kind
			}
		}
		if typ == dtReg {
			if b, err := os.ReadFile(filepath.Join(full, ".gitignore")); err == nil {
				patterns = append(append([]gitignore.Pattern(nil), patterns...), parseIgnore(b, t.domain)...)
			}
		}
		break
	}
	var m gitignore.Matcher
	parts := func(name string) []string {
		return append(append(make([]string, 0, len(t.domain)+1), t.domain...), name)
	}
	match := func(name string, isDir bool) bool {
		if len(patterns) == 0 {
			return false
		}
		if m == nil {
			m = gitignore.NewMatcher(patterns)
		}
		return m.Match(parts(name), isDir)
	}
	own := w.byDir[t.dir]
	path := func(name string) string {
		if t.dir == "" {
			return name
		}
		return t.dir + "/" + name
	}
	subs, changed, ignored, untracked := &r.subs, &r.changed, &r.ignored, &r.untracked
	for _, de := range des {
		name := de.name
		if name == ".git" {
			// The repository itself (a directory, or a file naming it), or
			// a nested repository's: git tracks no path named .git.
			continue
		}
		typ := de.typ
		var st wtStat
		stated := false
		if typ == dtUnknown {
			if st, err = d.lstat(name); err != nil {
				continue // gone since the listing
			}
			typ, stated = st.kind, true
		}
		at := w.lookup(t.dir, own, name)
		if typ == dtDir {
			p := path(name)
			if at >= 0 && w.idx.Entries[own[at]].Mode == filemode.Submodule {
				w.seen[own[at]] = true
				*ignored = append(*ignored, p+"/") // its files are not compared either
				continue
			}
			if !w.inTree[p] && match(name, true) {
				*ignored = append(*ignored, p+"/")
				continue
			}
			if !w.inTree[p] {
				*untracked = append(*untracked, p)
			}
			*subs = append(*subs, wtTask{dir: p, domain: parts(name), patterns: patterns})
			continue
		}
		if at < 0 {
			p := path(name)
			if match(name, false) {
				*ignored = append(*ignored, p)
			} else {
				*changed = append(*changed, p) // untracked
			}
			continue
		}
		e := &w.idx.Entries[own[at]]
		for j := at; j < len(own) && w.idx.Entries[own[j]].Name == e.Name; j++ {
			w.seen[own[j]] = true // every stage of a conflicted path
		}
		if !stated {
			if st, err = d.lstat(name); err != nil {
				*changed = append(*changed, e.Name)
				continue
			}
		}
		if w.fileChanged(e.Name, e, st) {
			*changed = append(*changed, e.Name)
		}
	}
	return r
}

// list returns the entries of a directory, from the listing cache when it
// has not changed since it was kept there.
func (w *statusWalk) list(dir, full string) (wtDirHandle, []dirent, error) {
	var st wtStat
	if w.lc != nil {
		var err error
		if st, err = w.root.statDir(dir); err != nil {
			return nil, nil, &pathError{Op: "stat", Path: full, Err: err}
		}
		if st.kind != dtDir {
			return nil, nil, &pathError{Op: "open", Path: full, Err: syscall.ENOTDIR}
		}
		if des, ok := w.lc.lookup(dir, st); ok {
			return w.root.listed(dir), des, nil
		}
	}
	d, err := openWTDir(full)
	if err != nil {
		return nil, nil, err
	}
	des, err := d.read()
	if err != nil {
		d.close()
		return nil, nil, err
	}
	if w.lc != nil {
		w.lc.listed(dir, st, des)
	}
	return d, des, nil
}

// lookup returns the position in own (dir's entries) of the first entry
// named name, or -1.
func (w *statusWalk) lookup(dir string, own []int32, name string) int {
	skip := 0
	if dir != "" {
		skip = len(dir) + 1
	}
	i := sort.Search(len(own), func(i int) bool { return w.idx.Entries[own[i]].Name[skip:] >= name })
	if i < len(own) && w.idx.Entries[own[i]].Name[skip:] == name {
		return i
	}
	return -1
}

// fileChanged compares a work-tree file (stat st) with its index entry.
func (w *statusWalk) fileChanged(p string, e *indexEntry, st wtStat) bool {
	var mode filemode.FileMode
	switch {
	case st.kind == dtReg && st.exec:
		mode = filemode.Executable
	case st.kind == dtReg:
		mode = filemode.Regular
	case st.kind == dtLink:
		mode = filemode.Symlink
	default:
		return true // a directory, a device, a socket, ...
	}
	em := e.Mode
	if em == filemode.Deprecated {
		em = filemode.Regular
	}
	if mode != em {
		return true
	}
	if w.statClean(e, st) {
		return false
	}
	full := filepath.Join(w.g.Dir, filepath.FromSlash(p))
	var data []byte
	if st.kind == dtLink {
		target, err := os.Readlink(full)
		if err != nil {
			return true
		}
		data = []byte(filepath.ToSlash(target))
	} else {
		var err error
		if data, err = os.ReadFile(full); err != nil {
			return true
		}
	}
	return plumbing.ComputeHash(plumbing.BlobObject, data) != e.Hash
}

// statClean reports whether the stat data of a file says it still holds
// what its index entry records.
func (w *statusWalk) statClean(e *indexEntry, st wtStat) bool {
	if uint32(st.size) != e.Size {
		return false
	}
	if st.mtimeSec != int64(e.MTimeSec) || st.mtimeNsec != int64(e.MTimeNsec) {
		return false
	}
	if st.hasCtime && (e.CTimeSec != 0 || e.CTimeNsec != 0) &&
		(st.ctimeSec != int64(e.CTimeSec) || st.ctimeNsec != int64(e.CTimeNsec)) {
		return false
	}
	if st.hasIno && e.Inode != 0 && uint32(st.ino) != e.Inode {
		return false
	}
	// Racy: modified in the second the index was written, or later.
	return w.idx.ModTime.IsZero() || st.mtimeSec < w.idx.ModTime.Unix()
}
