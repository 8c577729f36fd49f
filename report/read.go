package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/leakhound/leakhound/finding"
)

// ReadJSON reads a report written with --format json (an array) or jsonl
// (one object per line) back into findings: for merging shard reports,
// revoking what a report found, or comparing runs. Secrets are as the
// report has them (redacted unless it was written with --reveal).
func ReadJSON(data []byte) ([]finding.Finding, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return nil, nil
	}
	var recs []record
	if trimmed[0] == '[' {
		if err := json.Unmarshal(trimmed, &recs); err != nil {
			return nil, fmt.Errorf("not a JSON report: %w", err)
		}
	} else {
		sc := bufio.NewScanner(bytes.NewReader(trimmed))
		sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
		for n := 1; sc.Scan(); n++ {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			var r record
			if err := json.Unmarshal(line, &r); err != nil {
				return nil, fmt.Errorf("line %d: not a JSON Lines report: %w", n, err)
			}
			recs = append(recs, r)
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]finding.Finding, len(recs))
	for i, r := range recs {
		out[i] = r.finding()
	}
	return out, nil
}

// finding is the inverse of newRecord, for what the record keeps.
func (r record) finding() finding.Finding {
	date, _ := time.Parse(time.RFC3339, r.Date)
	v := r.VerificationDetail
	v.Status = r.Verification
	kind := "file"
	switch {
	case r.Image != "":
		kind = "image"
	case r.Commit != "":
		kind = "git"
	}
	li := r.LayerIndex
	return finding.Finding{
		RuleID: r.RuleID, Description: r.Description, Severity: r.Severity, Tags: r.Tags,
		Secret: r.Secret, Match: r.Match, Entropy: r.Entropy, Fingerprint: r.Fingerprint, SecretHash: r.SecretHash,
		Verification: v,
		Location: finding.Location{Line: r.Line, Column: r.Column, EndLine: r.EndLine, EndColumn: r.EndColumn, Offset: r.Offset,
			Origin: finding.Origin{Kind: kind, Path: r.File, Repository: r.Repository, Commit: r.Commit, Author: r.Author,
				Email: r.Email, Date: date, Message: r.Message, Image: r.Image, Layer: r.Layer, LayerIndex: li, Archive: r.Archive}},
	}
}
