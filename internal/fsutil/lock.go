package fsutil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// BusyError is returned when another process holds a lock past the wait.
type BusyError struct {
	Path string
	// PID is the holder's process id (0 when unknown).
	PID int
}

func (e *BusyError) Error() string {
	pid := "pid unknown"
	if e.PID > 0 {
		pid = "pid " + strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("%s is locked by another process (%s)", e.Path, pid)
}

// Lock is an exclusive lock on a lock file, held until Unlock. The lock
// file holds the holder's pid; it exists only while the lock is held (and,
// after a crash, until the next Lock takes it over: the lock itself dies
// with its process).
type Lock struct {
	path string
	f    *os.File
}

// pollInterval is how often a waiting Lock retries.
const pollInterval = 25 * time.Millisecond

// LockFile takes the lock at path, waiting up to wait for another holder
// (forever when wait < 0) and failing with a *BusyError after that.
func LockFile(ctx context.Context, path string, wait time.Duration) (*Lock, error) {
	var deadline time.Time
	if wait >= 0 {
		deadline = time.Now().Add(wait)
	}
	for {
		l, pid, err := tryLock(path)
		if err != nil {
			return nil, err
		}
		if l != nil {
			return l, nil
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return nil, &BusyError{Path: path, PID: pid}
		}
		t := time.NewTimer(pollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// tryLock makes one attempt: the lock, or the holder's pid.
func tryLock(path string) (*Lock, int, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, 0, fmt.Errorf("lock %s: %w", path, err)
	}
	ok, err := lockFD(f)
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		pid := readPID(f)
		f.Close()
		return nil, pid, nil
	}
	// The holder before us may have removed the file while we waited for
	// it: then we locked a file nobody else will see. Start over.
	fi, err1 := f.Stat()
	cur, err2 := os.Stat(path)
	if err1 != nil || err2 != nil || !os.SameFile(fi, cur) {
		unlockFD(f)
		f.Close()
		return nil, 0, nil
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{path: path, f: f}, 0, nil
}

func readPID(f *os.File) int {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	pid, err := strconv.Atoi(string(bytes.TrimSpace(buf[:n])))
	if err != nil {
		return 0
	}
	return pid
}

// Unlock removes the lock file and releases the lock.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := os.Remove(l.path)
	unlockFD(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	return err
}
