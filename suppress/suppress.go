// Package suppress reads, writes and matches the lists of known findings a
// scan leaves out: ignore files (.leakhoundignore, .gitleaksignore,
// --ignore-file) and baselines (a previous JSON report, or a baseline
// leakhound wrote).
//
// Entries are keyed on what does not churn: a fingerprint (rule, path and
// secret, no line) covers one secret at one path wherever it moves in the
// file; a secret hash covers that secret everywhere. gitleaks'
// "[commit:]file:rule:line" entries are honoured for compatibility, but a
// line-keyed entry can hide a different secret later put on that line, so
// leakhound never writes one.
package suppress

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// MaxFileSize caps an ignore file or baseline read from disk.
const MaxFileSize = 256 << 20

// Entry is one suppression.
type Entry struct {
	Key string
	// Where is the file and line (ignore files) or the file and index
	// (baselines) the entry was read from.
	Where string
	// Source is the file the entry came from, as counted in Counts.
	Source string
	hits   int
}

// Set is the suppressions of one scan. Match is not safe for concurrent
// use.
type Set struct {
	entries []*Entry
	byKey   map[string]*Entry
	counts  map[string]int
}

// New returns an empty set.
func New() *Set {
	return &Set{byKey: map[string]*Entry{}, counts: map[string]int{}}
}

func (s *Set) add(e *Entry) {
	if _, dup := s.byKey[e.Key]; dup {
		return
	}
	s.entries = append(s.entries, e)
	s.byKey[e.Key] = e
}

// Len is the number of entries.
func (s *Set) Len() int { return len(s.entries) }

// AddIgnoreFile reads an ignore file: one fingerprint, secret hash or
// gitleaks "[commit:]file:rule:line" entry per line. Blank lines and
// lines starting with # are comments, and so is the rest of a line after
// whitespace and #, so an entry can carry its reason:
//
//	3f9a0c1e2b4d5f6a7b8c9d0e1f2a3b4c  # test fixture, rotated 2025-04
func (s *Set) AddIgnoreFile(name string, data []byte) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if i := commentStart(line); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		s.add(&Entry{Key: line, Where: name + ":" + strconv.Itoa(n), Source: name})
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: line %d: %w", name, n+1, err)
	}
	return nil
}

// commentStart returns where a comment starts in an ignore-file line: at
// a # that opens the line or follows whitespace; -1 if none.
func commentStart(line string) int {
	for i := 0; i < len(line); i++ {
		if line[i] == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			return i
		}
	}
	return -1
}

// baselineEntry is what a baseline entry, or a finding of a leakhound JSON
// report, holds that matching uses.
type baselineEntry struct {
	RuleID      string `json:"rule_id"`
	File        string `json:"file"`
	Fingerprint string `json:"fingerprint"`
	SecretHash  string `json:"secret_hash,omitempty"`
}

// AddBaseline reads a baseline: a JSON array of objects with a
// "fingerprint" key (a leakhound JSON report, or a file WriteBaseline
// wrote), or the same objects one per line (JSONL).
func (s *Set) AddBaseline(name string, data []byte) error {
	var entries []baselineEntry
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
	case trimmed[0] == '[':
		if err := json.Unmarshal(trimmed, &entries); err != nil {
			return fmt.Errorf("%s: not a leakhound JSON report or baseline: %w", name, err)
		}
	default:
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		for {
			var e baselineEntry
			if err := dec.Decode(&e); err == io.EOF {
				break
			} else if err != nil {
				return fmt.Errorf("%s: not a leakhound JSON report or baseline: %w", name, err)
			}
			entries = append(entries, e)
		}
	}
	for i, e := range entries {
		if e.Fingerprint == "" {
			return fmt.Errorf("%s: entry %d has no fingerprint", name, i+1)
		}
		s.add(&Entry{Key: e.Fingerprint, Where: fmt.Sprintf("%s: entry %d", name, i+1), Source: name})
	}
	return nil
}

// Match reports whether an entry covers f, and counts the hit: f's
// fingerprint, its secret hash, or a gitleaks-style entry naming its
// file, rule and line (with or without its commit).
func (s *Set) Match(f finding.Finding) bool {
	if len(s.entries) == 0 {
		return false
	}
	e := s.byKey[f.Fingerprint]
	if e == nil {
		e = s.byKey[f.SecretHash]
	}
	if e == nil {
		gl := fmt.Sprintf("%s:%s:%d", f.Location.DisplayPath(), f.RuleID, f.Location.Line)
		if e = s.byKey[gl]; e == nil && f.Location.Commit != "" {
			e = s.byKey[f.Location.Commit+":"+gl]
		}
	}
	if e == nil {
		return false
	}
	e.hits++
	s.counts[e.Source]++
	return true
}

// Counts returns how many findings each file's entries suppressed.
func (s *Set) Counts() map[string]int {
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// Unmatched returns the entries that matched no finding, in the order
// they were read. After a full scan they are stale: the secret is gone
// (or was rotated), or the entry was mistyped.
func (s *Set) Unmatched() []Entry {
	var out []Entry
	for _, e := range s.entries {
		if e.hits == 0 {
			out = append(out, *e)
		}
	}
	return out
}

// WriteBaseline writes fs as a baseline: a JSON array of rule id, file,
// fingerprint and secret hash, sorted, one entry per fingerprint, with no
// lines, commits or times, so regenerating it after unrelated changes
// gives the same file and merges don't conflict.
func WriteBaseline(w io.Writer, fs []finding.Finding) error {
	seen := map[string]bool{}
	entries := make([]baselineEntry, 0, len(fs))
	for _, f := range fs {
		if seen[f.Fingerprint] {
			continue
		}
		seen[f.Fingerprint] = true
		entries = append(entries, baselineEntry{RuleID: f.RuleID, File: f.Location.DisplayPath(), Fingerprint: f.Fingerprint, SecretHash: f.SecretHash})
	}
	slices.SortFunc(entries, func(a, b baselineEntry) int {
		return strings.Compare(a.File+"\x00"+a.RuleID+"\x00"+a.Fingerprint, b.File+"\x00"+b.RuleID+"\x00"+b.Fingerprint)
	})
	bw := bufio.NewWriter(w)
	bw.WriteString("[\n")
	for i, e := range entries {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		bw.WriteString("  ")
		bw.Write(b)
		if i < len(entries)-1 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
	}
	bw.WriteString("]\n")
	return bw.Flush()
}
