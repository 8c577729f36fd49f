package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

// maxMarkdownBytes keeps a Markdown summary within what a pull request
// comment holds (GitHub: 65,536 characters), with room to spare for a bot
// that adds a header.
const maxMarkdownBytes = 60000

// markdownReporter writes a summary for a pull or merge request comment or
// a CI job summary: a table of findings per severity, secrets redacted,
// cut to fit a comment.
type markdownReporter struct {
	opts Options
	// max overrides maxMarkdownBytes in tests.
	max int
}

var severityTitles = []struct{ sev, title string }{
	{rules.Critical, "Critical"}, {rules.High, "High"}, {rules.Medium, "Medium"},
	{rules.Low, "Low"}, {rules.Info, "Info"}, {"", "Unrated"},
}

func (m *markdownReporter) Write(w io.Writer, sum finding.Summary, fs []finding.Finding) error {
	fs = sorted(fs)
	red := newRedactor(fs, m.opts.Reveal)
	limit := m.max
	if limit <= 0 {
		limit = maxMarkdownBytes
	}

	var head strings.Builder
	target := red.text(sum.Target)
	switch n := len(fs); n {
	case 0:
		head.WriteString("## leakhound: no secrets found\n\n")
	case 1:
		head.WriteString("## leakhound: 1 secret found\n\n")
	default:
		fmt.Fprintf(&head, "## leakhound: %d secrets found\n\n", n)
	}
	if target != "" {
		fmt.Fprintf(&head, "Scanned %s: %d files, %s", mdCode(target), sum.Files, HumanSize(sum.Bytes))
		if n := max(sum.Errors, len(sum.Problems)); n > 0 {
			fmt.Fprintf(&head, ", %d could not be scanned", n)
		}
		head.WriteString(".\n\n")
	}
	if sum.Incomplete {
		head.WriteString("**The scan stopped early: these results are incomplete.**\n\n")
	}
	live := 0
	verified := false
	commits := false
	for i := range fs {
		if fs[i].Verification.Live() {
			live++
		}
		verified = verified || fs[i].Verification.Status != ""
		commits = commits || fs[i].Location.Commit != ""
	}
	if live > 0 {
		fmt.Fprintf(&head, "**%d verified live: revoke %s now.**\n\n", live, map[bool]string{true: "it", false: "them"}[live == 1])
	}
	if len(fs) > 0 {
		head.WriteString("Secrets are redacted. A leaked credential must be revoked or rotated: deleting it from the code does not make it safe. " +
			"For a false positive, add `leakhound:allow` on the line or the fingerprint to `.leakhoundignore`.\n")
	}

	var body strings.Builder
	budget := limit - head.Len() - 400 // room for the footer
	shown := 0
	full := false
	for _, st := range severityTitles {
		var group []int
		for i := range fs {
			if sevKey(fs[i].Severity) == st.sev {
				group = append(group, i)
			}
		}
		if len(group) == 0 || full {
			continue
		}
		var sec strings.Builder
		fmt.Fprintf(&sec, "\n### %s (%d)\n\n", st.title, len(group))
		sec.WriteString("| Rule | Location | Secret |")
		sep := "|---|---|---|"
		if commits {
			sec.WriteString(" Commit |")
			sep += "---|"
		}
		if verified {
			sec.WriteString(" Verification |")
			sep += "---|"
		}
		sec.WriteString("\n" + sep + "\n")
		if body.Len()+sec.Len() > budget {
			full = true
			continue
		}
		rows := 0
		for _, i := range group {
			row := m.row(&fs[i], red, commits, verified)
			if body.Len()+sec.Len()+len(row) > budget {
				full = true
				break
			}
			sec.WriteString(row)
			rows++
		}
		if rows > 0 {
			body.WriteString(sec.String())
			shown += rows
		}
	}

	bw := bufio.NewWriter(w)
	bw.WriteString(head.String())
	bw.WriteString(body.String())
	if shown < len(fs) {
		fmt.Fprintf(bw, "\n_%d more findings are not shown: a comment holds at most 65,536 characters. The job's full report lists them all._\n", len(fs)-shown)
		m.opts.warn("markdown report: %d of %d findings left out to fit a comment (%d bytes at most); use --format json or sarif for the full list", len(fs)-shown, len(fs), limit)
	}
	return flush(bw)
}

func (m *markdownReporter) row(f *finding.Finding, red *redactor, commits, verified bool) string {
	red = red.of(f)
	l := &f.Location
	desc, _, _ := ruleMeta(m.opts, f.RuleID, f)
	where := red.text(l.DisplayPath())
	if l.Path == "" && l.Archive == "" {
		where = firstOf(red.text(l.Image), l.Kind, "unknown")
	}
	if l.Line > 0 {
		where += ":" + strconv.Itoa(l.Line)
	}
	loc := mdCode(truncate(where, 200))
	if l.Image != "" && l.Path != "" {
		loc += " in " + mdCode(truncate(red.text(l.Image), 100))
	}
	secret := mdCode(red.secret(f.Secret))
	row := "| " + mdCode(f.RuleID) + " " + mdText(truncate(red.text(desc), 120)) + " | " + loc + " | " + secret + " |"
	if commits {
		row += " " + mdCode(shortCommit(red.text(l.Commit))) + " |"
	}
	if verified {
		v := mdText(f.Verification.Status)
		if f.Verification.Live() {
			v = "**live**"
			if f.Verification.Identity != "" {
				v += " as " + mdCode(truncate(red.text(f.Verification.Identity), 80))
			}
		}
		row += " " + v + " |"
	}
	return row + "\n"
}

// sevKey is the severity a finding is grouped under: one of the known
// ones, or "" for anything else.
func sevKey(sev string) string {
	switch sev {
	case rules.Critical, rules.High, rules.Medium, rules.Low, rules.Info:
		return sev
	}
	return ""
}

// mdCode writes s as a code span inside a table cell: scanned text can't
// become markup, links or mentions there. A backtick would end the span,
// so it becomes a quote; a pipe would end the cell, so it is escaped (the
// table parser removes the backslash, even in a span).
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = strings.NewReplacer("`", "'", "|", `\|`).Replace(clean(s))
	return "`" + s + "`"
}

// mdText escapes s for Markdown text: every ASCII punctuation character
// is backslash-escaped (GitHub and GitLab render it as itself), so no
// markup, link, HTML or mention comes through.
func mdText(s string) string {
	s = clean(s)
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && strings.ContainsRune("\\`*_{}[]()<>#+-.!|@~&:\"'$%^=/;?,", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// HumanSize writes a byte count for people (1.5 MiB).
func HumanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
