package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// csvReporter writes a header and one row per finding, with the same
// columns as the JSON report; tags are joined with ";".
type csvReporter struct{ opts Options }

func (c *csvReporter) Write(w io.Writer, _ finding.Summary, fs []finding.Finding) error {
	fs = sorted(fs)
	red := newRedactor(fs, c.opts.Reveal)
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	if err := cw.Write(columns); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	row := make([]string, len(columns))
	for i := range fs {
		r := newRecord(&fs[i], red)
		row = append(row[:0],
			cell(r.RuleID), cell(r.Description), cell(r.Severity), cell(r.Secret), cell(r.Match),
			cell(r.File), itoa(r.Line), itoa(r.Column), itoa(r.EndLine), itoa(r.EndColumn), strconv.FormatInt(r.Offset, 10),
			cell(r.Commit), cell(r.Author), cell(r.Email), cell(r.Date), cell(r.Message),
			cell(r.Repository), cell(r.Image), cell(r.Layer), layerCell(r.LayerIndex), cell(r.Archive),
			r.Fingerprint, r.SecretHash, strconv.FormatFloat(r.Entropy, 'f', -1, 64), cell(strings.Join(r.Tags, ";")),
			cell(r.Verification), cell(red.of(&fs[i]).text(verificationText(fs[i].Verification))),
		)
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return flush(bw)
}

func itoa(n int) string { return strconv.Itoa(n) }

// layerCell writes a layer index, empty outside image layers (a bare -1
// would also look like a formula to a spreadsheet).
func layerCell(n int) string {
	if n < 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// cell guards a text cell against formula injection: the scanned content is
// untrusted, and a spreadsheet opening the report would run a match that
// starts with "=", "+", "-" or "@" as a formula. A leading apostrophe makes
// it text (OWASP's advice); the value is otherwise unchanged.
//
// Control characters are escaped as in the text report (clean): a CSV is
// read with cat and less as often as with a spreadsheet, and an escape
// sequence in a scanned file's name or match must not reach a terminal.
func cell(s string) string {
	if s == "" {
		return s
	}
	s = clean(s)
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
