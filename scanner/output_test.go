package scanner

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestWriteFileIsAtomic(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	if err := WriteFile(path, func(w io.Writer) error { _, err := io.WriteString(w, "first"); return err }); err != nil {
		t.Fatal(err)
	}
	// A write that fails half-way leaves the old content and no temporary file.
	boom := errors.New("boom")
	err := WriteFile(path, func(w io.Writer) error { io.WriteString(w, "half"); return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "first" {
		t.Errorf("content = %q after a failed write, want the old one", got)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the file", len(entries))
	}
}

func TestWriteReportRedacts(t *testing.T) {
	t.Parallel()
	secret := "tok_abcdefghij0123456789"
	f := finding.Finding{RuleID: "test-token", Secret: secret, Match: "x=" + secret, Location: finding.Location{
		Origin: finding.Origin{Kind: "git", Path: "a.txt", Repository: "org/a"}, Line: 1}}
	var buf bytes.Buffer
	if err := WriteReport(ReportOptions{Format: "jsonl", Writer: &buf}, nil, Result{Findings: []finding.Finding{f}}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), secret) || !strings.Contains(buf.String(), `"repository":"org/a"`) {
		t.Errorf("report = %s", buf.String())
	}
	if err := WriteReport(ReportOptions{Format: "nope"}, nil, Result{}); err == nil {
		t.Error("unknown format accepted")
	}
}
