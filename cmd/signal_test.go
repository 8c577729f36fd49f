//go:build unix

package cmd

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	go func() {
		line := []byte(strings.Repeat("log line with nothing secret in it ", 8) + "\n")
		for {
			if _, err := stdin.Write(line); err != nil {
				return
			}
		}
	}()
	time.Sleep(500 * time.Millisecond)
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
