package gitx

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/gitopsctl/gitopsctl/internal/replay"
)

// ListingCache keeps data between runs under hex keys (a
// rendercache.Cache is one): a Reader given one with SetListingCache keeps
// there the listings of the work tree's directories, as git's untracked
// cache does, and on the next status reads again only the directories that
// changed since.
//
// A directory's listing is reused when the directory's modification time,
// change time, inode and device are all what they were when it was listed:
// adding, removing or renaming an entry changes them. A listing is kept only
// when the directory had not changed for two seconds before it was read, so
// that a change made in the same tick of the file system's clock cannot go
// unseen; and only on local Linux file systems known to keep directory
// times this way. The ignore rules and the tracked files are applied to a
// reused listing as to a fresh one, and every tracked file is still
// stat'ed: only the reading of unchanged directories is saved.
type ListingCache interface {
	Get(key string) ([]byte, bool)
	Put(key string, content []byte) error
}

// SetListingCache makes the work-tree status keep directory listings in c
// (nil: none).
func (g *Reader) SetListingCache(c ListingCache) { g.listings = c }

const listingFormat = "gitopsctl work-tree listings 1\n"

// listingAge is how long a directory must have been unchanged before its
// listing is kept.
const listingAge = 2 // seconds

// listingClock is the clock the age of a directory is judged by (tests
// move it).
var listingClock = time.Now

type dirStamp struct {
	mtimeSec, mtimeNsec, ctimeSec, ctimeNsec int64
	ino, dev                                 uint64
}

func stampOf(st wtStat) dirStamp {
	return dirStamp{st.mtimeSec, st.mtimeNsec, st.ctimeSec, st.ctimeNsec, st.ino, st.dev}
}

type listedDir struct {
	stamp dirStamp
	ents  []dirent
}

// listings is the listing cache during one status.
type listings struct {
	cache ListingCache
	key   string
	root  string
	now   int64 // seconds
	old   map[string]*listedDir
	// trusted: the file system keeps directory times as the cache needs.
	trusted bool

	mu    sync.Mutex
	fresh map[string]*listedDir // to keep: the directories read or reused, old enough
	dirty bool                  // fresh differs from old
}

// loadListings returns the listing cache of the work tree at root (nil:
// none). Where it cannot be trusted it keeps no directory, but its (empty)
// entry is stored all the same, so that what a run leaves in the cache
// does not depend on the file system.
func loadListings(c ListingCache, root string) *listings {
	if c == nil {
		return nil
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil
	}
	sum := sha256.Sum256([]byte(listingFormat + abs))
	l := &listings{cache: c, key: hex.EncodeToString(sum[:]), root: abs, now: listingClock().Unix(),
		trusted: listingCacheFS(abs), fresh: map[string]*listedDir{}}
	if data, ok := c.Get(l.key); ok {
		l.old = decodeListings(data, abs)
	}
	return l
}

// lookup returns dir's kept listing when the directory (stat st) has not
// changed since.
func (l *listings) lookup(dir string, st wtStat) ([]dirent, bool) {
	ld := l.old[dir]
	if ld == nil || ld.stamp != stampOf(st) || !st.hasCtime || !st.hasIno {
		return nil, false
	}
	l.keep(dir, ld, true)
	return ld.ents, true
}

// listed records a listing just read.
func (l *listings) listed(dir string, st wtStat, ents []dirent) {
	if !st.hasCtime || !st.hasIno || st.mtimeSec > l.now-listingAge || st.ctimeSec > l.now-listingAge {
		l.mu.Lock()
		if l.old[dir] != nil {
			l.dirty = true // no longer kept
		}
		l.mu.Unlock()
		return
	}
	l.keep(dir, &listedDir{stamp: stampOf(st), ents: ents}, false)
}

func (l *listings) keep(dir string, ld *listedDir, reused bool) {
	l.mu.Lock()
	l.fresh[dir] = ld
	if !reused {
		l.dirty = true
	}
	l.mu.Unlock()
}

// save stores the listings when they changed (or none are stored).
func (l *listings) save() {
	if l.old != nil && !l.dirty && len(l.fresh) == len(l.old) {
		return
	}
	_ = l.cache.Put(l.key, encodeListings(l.fresh, l.root)) // best effort: a cache
}

// The stored form: the format line, the root and a newline, then per
// directory its path, stamp and entries (type and name), with
// length-prefixed strings and varints.

func encodeListings(dirs map[string]*listedDir, root string) []byte {
	var b bytes.Buffer
	b.WriteString(listingFormat)
	b.WriteString(root)
	b.WriteByte('\n')
	var tmp [binary.MaxVarintLen64]byte
	uv := func(v uint64) { b.Write(tmp[:binary.PutUvarint(tmp[:], v)]) }
	iv := func(v int64) { b.Write(tmp[:binary.PutVarint(tmp[:], v)]) }
	str := func(s string) { uv(uint64(len(s))); b.WriteString(s) }
	names := make([]string, 0, len(dirs))
	for d := range dirs {
		names = append(names, d)
	}
	sort.Strings(names)
	uv(uint64(len(names)))
	for _, d := range names {
		ld := dirs[d]
		str(d)
		iv(ld.stamp.mtimeSec)
		iv(ld.stamp.mtimeNsec)
		iv(ld.stamp.ctimeSec)
		iv(ld.stamp.ctimeNsec)
		uv(ld.stamp.ino)
		uv(ld.stamp.dev)
		uv(uint64(len(ld.ents)))
		for _, e := range ld.ents {
			b.WriteByte(e.typ)
			str(e.name)
		}
	}
	return b.Bytes()
}

// decodeListings decodes stored listings (nil when they do not decode or
// are another root's). The names are slices of data.
func decodeListings(data []byte, root string) map[string]*listedDir {
	head := listingFormat + root + "\n"
	if len(data) <= len(head) || string(data[:len(head)]) != head {
		return nil
	}
	s := unsafe.String(&data[0], len(data))
	off := len(head)
	bad := false
	uv := func() uint64 {
		v, n := binary.Uvarint(data[off:])
		if n <= 0 {
			bad = true
			return 0
		}
		off += n
		return v
	}
	iv := func() int64 {
		v, n := binary.Varint(data[off:])
		if n <= 0 {
			bad = true
			return 0
		}
		off += n
		return v
	}
	str := func() string {
		n := uv()
		if bad || n > uint64(len(data)-off) {
			bad = true
			return ""
		}
		v := s[off : off+int(n)]
		off += int(n)
		return v
	}
	count := uv()
	if bad || count > uint64(len(data)) {
		return nil
	}
	out := make(map[string]*listedDir, count)
	for i := uint64(0); i < count && !bad; i++ {
		d := str()
		ld := &listedDir{}
		ld.stamp.mtimeSec, ld.stamp.mtimeNsec = iv(), iv()
		ld.stamp.ctimeSec, ld.stamp.ctimeNsec = iv(), iv()
		ld.stamp.ino, ld.stamp.dev = uv(), uv()
		n := uv()
		if bad || n > uint64(len(data)-off) {
			return nil
		}
		ld.ents = make([]dirent, n)
		for j := range ld.ents {
			if off >= len(data) {
				return nil
			}
			ld.ents[j].typ = data[off]
			off++
			name := str()
			if ld.ents[j].typ > dtOther || name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
				return nil
			}
			ld.ents[j].name = name
		}
		out[d] = ld
	}
	if bad || off != len(data) {
		return nil
	}
	return out
}

// listingCacheFS reports whether the file system holding dir is one whose
// directories are known to change modification time whenever an entry is
// added, removed or renamed, so that the listing cache may be trusted: the
// file systems replay trusts (on Linux only).
func listingCacheFS(dir string) bool {
	ok, err := replay.Trusted(dir)
	return ok && err == nil
}
