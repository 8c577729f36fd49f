// Package hugeheap asks the kernel to back the Go heap with transparent huge
// pages.
//
// A scan touches tens of megabytes of fresh heap (read buffers, decoded
// objects, the regex engine's memory). On Linux with transparent huge pages
// in "madvise" mode, the usual default, each 4 KiB page of it costs one page
// fault, and in virtual machines a fault is dear: on the machine the
// benchmarks run on, about 11 µs, which made page faults a sixth of a git
// history scan's CPU time. Heap marked MADV_HUGEPAGE faults once per 2 MiB.
//
// The Go runtime does not mark its heap (it did in Go 1.21.0 and stopped), so
// Reserve does it from outside: it allocates one large block, which makes the
// runtime map that much heap without touching it, marks the block's range,
// and lets the collector free it. Later allocations reuse the marked range.
package hugeheap

// Size is how much heap Reserve marks: more than a directory or history
// scan of a large repository needs at its peak. Marking costs no memory: a
// page is only backed when something is written to it.
const Size = 256 << 20

// Disabled is the environment variable that turns Reserve off when set to
// a non-empty value (for a system whose huge pages are scarce, or to measure
// without them).
const Disabled = "LEAKHOUND_NO_HUGEPAGES"
