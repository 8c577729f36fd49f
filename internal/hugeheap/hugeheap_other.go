//go:build !linux || !(amd64 || arm64)

package hugeheap

// Reserve does nothing outside Linux on amd64 and arm64 (4 KiB pages,
// 2 MiB huge pages, room for the block) and reports false.
func Reserve() bool { return false }
