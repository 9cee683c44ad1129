package fsutil

import (
	"io/fs"
	"syscall"
)

// ReadFile reads the named file like os.ReadFile, with the same errors
// (*fs.PathError, "open" or "read"), in half the system calls: os.Open
// also tries to add every file to the runtime's network poller, which a
// regular file refuses after four fcntl calls and one epoll_ctl. Commands
// read every file of every chart of a repository to know whether its
// renders are cached, so those calls are a good part of a warm render.
// For regular files and directories (reading one fails like os.ReadFile);
// a FIFO or device would block the thread, as os.ReadFile does not: use
// os.ReadFile for those.
func ReadFile(name string) ([]byte, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	size := 0
	if err := fstat(fd, &st); err == nil && st.Mode&syscall.S_IFMT == syscall.S_IFREG {
		size = int(st.Size)
	}
	// One byte more than the size, so that the first read can see the end
	// (as os.ReadFile; files in /proc say 0 and grow the buffer).
	size++
	if size < 512 {
		size = 512
	}
	data := make([]byte, 0, size)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := syscall.Read(fd, data[len(data):cap(data)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		if n == 0 {
			return data, nil
		}
		data = data[:len(data)+n]
	}
}

func fstat(fd int, st *syscall.Stat_t) error {
	for {
		if err := syscall.Fstat(fd, st); err != syscall.EINTR {
			return err
		}
	}
}
