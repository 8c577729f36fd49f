//go:build unix

package git

import "syscall"

// openNonblock keeps an open of a FIFO from waiting for a writer; reads
// of regular files ignore it.
const openNonblock = syscall.O_NONBLOCK
