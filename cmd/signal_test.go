//go:build unix

package cmd

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERMEndsAScan runs the real binary on a stream that never ends,
// sends SIGTERM, and checks the scan stops, writes its partial report and
// says it is incomplete (exit 3, never a clean 0).
func TestSIGTERMEndsAScan(t *testing.T) {
	t.Parallel()
	report := filepath.Join(t.TempDir(), "report.json")
	cmd := cliCommand(t, "stdin", "--format", "json", "--output", report)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var written atomic.Int64
	go func() {
		line := []byte(strings.Repeat("log line with nothing secret in it ", 8) + "\n")
		for {
			n, err := stdin.Write(line)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}()
	// Signal once the child is reading (more than a pipe buffer went in),
	// so its handler is installed: a loaded machine can take longer than
	// any fixed sleep to start a -race binary.
	for deadline := time.Now().Add(20 * time.Second); written.Load() < 1<<20 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	sent := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the scan did not stop after SIGTERM")
	}
	t.Logf("stopped %v after SIGTERM", time.Since(sent).Round(time.Millisecond))
	stdin.Close()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != ExitErrors {
		t.Errorf("exit: %v, want %d; stderr: %s", err, ExitErrors, stderr.String())
	}
	if !strings.Contains(stderr.String(), "INCOMPLETE") {
		t.Errorf("summary does not say incomplete: %s", stderr.String())
	}
	f, err := os.Open(report)
	if err != nil {
		t.Fatalf("no partial report: %v", err)
	}
	defer f.Close()
	if b, _ := io.ReadAll(f); strings.TrimSpace(string(b)) != "[]" {
		t.Errorf("report: %q", b)
	}
}
