//go:build linux && (amd64 || arm64)

package hugeheap

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// vmFlags returns the VmFlags of the mapping holding addr, from
// /proc/self/smaps ("hg" marks MADV_HUGEPAGE).
func vmFlags(t *testing.T, addr uintptr) []string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no smaps: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		if fields := strings.Fields(line); len(fields) > 0 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			lo, hi, ok := strings.Cut(fields[0], "-")
			l, err1 := strconv.ParseUint(lo, 16, 64)
			h, err2 := strconv.ParseUint(hi, 16, 64)
			in = ok && err1 == nil && err2 == nil && uint64(addr) >= l && uint64(addr) < h
			continue
		}
		if rest, ok := strings.CutPrefix(line, "VmFlags:"); ok && in {
			return strings.Fields(rest)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("no mapping in /proc/self/smaps holds %#x", addr)
	return nil
}

func TestReserveMarksTheHeapLaterAllocationsUse(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || bytes.Contains(mode, []byte("[never]")) {
		t.Skipf("transparent huge pages unavailable (%q, %v)", mode, err)
	}
	t.Setenv(Enabled, "1")
	if !Reserve() {
		t.Fatal("Reserve: the kernel refused MADV_HUGEPAGE")
	}
	// Larger than any free space the test binary's heap had before
	// Reserve, so it is placed in the range Reserve marked.
	b := make([]byte, 64<<20)
	mid := uintptr(unsafe.Pointer(&b[len(b)/2]))
	flags := vmFlags(t, mid)
	runtime.KeepAlive(b)
	for _, f := range flags {
		if f == "hg" {
			return
		}
	}
	t.Errorf("the heap a 64 MiB allocation took after Reserve is not marked for huge pages: VmFlags %v", flags)
}

// TestReserveOffByDefault: without the variable, nothing is marked.
func TestReserveOffByDefault(t *testing.T) {
	t.Setenv(Enabled, "")
	if Reserve() {
		t.Errorf("Reserve with %s unset = true, want false", Enabled)
	}
}
