package replay

import (
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"time"

	"golang.org/x/sys/unix"
)

// meta is what a snapshot keeps of an entry.
type meta struct {
	mode, dev, ino uint64
	size           int64
	mtime, ctime   int64 // nanoseconds
	newest         time.Time
	id             devIno
	dir, link      bool
}

func (m meta) append(b []byte) []byte {
	for _, v := range []uint64{m.mode, m.dev, m.ino, uint64(m.size), uint64(m.mtime), uint64(m.ctime)} {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

func metaFromStat(st *unix.Stat_t) meta {
	m := meta{
		mode:  uint64(st.Mode),
		dev:   uint64(st.Dev),
		ino:   uint64(st.Ino),
		size:  st.Size,
		mtime: st.Mtim.Nano(),
		ctime: st.Ctim.Nano(),
	}
	m.newest = time.Unix(0, max(m.mtime, m.ctime))
	m.id = devIno{m.dev, m.ino}
	m.dir = st.Mode&unix.S_IFMT == unix.S_IFDIR
	m.link = st.Mode&unix.S_IFMT == unix.S_IFLNK
	return m
}

func lstat(path string) (meta, error) {
	var st unix.Stat_t
	if err := retry(func() error { return unix.Lstat(path, &st) }); err != nil {
		return meta{}, &os.PathError{Op: "lstat", Path: path, Err: err}
	}
	return metaFromStat(&st), nil
}

func stat(path string) (meta, error) {
	var st unix.Stat_t
	if err := retry(func() error { return unix.Stat(path, &st) }); err != nil {
		return meta{}, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	return metaFromStat(&st), nil
}

func retry(f func() error) error {
	for {
		if err := f(); err != unix.EINTR {
			return err
		}
	}
}

func readDir(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	return names, nil
}

func metaOf(fi os.FileInfo) string {
	st, ok := fi.Sys().(*unix.Stat_t)
	if !ok {
		return fi.ModTime().String()
	}
	m := metaFromStat(st)
	return fmt.Sprintf("%d %d %d %d", m.dev, m.ino, m.mtime, m.ctime)
}

// Trusted reports whether the file system holding dir is local and keeps
// the times a snapshot relies on: every write, rename, chmod and link
// change sets the change time, and adding, removing or renaming an entry
// sets its directory's modification time.
func Trusted(dir string) (bool, error) {
	var fs unix.Statfs_t
	if err := retry(func() error { return unix.Statfs(dir, &fs) }); err != nil {
		return false, &os.PathError{Op: "statfs", Path: dir, Err: err}
	}
	switch uint32(fs.Type) {
	case unix.EXT4_SUPER_MAGIC, unix.XFS_SUPER_MAGIC, unix.BTRFS_SUPER_MAGIC, unix.TMPFS_MAGIC, unix.F2FS_SUPER_MAGIC, 0x2fc12fc1: // the last: ZFS
		return true, nil
	}
	return false, nil
}
