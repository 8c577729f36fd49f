package hugeheap

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// anonHugeKiB is the process's anonymous memory backed by huge pages.
func anonHugeKiB(t *testing.T) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps_rollup")
	if err != nil {
		t.Skipf("no smaps_rollup: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "AnonHugePages:"); ok {
			kib, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				t.Fatalf("smaps_rollup: %q: %v", sc.Text(), err)
			}
			return kib
		}
	}
	t.Fatalf("smaps_rollup has no AnonHugePages line")
	return 0
}

func TestReserveBacksLaterAllocationsWithHugePages(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || bytes.Contains(mode, []byte("[never]")) {
		t.Skipf("transparent huge pages unavailable (%q, %v)", mode, err)
	}
	t.Setenv(Disabled, "")
	if !Reserve() {
		t.Fatal("Reserve: the kernel refused MADV_HUGEPAGE")
	}
	before := anonHugeKiB(t)
	// Larger than any free space the test binary's heap had before
	// Reserve, so it lands in the reserved range.
	b := make([]byte, 64<<20)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	after := anonHugeKiB(t)
	runtime.KeepAlive(b)
	if after-before < 2<<10 {
		t.Errorf("touching 64 MiB after Reserve added %d KiB of huge pages, want at least one 2 MiB page", after-before)
	}
}

func TestReserveDisabled(t *testing.T) {
	t.Setenv(Disabled, "1")
	if Reserve() {
		t.Errorf("Reserve with %s=1 = true, want false", Disabled)
	}
}
