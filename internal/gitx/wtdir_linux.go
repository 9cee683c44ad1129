package gitx

import (
	"encoding/binary"
	"sync"

	"golang.org/x/sys/unix"
)

// On Linux the status reads each directory with getdents (names and types,
// no stat per entry) and stats the tracked files relative to the open
// directory, so the kernel resolves one path component per file instead of
// the whole path.

var direntBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

type fdDir struct {
	fd   int
	path string
}

func openWTDir(full string) (wtDirHandle, error) {
	fd, err := openDir(full)
	if err != nil {
		return nil, &pathError{Op: "open", Path: full, Err: err}
	}
	return &fdDir{fd: fd, path: full}, nil
}

func openDir(full string) (int, error) {
	for {
		fd, err := unix.Open(full, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

func (d *fdDir) close() { unix.Close(d.fd) }

func (d *fdDir) read() ([]dirent, error) {
	bp := direntBufs.Get().(*[]byte)
	defer direntBufs.Put(bp)
	buf := *bp
	var out []dirent
	for {
		n, err := unix.Getdents(d.fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &pathError{Op: "readdir", Path: d.path, Err: err}
		}
		if n <= 0 {
			return out, nil
		}
		// One string per read; the names are slices of it.
		s := string(buf[:n])
		for off := 0; off < n; {
			// struct linux_dirent64: ino u64, off i64, reclen u16, type u8, name.
			reclen := int(binary.NativeEndian.Uint16(buf[off+16:]))
			typ := buf[off+18]
			name := s[off+19 : off+reclen]
			for i := 0; i < len(name); i++ {
				if name[i] == 0 {
					name = name[:i]
					break
				}
			}
			off += reclen
			if name == "." || name == ".." {
				continue
			}
			var t uint8
			switch typ {
			case unix.DT_DIR:
				t = dtDir
			case unix.DT_REG:
				t = dtReg
			case unix.DT_LNK:
				t = dtLink
			case unix.DT_UNKNOWN:
				t = dtUnknown
			default:
				t = dtOther
			}
			out = append(out, dirent{name: name, typ: t})
		}
	}
}

func (d *fdDir) lstat(name string) (wtStat, error) { return fstatat(d.fd, name) }

// wtRoot is the open root of the work tree: directories whose listing is
// known (from the listing cache) are not opened, they and their files are
// stat'ed relative to the root.
type wtRoot struct{ fd int }

func openWTRoot(full string) (wtRoot, error) {
	fd, err := openDir(full)
	if err != nil {
		return wtRoot{fd: -1}, &pathError{Op: "open", Path: full, Err: err}
	}
	return wtRoot{fd: fd}, nil
}

func (r wtRoot) close() {
	if r.fd >= 0 {
		unix.Close(r.fd)
	}
}

// statDir stats the directory rel ("" for the root).
func (r wtRoot) statDir(rel string) (wtStat, error) {
	if rel == "" {
		rel = "."
	}
	return fstatat(r.fd, rel)
}

// listed is the directory rel, not opened.
func (r wtRoot) listed(rel string) wtDirHandle {
	if rel != "" {
		rel += "/"
	}
	return relDir{fd: r.fd, prefix: rel}
}

type relDir struct {
	fd     int
	prefix string
}

func (d relDir) read() ([]dirent, error)           { return nil, nil }
func (d relDir) lstat(name string) (wtStat, error) { return fstatat(d.fd, d.prefix+name) }
func (d relDir) close()                            {}

func fstatat(fd int, name string) (wtStat, error) {
	var st unix.Stat_t
	for {
		err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return wtStat{}, err
		}
		break
	}
	var k uint8
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		k = dtReg
	case unix.S_IFDIR:
		k = dtDir
	case unix.S_IFLNK:
		k = dtLink
	default:
		k = dtOther
	}
	return wtStat{
		kind: k, exec: st.Mode&0o100 != 0, size: st.Size,
		mtimeSec: int64(st.Mtim.Sec), mtimeNsec: int64(st.Mtim.Nsec),
		ctimeSec: int64(st.Ctim.Sec), ctimeNsec: int64(st.Ctim.Nsec), hasCtime: true,
		ino: uint64(st.Ino), dev: uint64(st.Dev), hasIno: true,
	}, nil
}
