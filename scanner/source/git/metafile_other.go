//go:build !unix

package git

// openNonblock: opening a named pipe does not block here.
const openNonblock = 0
