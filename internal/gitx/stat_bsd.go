//go:build darwin || freebsd || netbsd || openbsd

package gitx

import (
	"os"
	"syscall"
)

// sysStat returns the change time and inode of fi (ok false when the
// platform has none).
func sysStat(fi os.FileInfo) (ctimeSec, ctimeNsec int64, ino, dev uint64, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, 0, 0, false
	}
	ctimeSec, ctimeNsec = ctime(st)
	return ctimeSec, ctimeNsec, uint64(st.Ino), uint64(st.Dev), true
}
