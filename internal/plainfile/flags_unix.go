//go:build unix

package plainfile

import "syscall"

const (
	openFlags = syscall.O_NONBLOCK
	noFollow  = syscall.O_NOFOLLOW
)
