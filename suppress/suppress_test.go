package suppress

import (
	"bytes"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func mk(rule, path, secret string, line int) finding.Finding {
	f := finding.Finding{RuleID: rule, Secret: secret, SecretHash: finding.HashSecret(secret)}
	f.Location.Path = path
	f.Location.Line = line
	f.Fingerprint = finding.Fingerprint(rule, path, f.SecretHash)
	return f
}

func TestIgnoreFile(t *testing.T) {
	t.Parallel()
	a := mk("r", "a.env", "secret-a", 3)
	b := mk("r", "b.env", "secret-b", 7)
	c := mk("r", "c.env", "secret-c", 9)
	c.Location.Commit = "abc123"
	d := mk("r", "d.env", "secret-d", 1)
	s := New()
	data := "# known findings\n\n" +
		a.Fingerprint + "  # fixture, revoked\n" +
		b.SecretHash + "\t# rotated\n" +
		"abc123:c.env:r:9\n" +
		"path#with#hashes:r:1\n" +
		"0123456789abcdef0123456789abcdef\n"
	if err := s.AddIgnoreFile(".leakhoundignore", []byte(data)); err != nil {
		t.Fatal(err)
	}
	moved := b
	moved.Location.Path, moved.Location.Line = "elsewhere/x.yml", 40
	for _, f := range []finding.Finding{a, moved, c} {
		if !s.Match(f) {
			t.Errorf("%s not suppressed", f.Location.Path)
		}
	}
	if s.Match(d) {
		t.Error("d suppressed")
	}
	// A fingerprint names a path: the same secret elsewhere is not covered.
	other := mk("r", "other.env", "secret-a", 3)
	if s.Match(other) {
		t.Error("fingerprint covered another path")
	}
	if got := s.Counts()[".leakhoundignore"]; got != 3 {
		t.Errorf("counts %v", s.Counts())
	}
	var stale []string
	for _, e := range s.Unmatched() {
		stale = append(stale, e.Where)
	}
	if strings.Join(stale, ",") != ".leakhoundignore:6,.leakhoundignore:7" {
		t.Errorf("unmatched %v", stale)
	}
}

func TestBaselineRoundTrip(t *testing.T) {
	t.Parallel()
	fs := []finding.Finding{mk("r2", "b.env", "x2", 5), mk("r1", "a.env", "x1", 9), mk("r1", "a.env", "x1", 12)}
	var buf bytes.Buffer
	if err := WriteBaseline(&buf, fs); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "x1") || strings.Contains(out, `"line"`) || strings.Index(out, "a.env") > strings.Index(out, "b.env") ||
		strings.Count(out, "fingerprint") != 2 {
		t.Errorf("baseline:\n%s", out)
	}
	// Writing it again from the same findings in another order gives the
	// same bytes.
	var again bytes.Buffer
	WriteBaseline(&again, []finding.Finding{fs[2], fs[0], fs[1]})
	if again.String() != out {
		t.Error("baseline depends on the findings' order")
	}
	s := New()
	if err := s.AddBaseline("base.json", buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	if !s.Match(fs[0]) || !s.Match(fs[1]) || s.Match(mk("r1", "a.env", "new", 1)) {
		t.Error("baseline matching")
	}
	// JSONL reports are baselines too; junk is an error naming the file.
	s = New()
	if err := s.AddBaseline("r.jsonl", []byte(`{"fingerprint":"`+fs[0].Fingerprint+`"}`+"\n")); err != nil || !s.Match(fs[0]) {
		t.Errorf("jsonl: %v", err)
	}
	if err := New().AddBaseline("bad.json", []byte("[{]")); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("junk: %v", err)
	}
	if err := New().AddBaseline("nofp.json", []byte(`[{"rule_id":"x"}]`)); err == nil {
		t.Error("entry without fingerprint accepted")
	}
}
