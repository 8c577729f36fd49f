//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package git

import (
	"errors"
	"os"
	"syscall"
)

const mmapSupported = true

// mapFile maps a whole file read-only.
func mapFile(f *os.File, size int64) ([]byte, func() error, error) {
	if size <= 0 || int64(int(size)) != size {
		return nil, nil, errors.New("can't map a file of this size")
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return b, func() error { return syscall.Munmap(b) }, nil
}
