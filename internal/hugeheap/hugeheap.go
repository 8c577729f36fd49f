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
//
// It is off unless asked for (LEAKHOUND_HUGEPAGES=1). Marked heap wins only
// while the kernel hands the process huge pages that are already backed:
// run after run of leakhound alone. Run as it is used, after a git clone or
// after another scanner, each 2 MiB page was a fresh one to fault in and
// zero, and a history scan took 5-10% longer with the heap marked than
// without (RESULTS-git.md, 2026-12-03); 4 KiB faults cost about 3 us on
// that machine, not the 11 us that made marking pay on the one before.
package hugeheap

// Size is how much heap Reserve marks: more than a directory or history
// scan of a large repository needs at its peak. Marking costs no memory: a
// page is only backed when something is written to it.
const Size = 256 << 20

// Enabled is the environment variable that turns Reserve on when set to a
// non-empty value (for a machine where small page faults are dear, or to
// measure with huge pages).
const Enabled = "LEAKHOUND_HUGEPAGES"
