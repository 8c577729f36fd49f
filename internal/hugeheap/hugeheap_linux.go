//go:build linux && (amd64 || arm64)

package hugeheap

import (
	"os"
	"runtime"
	"syscall"
	"unsafe"
)

// hugePage is the huge page size of x86-64, and of arm64 with 4 KiB base
// pages. With larger pages (arm64 kernels built for 64 KiB) the advice
// still covers the range, and the kernel backs what whole huge pages of
// its own size fit in it.
const hugePage = 2 << 20

// Reserve marks Size bytes of Go heap for transparent huge pages when
// Enabled is set. It reports whether the kernel accepted the advice (false
// also when not enabled, or when the kernel has no transparent huge page
// support).
func Reserve() bool {
	if os.Getenv(Enabled) == "" {
		return false
	}
	b := make([]byte, Size)
	// The block comes from freshly mapped heap, so allocating it wrote
	// nothing; align its range inward to whole huge pages.
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	off := int((hugePage - start%hugePage) % hugePage)
	n := (len(b) - off) / hugePage * hugePage
	err := syscall.Madvise(b[off:off+n], syscall.MADV_HUGEPAGE)
	// Free the block now, so the next allocations reuse its range and
	// the heap goal is computed from the program's own heap.
	runtime.GC()
	return err == nil
}
