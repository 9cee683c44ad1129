//go:build !linux

package gitx

import (
	"io/fs"
	"os"
	"path/filepath"
)

// Elsewhere the status lists directories with os.ReadDir and stats files by
// their full path.

type osDir struct{ path string }

func openWTDir(full string) (wtDirHandle, error) { return &osDir{path: full}, nil }

func (d *osDir) close() {}

func (d *osDir) read() ([]dirent, error) {
	des, err := os.ReadDir(d.path)
	if err != nil {
		return nil, err
	}
	out := make([]dirent, 0, len(des))
	for _, de := range des {
		out = append(out, dirent{name: de.Name(), typ: typeOf(de.Type())})
	}
	return out, nil
}

func typeOf(m fs.FileMode) uint8 {
	switch {
	case m.IsDir():
		return dtDir
	case m&fs.ModeSymlink != 0:
		return dtLink
	case m.IsRegular():
		return dtReg
	}
	return dtOther
}

func (d *osDir) lstat(name string) (wtStat, error) {
	fi, err := os.Lstat(filepath.Join(d.path, name))
	if err != nil {
		return wtStat{}, err
	}
	st := wtStat{
		kind: typeOf(fi.Mode().Type()), exec: fi.Mode().Perm()&0o100 != 0, size: fi.Size(),
		mtimeSec: fi.ModTime().Unix(), mtimeNsec: int64(fi.ModTime().Nanosecond()),
	}
	st.ctimeSec, st.ctimeNsec, st.ino, st.dev, st.hasCtime = sysStat(fi)
	st.hasIno = st.hasCtime
	return st, nil
}

type wtRoot struct{ path string }

func openWTRoot(full string) (wtRoot, error) { return wtRoot{path: full}, nil }

func (r wtRoot) close() {}

func (r wtRoot) statDir(rel string) (wtStat, error) {
	full := filepath.Join(r.path, filepath.FromSlash(rel))
	return (&osDir{path: filepath.Dir(full)}).lstat(filepath.Base(full))
}

func (r wtRoot) listed(rel string) wtDirHandle {
	return &osDir{path: filepath.Join(r.path, filepath.FromSlash(rel))}
}
