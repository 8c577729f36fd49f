package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

// textReporter writes one block per finding for a person to read. It
// writes no summary: the CLI prints that to stderr on its own.
type textReporter struct{ opts Options }

const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiDim     = "\x1b[2m"
	ansiRed     = "\x1b[31m"
	ansiBoldRed = "\x1b[1;31m"
	ansiYellow  = "\x1b[33m"
	ansiCyan    = "\x1b[36m"
	ansiBlue    = "\x1b[34m"
)

// maxTextMatch caps the match shown in text: a private key block is many
// lines of redacted noise; the JSON report has it whole.
const maxTextMatch = 200

func (t *textReporter) Write(w io.Writer, _ finding.Summary, fs []finding.Finding) error {
	fs = liveFirst(sorted(fs))
	red := newRedactor(fs, t.opts.Reveal)
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if t.opts.NoColor || s == "" {
			return s
		}
		return code + s + ansiReset
	}
	field := func(label, value string) {
		if value == "" {
			return
		}
		fmt.Fprintf(bw, "  %s %s\n", paint(ansiDim, fmt.Sprintf("%-13s", label+":")), value)
	}
	for i := range fs {
		f := &fs[i]
		red := red.of(f)
		l := &f.Location
		if i > 0 {
			bw.WriteByte('\n')
		}
		sev := f.Severity
		if sev == "" {
			sev = "unknown"
		}
		head := paint(severityColor(f.Severity), strings.ToUpper(clean(sev)))
		head += " " + paint(ansiBold, clean(f.RuleID))
		if f.Description != "" {
			head += " " + clean(red.text(f.Description))
		}
		bw.WriteString(head + "\n")

		loc := clean(red.text(l.DisplayPath()))
		if l.Line > 0 {
			loc += ":" + strconv.Itoa(l.Line)
			if l.Column > 0 {
				loc += ":" + strconv.Itoa(l.Column)
			}
		} else if f.Secret != "" {
			loc += " at byte " + strconv.FormatInt(l.Offset, 10) // a binary: no lines
		}
		field("Location", loc)
		field("Secret", paint(ansiRed, clean(red.secret(f.Secret))))
		if f.Match != f.Secret {
			field("Match", truncate(clean(red.text(f.Match)), maxTextMatch))
		}
		if f.Entropy > 0 {
			field("Entropy", strconv.FormatFloat(f.Entropy, 'f', 2, 64))
		}
		field("Repository", clean(red.text(l.Repository)))
		field("Commit", clean(red.text(l.Commit)))
		author := clean(red.text(l.Author))
		if l.Email != "" {
			author = strings.TrimSpace(author + " <" + clean(red.text(l.Email)) + ">")
		}
		field("Author", author)
		field("Date", formatDate(l.Date))
		msg, _, _ := strings.Cut(strings.TrimSpace(l.Message), "\n")
		field("Message", truncate(clean(red.text(msg)), maxTextMatch))
		field("Image", clean(red.text(l.Image)))
		layer := clean(red.text(l.Layer))
		if layer != "" && l.Layer != "config" && l.LayerIndex >= 0 {
			layer += " (index " + strconv.Itoa(l.LayerIndex) + ")"
		}
		field("Layer", layer)
		v := clean(f.Verification.Status)
		if f.Verification.Live() {
			v = paint(ansiBoldRed, "LIVE") + " " + v
		}
		if d := verificationText(f.Verification); d != "" {
			v = strings.TrimSpace(v + " (" + clean(red.text(d)) + ")")
		}
		field("Verification", v)
		if len(f.Tags) > 0 {
			field("Tags", clean(red.text(strings.Join(f.Tags, ", "))))
		}
		field("Fingerprint", f.Fingerprint)
	}
	return flush(bw)
}

func severityColor(sev string) string {
	switch sev {
	case rules.Critical:
		return ansiBoldRed
	case rules.High:
		return ansiRed
	case rules.Medium:
		return ansiYellow
	case rules.Low:
		return ansiCyan
	default:
		return ansiBlue
	}
}

// clean makes scanned text safe to print on a terminal: control characters
// (an escape sequence in a scanned file could rewrite the screen), bidi
// overrides (which can make text read differently from what it is) and
// invalid UTF-8 are written as Go escapes.
func clean(s string) string {
	safe := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || isBidi(r) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case unicode.IsControl(r) || isBidi(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func isBidi(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// liveFirst moves findings whose credential was verified live to the
// front, keeping the order within each group: they are the ones to act on
// now.
func liveFirst(fs []finding.Finding) []finding.Finding {
	n := 0
	for i := range fs {
		if fs[i].Verification.Live() {
			n++
		}
	}
	if n == 0 || n == len(fs) {
		return fs
	}
	out := make([]finding.Finding, 0, len(fs))
	for _, f := range fs {
		if f.Verification.Live() {
			out = append(out, f)
		}
	}
	for _, f := range fs {
		if !f.Verification.Live() {
			out = append(out, f)
		}
	}
	return out
}
