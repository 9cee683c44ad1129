//go:build darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd

package fsutil

import (
	"errors"
	"os"
	"syscall"
)

// lockFD takes flock(2) on f without blocking; the kernel drops it when the
// process dies, so a crashed holder never leaves a stale lock.
func lockFD(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		}
		return false, err
	}
}

func unlockFD(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
