//go:build unix

package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// objects/info/alternates as a FIFO with no writer: a problem, not a scan
// that waits forever.
func TestGitAlternatesFIFO(t *testing.T) {
	t.Parallel()
	cfg := writeGitTestConfig(t)
	r := newGitRepo(t)
	r.write("a.env", "TOKEN="+gitToken()+"\n")
	r.commit("add")
	alt := filepath.Join(r.dir, ".git", "objects", "info", "alternates")
	os.MkdirAll(filepath.Dir(alt), 0o755)
	if err := syscall.Mkfifo(alt, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	type result struct {
		code   int
		errOut string
	}
	done := make(chan result, 1)
	go func() {
		code, _, errOut := runGitCmd(t, r.dir, "--config", cfg)
		done <- result{code, errOut}
	}()
	select {
	case res := <-done:
		if res.code != ExitFindings || !strings.Contains(res.errOut, "objects/info/alternates") || !strings.Contains(res.errOut, "a FIFO") {
			t.Errorf("exit %d, want 1 with a problem naming the FIFO: %s", res.code, res.errOut)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the scan hangs on a FIFO")
	}
}
