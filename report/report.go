// Package report writes findings in the formats leakhound offers: human
// text, JSON, JSON Lines, CSV, SARIF 2.1.0 (kept within GitHub code
// scanning's upload limits), JUnit XML for CI test tabs, GitLab's
// secret-detection report, and a Markdown summary for a pull request
// comment.
//
// Every reporter redacts secrets unless Options.Reveal is set: not only the
// Secret and Match fields but every free-text field a secret could reach (a
// commit message, a path, a verification detail), and every finding's
// secret, not just its own, so a match that also holds the secret of
// another finding on the same line doesn't leak it.
package report

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

// Options configures a reporter.
type Options struct {
	// Reveal prints secrets in full; otherwise every secret is redacted in
	// every field with finding.Redact.
	Reveal bool
	// Rules gives rule metadata (description, severity, tags) for SARIF's
	// tool.driver.rules; may be nil, in which case the findings' own
	// description, severity and tags are used.
	Rules *rules.Config
	// NoColor turns off ANSI colors in the text format.
	NoColor bool
	// Version is the tool version written to SARIF's driver.
	Version string
	// Time is when the scan ended, for formats that record it (GitLab's
	// scan times, JUnit's timestamp); zero means the time of writing.
	Time time.Time
	// Warn, when set, is told what a format had to leave out (SARIF over
	// GitHub's limits, a Markdown summary over a comment's size), so the
	// user hears of it beside the summary.
	Warn func(msg string)
}

// now is when the scan ended, as reports record it.
func (o Options) now() time.Time {
	if o.Time.IsZero() {
		return time.Now()
	}
	return o.Time
}

func (o Options) warn(format string, args ...any) {
	if o.Warn != nil {
		o.Warn(fmt.Sprintf(format, args...))
	}
}

// Reporter writes a finished scan's findings.
type Reporter interface {
	Write(w io.Writer, s finding.Summary, fs []finding.Finding) error
}

// formats lists the formats New accepts, in the order help text shows them.
var formats = []string{"text", "json", "jsonl", "sarif", "csv", "junit", "gitlab", "markdown"}

// Formats returns the names New accepts.
func Formats() []string { return slices.Clone(formats) }

// New returns the reporter for a format name.
func New(format string, opts Options) (Reporter, error) {
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "text":
		return &textReporter{opts: opts}, nil
	case "json":
		return &jsonReporter{opts: opts}, nil
	case "jsonl":
		return &jsonReporter{opts: opts, lines: true}, nil
	case "sarif":
		return &sarifReporter{opts: opts}, nil
	case "csv":
		return &csvReporter{opts: opts}, nil
	case "junit":
		return &junitReporter{opts: opts}, nil
	case "gitlab":
		return &gitlabReporter{opts: opts}, nil
	case "markdown", "md":
		return &markdownReporter{opts: opts}, nil
	}
	return nil, fmt.Errorf("unknown report format %q (want %s or %s)",
		format, strings.Join(formats[:len(formats)-1], ", "), formats[len(formats)-1])
}

// Sort puts findings in a deterministic order: by displayed path, line,
// column, byte offset (which orders the line-less findings of binaries),
// rule id, commit, layer and secret hash, then by whatever else
// tells two findings apart.
func Sort(fs []finding.Finding) {
	if !slices.IsSortedFunc(fs, compare) {
		slices.SortStableFunc(fs, compare)
	}
}

func compare(a, b finding.Finding) int {
	la, lb := &a.Location, &b.Location
	return cmp.Or(
		strings.Compare(la.DisplayPath(), lb.DisplayPath()),
		cmp.Compare(la.Line, lb.Line),
		cmp.Compare(la.Column, lb.Column),
		cmp.Compare(la.Offset, lb.Offset),
		strings.Compare(a.RuleID, b.RuleID),
		strings.Compare(la.Commit, lb.Commit),
		strings.Compare(la.Layer, lb.Layer),
		strings.Compare(a.SecretHash, b.SecretHash),
		strings.Compare(la.Image, lb.Image),
		cmp.Compare(la.LayerIndex, lb.LayerIndex),
		strings.Compare(la.Kind, lb.Kind),
		strings.Compare(la.Repository, lb.Repository),
		cmp.Compare(la.EndLine, lb.EndLine),
		cmp.Compare(la.EndColumn, lb.EndColumn),
		strings.Compare(a.Secret, b.Secret),
		strings.Compare(a.Match, b.Match),
		strings.Compare(a.Fingerprint, b.Fingerprint),
	)
}

// severityRank orders severities, most severe first; unknown ones last.
func severityRank(sev string) int {
	switch sev {
	case rules.Critical:
		return 0
	case rules.High:
		return 1
	case rules.Medium:
		return 2
	case rules.Low:
		return 3
	case rules.Info:
		return 4
	}
	return 5
}

// sorted returns fs in Sort's order without reordering the caller's slice.
func sorted(fs []finding.Finding) []finding.Finding {
	if slices.IsSortedFunc(fs, compare) {
		return fs
	}
	out := slices.Clone(fs)
	slices.SortStableFunc(out, compare)
	return out
}

// redactor hides secrets in report text.
//
// Every finding's secret is hidden wherever it appears in the report (a
// token in a repository URL, a password repeated in a commit message).
// A secret shorter than minSharedSecret is hidden only in its own
// finding's fields: a four-letter password such as "inte" would otherwise
// turn every path holding those letters into "*****ractive.py", and a
// report whose paths lead nowhere.
type redactor struct {
	reveal bool
	// all replaces every finding's secret of minSharedSecret bytes or
	// more with its redacted form; nil when there is none.
	all *strings.Replacer
	// own is the secret of the finding whose fields are being written,
	// when it is too short for all.
	own string
}

const minSharedSecret = 8

func newRedactor(fs []finding.Finding, reveal bool) *redactor {
	r := &redactor{reveal: reveal}
	if reveal {
		return r
	}
	seen := make(map[string]bool)
	var secrets []string
	for i := range fs {
		s := fs[i].Secret
		if len(s) >= minSharedSecret && !seen[s] {
			seen[s] = true
			secrets = append(secrets, s)
		}
	}
	if len(secrets) == 0 {
		return r
	}
	// strings.Replacer tries its old strings in argument order at each
	// position, so longest first: a secret that contains another is
	// replaced whole rather than leaving its remainder visible.
	slices.SortFunc(secrets, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b))
	})
	pairs := make([]string, 0, 2*len(secrets))
	for _, s := range secrets {
		pairs = append(pairs, s, finding.Redact(s))
	}
	r.all = strings.NewReplacer(pairs...)
	return r
}

// secret returns a finding's secret as the report shows it.
func (r *redactor) secret(s string) string {
	if r.reveal || s == "" {
		return s
	}
	return finding.Redact(s)
}

// of returns the redactor for f's own fields, which also hides f's
// secret when it is short.
func (r *redactor) of(f *finding.Finding) *redactor {
	if r.reveal || f.Secret == "" || len(f.Secret) >= minSharedSecret {
		return r
	}
	c := *r
	c.own = f.Secret
	return &c
}

// text returns s with every known secret in it redacted.
func (r *redactor) text(s string) string {
	if r.reveal || s == "" {
		return s
	}
	if r.all != nil {
		s = r.all.Replace(s)
	}
	if r.own != "" {
		s = strings.ReplaceAll(s, r.own, finding.Redact(r.own))
	}
	return s
}

// record is the flat shape of one finding shared by the JSON, JSON Lines
// and CSV reports. Field order is the documented key order.
type record struct {
	RuleID             string               `json:"rule_id"`
	Description        string               `json:"description"`
	Severity           string               `json:"severity"`
	Secret             string               `json:"secret"`
	Match              string               `json:"match"`
	File               string               `json:"file"`
	Line               int                  `json:"line"`
	Column             int                  `json:"column"`
	EndLine            int                  `json:"end_line"`
	EndColumn          int                  `json:"end_column"`
	Offset             int64                `json:"offset"`
	Commit             string               `json:"commit"`
	Author             string               `json:"author"`
	Email              string               `json:"email"`
	Date               string               `json:"date"`
	Message            string               `json:"message"`
	Repository         string               `json:"repository"`
	Image              string               `json:"image"`
	Layer              string               `json:"layer"`
	LayerIndex         int                  `json:"layer_index"` // -1 outside image layers
	Archive            string               `json:"archive"`
	Fingerprint        string               `json:"fingerprint"`
	SecretHash         string               `json:"secret_hash"`
	Entropy            float64              `json:"entropy"`
	Tags               []string             `json:"tags"`
	Verification       string               `json:"verification"`
	VerificationDetail finding.Verification `json:"verification_detail"`
}

// columns are record's keys in order, the CSV header.
var columns = []string{
	"rule_id", "description", "severity", "secret", "match",
	"file", "line", "column", "end_line", "end_column", "offset",
	"commit", "author", "email", "date", "message",
	"repository", "image", "layer", "layer_index", "archive",
	"fingerprint", "secret_hash", "entropy", "tags",
	"verification", "verification_detail",
}

func newRecord(f *finding.Finding, r *redactor) record {
	r = r.of(f)
	l := &f.Location
	tags := make([]string, len(f.Tags))
	for i, t := range f.Tags {
		tags[i] = r.text(t)
	}
	return record{
		RuleID:             f.RuleID,
		Description:        r.text(f.Description),
		Severity:           f.Severity,
		Secret:             r.secret(f.Secret),
		Match:              r.text(f.Match),
		File:               r.text(slashPath(l.Path)),
		Line:               l.Line,
		Column:             l.Column,
		EndLine:            l.EndLine,
		EndColumn:          l.EndColumn,
		Offset:             l.Offset,
		Commit:             r.text(l.Commit),
		Author:             r.text(l.Author),
		Email:              r.text(l.Email),
		Date:               formatDate(l.Date),
		Message:            r.text(l.Message),
		Repository:         r.text(l.Repository),
		Image:              r.text(l.Image),
		Layer:              r.text(l.Layer),
		LayerIndex:         layerIndex(l),
		Archive:            r.text(l.Archive),
		Fingerprint:        f.Fingerprint,
		SecretHash:         f.SecretHash,
		Entropy:            roundEntropy(f.Entropy),
		Tags:               tags,
		Verification:       f.Verification.Status,
		VerificationDetail: verificationDetail(f.Verification, r),
	}
}

// layerIndex is the position of a finding's layer in its image, or -1
// when the finding is not in an image layer (the image config included):
// 0 is the base layer, so it can't mean "none".
func layerIndex(l *finding.Location) int {
	if l.Layer == "" || l.Layer == "config" || l.LayerIndex < 0 {
		return -1
	}
	return l.LayerIndex
}

func slashPath(p string) string { return strings.ReplaceAll(p, "\\", "/") }

// formatDate writes a commit date in RFC 3339, UTC, or "" when unknown.
func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// roundEntropy keeps three decimals: more is noise in a report and makes
// golden files depend on float formatting.
func roundEntropy(e float64) float64 {
	if math.IsNaN(e) || math.IsInf(e, 0) {
		return 0
	}
	return math.Round(e*1000) / 1000
}

// verificationDetail is the JSON object of a verification (identity,
// scopes, expires, reaches, reason; {} when verification did not run),
// its text redacted.
func verificationDetail(v finding.Verification, r *redactor) finding.Verification {
	out := v
	out.Identity, out.Reaches, out.Reason = r.text(v.Identity), r.text(v.Reaches), r.text(v.Reason)
	out.Scopes = nil
	for _, s := range v.Scopes {
		out.Scopes = append(out.Scopes, r.text(s))
	}
	return out
}

// verificationText is a verification on one line, for text and CSV.
func verificationText(v finding.Verification) string {
	var parts []string
	if v.Identity != "" {
		parts = append(parts, "as "+v.Identity)
	}
	if v.Reaches != "" {
		parts = append(parts, v.Reaches)
	}
	if len(v.Scopes) > 0 {
		parts = append(parts, "scopes "+strings.Join(v.Scopes, ","))
	}
	if !v.Expires.IsZero() {
		parts = append(parts, "expires "+v.Expires.UTC().Format(time.RFC3339))
	}
	if v.Reason != "" {
		parts = append(parts, v.Reason)
	}
	return strings.Join(parts, "; ")
}

// shownFile is the file a finding is in as a report names it: the path
// (archive chain included), or for content with no file (an image's
// config, stdin) what was scanned.
func shownFile(l *finding.Location, red *redactor) string {
	if l.Path == "" && l.Archive == "" {
		return firstOf(red.text(l.Image), l.Kind, "unknown")
	}
	return red.text(l.DisplayPath())
}
