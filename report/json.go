package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/leakhound/leakhound/finding"
)

// jsonReporter writes a JSON array of records, or with lines set one
// record per line (JSON Lines). Records are encoded one at a time, so the
// report never holds more than one finding's text.
type jsonReporter struct {
	opts  Options
	lines bool
}

func (j *jsonReporter) Write(w io.Writer, _ finding.Summary, fs []finding.Finding) error {
	fs = sorted(fs)
	red := newRedactor(fs, j.opts.Reveal)
	bw := bufio.NewWriter(w)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Matches are source code; "<" and "&" escaped as \u003c help no one.
	enc.SetEscapeHTML(false)
	if !j.lines {
		enc.SetIndent("  ", "  ")
	}
	if !j.lines {
		if len(fs) == 0 {
			bw.WriteString("[]\n")
			return flush(bw)
		}
		bw.WriteString("[\n")
	}
	for i := range fs {
		buf.Reset()
		if err := enc.Encode(newRecord(&fs[i], red)); err != nil {
			return fmt.Errorf("encode finding: %w", err)
		}
		if j.lines {
			bw.Write(buf.Bytes())
			continue
		}
		bw.WriteString("  ")
		bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		if i < len(fs)-1 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
	}
	if !j.lines {
		bw.WriteString("]\n")
	}
	return flush(bw)
}

// flush reports the first write error a bufio.Writer kept.
func flush(bw *bufio.Writer) error {
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
