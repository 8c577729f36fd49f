package report

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

// GitLabSchemaVersion is the version of GitLab's security report schema
// the gitlab format follows; GitLab refuses a report whose version it does
// not know, and testdata holds this version's schema.
const GitLabSchemaVersion = "15.2.4"

// gitlabSchemaURI is the published schema of that version.
const gitlabSchemaURI = "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v" +
	GitLabSchemaVersion + "/dist/secret-detection-report-format.json"

// gitlabUnknownCommit is the commit GitLab's own secret detection writes
// for content that has none (a directory scan): the schema requires a
// commit sha on every finding.
const gitlabUnknownCommit = "0000000"

// gitlabTime is the schema's time format: UTC, no zone suffix.
const gitlabTime = "2006-01-02T15:04:05"

// gitlab field limits (the schema's maxLength).
const (
	gitlabMaxName     = 255
	gitlabMaxSolution = 7000
)

// gitlabReporter writes GitLab's secret-detection report
// (artifacts:reports:secret_detection), which GitLab shows in merge
// requests, pipelines and the vulnerability report.
type gitlabReporter struct{ opts Options }

type glReport struct {
	Version         string            `json:"version"`
	Schema          string            `json:"schema"`
	Scan            glScan            `json:"scan"`
	Vulnerabilities []glVulnerability `json:"vulnerabilities"`
}

type glScan struct {
	Analyzer  glTool      `json:"analyzer"`
	Scanner   glTool      `json:"scanner"`
	Type      string      `json:"type"`
	StartTime string      `json:"start_time"`
	EndTime   string      `json:"end_time"`
	Status    string      `json:"status"`
	Messages  []glMessage `json:"messages,omitempty"`
}

type glTool struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	URL     string   `json:"url"`
	Version string   `json:"version"`
	Vendor  glVendor `json:"vendor"`
}

type glVendor struct {
	Name string `json:"name"`
}

type glMessage struct {
	Level string `json:"level"`
	Value string `json:"value"`
}

type glVulnerability struct {
	ID          string                  `json:"id"`
	Name        string                  `json:"name"`
	Description string                  `json:"description"`
	Severity    string                  `json:"severity"`
	Solution    string                  `json:"solution"`
	Identifiers []glIdentifier          `json:"identifiers"`
	Location    glLocation              `json:"location"`
	Details     map[string]glDetailText `json:"details,omitempty"`
}

type glIdentifier struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

type glLocation struct {
	File      string   `json:"file"`
	StartLine int      `json:"start_line,omitempty"`
	EndLine   int      `json:"end_line,omitempty"`
	Commit    glCommit `json:"commit"`
}

type glCommit struct {
	SHA     string `json:"sha"`
	Author  string `json:"author,omitempty"`
	Date    string `json:"date,omitempty"`
	Message string `json:"message,omitempty"`
}

// glDetailText is a "text" entry of a vulnerability's named details.
type glDetailText struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

func (g *gitlabReporter) Write(w io.Writer, sum finding.Summary, fs []finding.Finding) error {
	fs = sorted(fs)
	red := newRedactor(fs, g.opts.Reveal)
	end := g.opts.now().UTC()
	version := g.opts.Version
	if version == "" {
		version = "dev"
	}
	tool := glTool{ID: toolName, Name: toolName, URL: toolURI, Version: version, Vendor: glVendor{Name: toolName}}
	rep := glReport{
		Version: GitLabSchemaVersion,
		Schema:  gitlabSchemaURI,
		Scan: glScan{
			Analyzer:  tool,
			Scanner:   tool,
			Type:      "secret_detection",
			StartTime: end.Add(-sum.Duration).Format(gitlabTime),
			EndTime:   end.Format(gitlabTime),
			Status:    "success",
		},
		Vulnerabilities: make([]glVulnerability, 0, len(fs)),
	}
	if sum.Incomplete {
		// GitLab must not take a partial scan for a clean one.
		rep.Scan.Status = "failure"
		rep.Scan.Messages = append(rep.Scan.Messages, glMessage{Level: "fatal", Value: "the scan stopped early; these results are incomplete"})
	}
	for i, p := range sum.Problems {
		if i == maxNotifications {
			rep.Scan.Messages = append(rep.Scan.Messages, glMessage{Level: "warn", Value: fmt.Sprintf("%d more problems not listed", len(sum.Problems)-i)})
			break
		}
		text := red.text(p.Err)
		if p.Path != "" {
			text = red.text(slashPath(p.Path)) + ": " + text
		}
		rep.Scan.Messages = append(rep.Scan.Messages, glMessage{Level: "warn", Value: firstOf(text, "unknown problem")})
	}
	for i := range fs {
		rep.Vulnerabilities = append(rep.Vulnerabilities, g.vulnerability(&fs[i], red))
	}

	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("encode gitlab report: %w", err)
	}
	return flush(bw)
}

func (g *gitlabReporter) vulnerability(f *finding.Finding, red *redactor) glVulnerability {
	red = red.of(f)
	l := &f.Location
	desc, sev, tags := ruleMeta(g.opts, f.RuleID, f)
	desc = red.text(desc)

	file := shownFile(l, red)
	where := file
	if l.Line > 0 {
		where += ":" + strconv.Itoa(l.Line)
	}
	text := desc + " in " + where
	if f.Secret != "" {
		text += ": " + red.secret(f.Secret)
	}
	if l.Image != "" {
		text += " in image " + red.text(l.Image)
		if l.Layer != "" {
			text += " (layer " + red.text(l.Layer) + ")"
		}
	}
	text += "."
	glSev := gitlabSeverity(sev)
	if f.Verification.Live() {
		glSev = "Critical"
		text = "LIVE credential (verified with its provider). " + text
		if d := verificationText(f.Verification); d != "" {
			text += " Verification: " + red.text(d) + "."
		}
	}

	sha := red.text(l.Commit)
	if sha == "" {
		sha = gitlabUnknownCommit
	}
	v := glVulnerability{
		ID:          gitlabID(f),
		Name:        truncateBytes(desc, gitlabMaxName),
		Description: text,
		Severity:    glSev,
		Solution:    truncateBytes(revokeStep(remediationFor(g.opts, f.RuleID, tags), func(u string) string { return "See " + u }), gitlabMaxSolution),
		Identifiers: []glIdentifier{{Type: "leakhound_rule_id", Name: "leakhound rule " + f.RuleID, Value: f.RuleID}},
		Location: glLocation{
			File:      file,
			StartLine: l.Line,
			EndLine:   max(l.EndLine, l.Line),
			Commit: glCommit{
				SHA:     sha,
				Author:  red.text(l.Author),
				Date:    formatDate(l.Date),
				Message: red.text(firstLine(l.Message)),
			},
		},
		Details: map[string]glDetailText{},
	}
	detail := func(key, name, value string) {
		if value != "" {
			v.Details[key] = glDetailText{Name: name, Type: "text", Value: value}
		}
	}
	detail("fingerprint", "Fingerprint", f.Fingerprint)
	if f.Secret != "" {
		detail("secret_hash", "Secret hash", f.SecretHash)
	}
	detail("verification", "Verification", f.Verification.Status)
	if len(v.Details) == 0 {
		v.Details = nil
	}
	return v
}

// gitlabSeverity maps a severity to the schema's names.
func gitlabSeverity(sev string) string {
	switch sev {
	case rules.Critical:
		return "Critical"
	case rules.High:
		return "High"
	case rules.Medium:
		return "Medium"
	case rules.Low:
		return "Low"
	case rules.Info:
		return "Info"
	}
	return "Unknown"
}

// gitlabID is a stable UUID-shaped id for one finding at one place, so a
// re-run reports the same vulnerability with the same id.
func gitlabID(f *finding.Finding) string {
	l := &f.Location
	h := sha256.Sum256([]byte(strings.Join([]string{f.Fingerprint, l.Commit, l.Image, l.Layer,
		strconv.Itoa(l.Line), strconv.Itoa(l.Column)}, "\x00")))
	b := h[:16]
	b[6] = b[6]&0x0f | 0x50 // version 5 layout (name-based, SHA)
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	x := hex.EncodeToString(b)
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

// firstLine is a commit message's subject.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// truncateBytes cuts s to at most n bytes on a rune boundary.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
