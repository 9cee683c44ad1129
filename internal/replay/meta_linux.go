package replay

import (
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"syscall"
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
	regular        bool
}

// append appends what a digest keeps of the entry. A directory's size
// and times are left out: its names are in the digest, and its times
// change also when an entry comes and goes again (git's index.lock, an
// editor's temp file). They still count for the newest time, so that an
// entry removed while a run reads it keeps the run from being recorded.
func (m meta) append(b []byte) []byte {
	for _, v := range []uint64{m.mode, m.dev, m.ino} {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	if m.dir {
		return b
	}
	for _, v := range []uint64{uint64(m.size), uint64(m.mtime), uint64(m.ctime)} {
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
	m.regular = st.Mode&unix.S_IFMT == unix.S_IFREG
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

// entryStat is an entry's metadata, or !ok when it was gone by the time
// it was looked at.
type entryStat struct {
	meta
	ok bool
}

// list returns the names in directory dir, sorted, and each one's
// metadata (symbolic links not followed), through the directory's file
// descriptor: no path is looked up again per entry.
func list(dir string) ([]string, []entryStat, error) {
	var fd int
	err := retry(func() (err error) {
		fd, err = unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		return err
	})
	if err != nil {
		return nil, nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(fd)
	var names []string
	buf := make([]byte, 32<<10)
	for {
		var n int
		err := retry(func() (err error) {
			n, err = unix.ReadDirent(fd, buf)
			return err
		})
		if err != nil {
			return nil, nil, &os.PathError{Op: "readdirent", Path: dir, Err: err}
		}
		if n <= 0 {
			break
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
	slices.Sort(names)
	sts := make([]entryStat, len(names))
	for i, name := range names {
		var st unix.Stat_t
		err := retry(func() error { return unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW) })
		switch {
		case err == unix.ENOENT:
		case err != nil:
			return nil, nil, &os.PathError{Op: "lstat", Path: dir + "/" + name, Err: err}
		default:
			sts[i] = entryStat{meta: metaFromStat(&st), ok: true}
		}
	}
	return names, sts, nil
}

func metaOf(fi os.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fi.ModTime().String()
	}
	return fmt.Sprintf("%d %d %d %d", st.Dev, st.Ino, st.Mtim.Nano(), st.Ctim.Nano())
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
