package gitx

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"os"
	"time"
	"unsafe"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// The questions a Reader answers read the whole index on every call, and
// on a large repository go-git's decoder (a reflective read per field) is
// a good part of a status. decodeIndex reads the same format (versions 2 to
// 4, the cached-tree extension) from memory, with the entries in one
// allocation and their names slices of one string. The other extensions
// are skipped: a Reader never writes the index back. Like go-git, it
// refuses an index with an extension it must understand and does not (a
// split or sparse index) and one whose checksum does not match.

// gitIndex is a decoded index, as the Reader's questions need it.
type gitIndex struct {
	Version uint32
	Entries []indexEntry // in the index's order (by name, then stage)
	Cache   *index.Tree  // the cached trees, invalidated ones included
	ModTime time.Time    // of the index file
}

// indexEntry is one entry of the index. (go-git's index.Entry holds its
// times as time.Time: twice the size, and pointers for the collector to
// follow through fourteen thousand entries.)
type indexEntry struct {
	Name                      string
	Hash                      plumbing.Hash
	Mode                      filemode.FileMode
	Size, Inode               uint32
	MTimeSec, MTimeNsec       uint32
	CTimeSec, CTimeNsec       uint32
	Stage                     uint8 // 0: no merge conflict
	IntentToAdd, SkipWorktree bool
}

// readIndexFast reads and decodes the index in file, with its modification
// time (for the racy-git check).
func readIndexFast(file string) (*gitIndex, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	data := make([]byte, fi.Size())
	if _, err := readFull(f, data); err != nil {
		return nil, err
	}
	idx, err := decodeIndex(data)
	if err != nil {
		return nil, err
	}
	idx.ModTime = fi.ModTime()
	return idx, nil
}

func readFull(f *os.File, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := f.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// errIndexTruncated is a malformed index: it ends inside an entry or an
// extension.
var errIndexTruncated = fmt.Errorf("%w: truncated", index.ErrMalformedIndexFile)

// decodeIndex decodes an index file's content.
func decodeIndex(data []byte) (*gitIndex, error) {
	const hashLen = 20
	if len(data) < 12+hashLen {
		if len(data) >= 4 && !bytes.Equal(data[:4], []byte("DIRC")) {
			return nil, index.ErrMalformedSignature
		}
		return nil, errIndexTruncated
	}
	if !bytes.Equal(data[:4], []byte("DIRC")) {
		return nil, index.ErrMalformedSignature
	}
	version := binary.BigEndian.Uint32(data[4:])
	if version < 2 || version > 4 {
		return nil, index.ErrUnsupportedVersion
	}
	body := data[:len(data)-hashLen]
	if sum := sha1.Sum(body); !bytes.Equal(sum[:], data[len(body):]) {
		return nil, index.ErrInvalidChecksum
	}
	count := int(binary.BigEndian.Uint32(data[8:]))
	if count > len(body)/8 { // an entry takes at least 8 bytes
		return nil, errIndexTruncated
	}
	idx := &gitIndex{Version: version, Entries: make([]indexEntry, count)}
	// Names are slices of one string (versions 2 and 3 store them whole):
	// data, which nothing writes to after this.
	str := unsafe.String(&body[0], len(body))
	off := 12
	prev := ""
	for i := 0; i < count; i++ {
		start := off
		if off+62 > len(body) {
			return nil, errIndexTruncated
		}
		b := body[off:]
		e := &idx.Entries[i]
		e.CTimeSec, e.CTimeNsec = binary.BigEndian.Uint32(b[0:]), binary.BigEndian.Uint32(b[4:])
		e.MTimeSec, e.MTimeNsec = binary.BigEndian.Uint32(b[8:]), binary.BigEndian.Uint32(b[12:])
		// b[16:20]: the device, b[28:36]: owner and group (not compared).
		e.Inode = binary.BigEndian.Uint32(b[20:])
		e.Mode = filemode.FileMode(binary.BigEndian.Uint32(b[24:]))
		e.Size = binary.BigEndian.Uint32(b[36:])
		copy(e.Hash[:], b[40:60])
		flags := binary.BigEndian.Uint16(b[60:])
		e.Stage = uint8(flags>>12) & 0x3
		off += 62
		if flags&0x4000 != 0 { // extended flags (version 3 and up)
			if off+2 > len(body) {
				return nil, errIndexTruncated
			}
			ext := binary.BigEndian.Uint16(body[off:])
			e.IntentToAdd = ext&(1<<13) != 0
			e.SkipWorktree = ext&(1<<14) != 0
			off += 2
		}
		if version == 4 {
			// A varint of the bytes to drop from the previous name, then
			// the rest of the name, NUL-terminated.
			strip, n := offsetVarint(body[off:])
			if n <= 0 || strip > uint64(len(prev)) {
				return nil, fmt.Errorf("%w: invalid name prefix in entry %d", index.ErrMalformedIndexFile, i)
			}
			off += n
			end := bytes.IndexByte(body[off:], 0)
			if end < 0 {
				return nil, errIndexTruncated
			}
			e.Name = prev[:len(prev)-int(strip)] + str[off:off+end]
			off += end + 1
		} else {
			n := int(flags & 0xfff)
			var end int
			if n == 0xfff { // longer: up to the NUL
				end = bytes.IndexByte(body[off:], 0)
				if end < 0 {
					return nil, errIndexTruncated
				}
			} else {
				end = n
				if off+n > len(body) {
					return nil, errIndexTruncated
				}
			}
			e.Name = str[off : off+end]
			off += end
			// NUL padding to a multiple of 8 bytes (at least one NUL).
			off = start + (off-start+8)&^7
			if off > len(body) {
				return nil, errIndexTruncated
			}
		}
		prev = e.Name
	}
	// Extensions: a 4-byte signature, a 4-byte length, the data.
	for off+8 <= len(body) {
		sig := body[off : off+4]
		n := int(binary.BigEndian.Uint32(body[off+4:]))
		off += 8
		if n < 0 || off+n > len(body) {
			return nil, errIndexTruncated
		}
		ext := body[off : off+n]
		off += n
		switch {
		case string(sig) == "TREE":
			t, err := decodeCacheTree(ext, str[off-n:off])
			if err != nil {
				return nil, err
			}
			idx.Cache = t
		case sig[0] < 'A' || sig[0] > 'Z':
			// Lower case: the reader must understand it.
			return nil, fmt.Errorf("%w %q", index.ErrUnknownExtension, sig)
		}
	}
	if off != len(body) {
		return nil, errIndexTruncated
	}
	return idx, nil
}

// offsetVarint decodes the variable-width integer of index version 4 (as
// git's offset encoding: each continuation adds one); n <= 0 on error.
func offsetVarint(b []byte) (uint64, int) {
	if len(b) == 0 {
		return 0, 0
	}
	v := uint64(b[0] & 0x7f)
	i := 1
	for c := b[0]; c&0x80 != 0; i++ {
		if i >= len(b) || i > 9 {
			return 0, 0
		}
		c = b[i]
		v = ((v + 1) << 7) | uint64(c&0x7f)
	}
	return v, i
}

// decodeCacheTree decodes the cached-tree extension: per directory
// (depth first), its path, entry count (-1 when invalid), subtree count
// and, when valid, the tree hash.
func decodeCacheTree(b []byte, s string) (*index.Tree, error) {
	t := &index.Tree{Entries: make([]index.TreeEntry, 0, bytes.Count(b, []byte{'\n'}))}
	bad := fmt.Errorf("%w: invalid cached tree", index.ErrMalformedIndexFile)
	off := 0
	for off < len(b) {
		nul := bytes.IndexByte(b[off:], 0)
		if nul < 0 {
			return nil, bad
		}
		e := index.TreeEntry{Path: s[off : off+nul]}
		off += nul + 1
		var ok bool
		if e.Entries, off, ok = treeInt(b, off, ' '); !ok {
			return nil, bad
		}
		if e.Trees, off, ok = treeInt(b, off, '\n'); !ok {
			return nil, bad
		}
		if e.Entries >= 0 {
			if len(b)-off < len(plumbing.ZeroHash) {
				return nil, bad
			}
			copy(e.Hash[:], b[off:])
			off += len(plumbing.ZeroHash)
		}
		t.Entries = append(t.Entries, e)
	}
	return t, nil
}

// treeInt reads a decimal integer (maybe negative) ending with end.
func treeInt(b []byte, off int, end byte) (int, int, bool) {
	neg := off < len(b) && b[off] == '-'
	if neg {
		off++
	}
	v, digits := 0, 0
	for ; off < len(b) && b[off] != end; off++ {
		c := b[off]
		if c < '0' || c > '9' || digits > 9 {
			return 0, 0, false
		}
		v = v*10 + int(c-'0')
		digits++
	}
	if off >= len(b) || digits == 0 {
		return 0, 0, false
	}
	if neg {
		v = -v
	}
	return v, off + 1, true
}
