//go:build unix

package dir

import (
	"io"
	"os"
	"syscall"
)

// file is a regular file opened for one read from start to end. On unix
// it is a bare descriptor: an *os.File would register every file with the
// runtime's poller (a failing epoll_ctl per file) and take a lock per
// read, which on a tree of small files is a good part of the syscall time.
type file struct {
	fd   int
	name string
}

// openFile opens name without blocking: a FIFO that took a regular
// file's place after the walk saw it would otherwise hang the open until
// some writer came. Reads of regular files ignore O_NONBLOCK; see block.
func openFile(name string) (*file, error) {
	for {
		fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: name, Err: err}
		}
		return &file{fd: fd, name: name}, nil
	}
}

// size returns the file's size from its descriptor, and whether it is a
// regular file (a pipe or device has no size to trust).
func (f *file) size() (int64, bool, error) {
	var st syscall.Stat_t
	for {
		err := syscall.Fstat(f.fd, &st)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, false, &os.PathError{Op: "fstat", Path: f.name, Err: err}
		}
		return st.Size, st.Mode&syscall.S_IFMT == syscall.S_IFREG, nil
	}
}

// block makes reads wait for data again, for a pipe or device the user
// named: it is read like any stream.
func (f *file) block() error { return syscall.SetNonblock(f.fd, false) }

func (f *file) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := syscall.Read(f.fd, p)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, &os.PathError{Op: "read", Path: f.name, Err: err}
		}
		if n == 0 {
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f *file) ReadAt(p []byte, off int64) (int, error) {
	total := 0
	for total < len(p) {
		n, err := syscall.Pread(f.fd, p[total:], off+int64(total))
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return total, &os.PathError{Op: "read", Path: f.name, Err: err}
		}
		if n == 0 {
			return total, io.EOF
		}
		total += n
	}
	return total, nil
}

func (f *file) Close() error { return syscall.Close(f.fd) }
