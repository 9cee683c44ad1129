//go:build !(darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd)

package fsutil

import (
	"os"
	"sync"
)

// Without flock(2), the lock is process-local: a lock file that exists
// while its holder runs, recognised by the in-process table. Different
// processes are kept apart by the file's exclusive creation only when the
// platform's open semantics provide it, so this fallback is best effort.
var (
	localMu    sync.Mutex
	localLocks = map[string]bool{}
)

func lockFD(f *os.File) (bool, error) {
	localMu.Lock()
	defer localMu.Unlock()
	if localLocks[f.Name()] {
		return false, nil
	}
	localLocks[f.Name()] = true
	return true, nil
}

func unlockFD(f *os.File) {
	localMu.Lock()
	delete(localLocks, f.Name())
	localMu.Unlock()
}
