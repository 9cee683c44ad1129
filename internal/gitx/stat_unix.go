//go:build linux || darwin || freebsd || netbsd || openbsd

package gitx

import (
	"os"
	"syscall"
	"time"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// fillStat copies the inode data git compares, so git sees the entry as
// up to date without re-reading the file.
func fillStat(e *index.Entry, fi os.FileInfo) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	e.Dev = uint32(st.Dev)
	e.Inode = uint32(st.Ino)
	e.UID = st.Uid
	e.GID = st.Gid
	sec, nsec := ctime(st)
	e.CreatedAt = time.Unix(sec, nsec)
}
