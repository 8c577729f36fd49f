//go:build !unix

package plainfile

// Windows has no FIFOs at paths a scan reads, nor O_NOFOLLOW; Dir's Lstat
// checks still refuse links.
const (
	openFlags = 0
	noFollow  = 0
)
