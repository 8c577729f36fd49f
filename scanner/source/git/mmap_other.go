//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package git

import (
	"errors"
	"os"
)

// Elsewhere packs are read with ReadAt.
const mmapSupported = false

func mapFile(*os.File, int64) ([]byte, func() error, error) {
	return nil, nil, errors.New("no mmap")
}
