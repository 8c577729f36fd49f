package report

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/leakhound/leakhound/finding"
)

// junitReporter writes JUnit XML, which CI systems show in their test
// tabs (GitLab's artifacts:reports:junit, Jenkins, Azure Pipelines): one
// failed test case per finding, one errored case per scan problem, and one
// passing case when the scan found nothing, so a clean run still shows.
type junitReporter struct{ opts Options }

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func (j *junitReporter) Write(w io.Writer, sum finding.Summary, fs []finding.Finding) error {
	fs = liveFirst(sorted(fs))
	red := newRedactor(fs, j.opts.Reveal)
	secs := strconv.FormatFloat(sum.Duration.Seconds(), 'f', 3, 64)
	target := firstOf(red.text(sum.Target), "scan")
	suite := junitSuite{
		Name:      "leakhound: " + target,
		Time:      secs,
		Timestamp: j.opts.now().UTC().Format(time.RFC3339),
	}
	if j.opts.Version != "" {
		suite.Properties = append(suite.Properties, junitProperty{Name: "leakhound.version", Value: j.opts.Version})
	}
	for i := range fs {
		suite.Cases = append(suite.Cases, j.findingCase(&fs[i], red))
	}
	if sum.Incomplete {
		suite.Cases = append(suite.Cases, junitCase{Name: "scan completed", Classname: "leakhound.scan", Time: "0",
			Error: &junitProblem{Message: "the scan stopped early; these results are incomplete", Type: "incomplete"}})
	}
	for i, p := range sum.Problems {
		if i == maxNotifications {
			suite.Cases = append(suite.Cases, junitCase{Name: "more problems", Classname: "leakhound.scan", Time: "0",
				Error: &junitProblem{Message: fmt.Sprintf("%d more problems not listed", len(sum.Problems)-i), Type: "scan-error"}})
			break
		}
		name := firstOf(red.text(slashPath(p.Path)), "scan")
		suite.Cases = append(suite.Cases, junitCase{Name: junitText(name), Classname: "leakhound.scan", Time: "0",
			Error: &junitProblem{Message: junitText(red.text(p.Err)), Type: "scan-error"}})
	}
	if len(suite.Cases) == 0 {
		suite.Cases = append(suite.Cases, junitCase{Name: "no secrets found in " + junitText(target), Classname: "leakhound.scan", Time: secs})
	}
	for _, c := range suite.Cases {
		suite.Tests++
		if c.Failure != nil {
			suite.Failures++
		}
		if c.Error != nil {
			suite.Errors++
		}
	}
	doc := junitSuites{Name: "leakhound", Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Time: secs, Suites: []junitSuite{suite}}

	bw := bufio.NewWriter(w)
	bw.WriteString(xml.Header)
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode junit report: %w", err)
	}
	bw.WriteByte('\n')
	return flush(bw)
}

func (j *junitReporter) findingCase(f *finding.Finding, red *redactor) junitCase {
	red = red.of(f)
	l := &f.Location
	desc, sev, _ := ruleMeta(j.opts, f.RuleID, f)
	desc = red.text(desc)
	file := shownFile(l, red)
	where := file
	if l.Line > 0 {
		where += ":" + strconv.Itoa(l.Line)
		if l.Column > 0 {
			where += ":" + strconv.Itoa(l.Column)
		}
	}
	msg := desc
	if f.Secret != "" {
		msg += ": " + red.secret(f.Secret)
	}
	if f.Verification.Live() {
		msg = "LIVE credential. " + msg
	}

	var b strings.Builder
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%s: %s\n", label, value)
		}
	}
	line("Rule", f.RuleID)
	line("Severity", firstOf(sev, "unknown"))
	line("Location", where)
	line("Secret", red.secret(f.Secret))
	if f.Match != f.Secret {
		line("Match", truncate(red.text(f.Match), maxTextMatch))
	}
	line("Commit", red.text(l.Commit))
	line("Author", red.text(l.Author))
	line("Date", formatDate(l.Date))
	line("Message", truncate(red.text(firstLine(l.Message)), maxTextMatch))
	line("Image", red.text(l.Image))
	line("Layer", red.text(l.Layer))
	v := f.Verification.Status
	if d := verificationText(f.Verification); d != "" {
		v = strings.TrimSpace(v + " (" + red.text(d) + ")")
	}
	line("Verification", v)
	line("Fingerprint", f.Fingerprint)

	c := junitCase{
		Name:      junitText(f.RuleID + " at " + where),
		Classname: "leakhound." + junitText(f.RuleID),
		Time:      "0",
		Failure:   &junitProblem{Message: junitText(msg), Type: junitText(f.RuleID), Text: junitText(b.String())},
	}
	if l.Path != "" && l.Archive == "" {
		c.File, c.Line = junitText(file), l.Line
	}
	return c
}

// junitText keeps scanned text valid in XML: encoding/xml escapes markup
// but writes characters XML 1.0 forbids (most control characters) as they
// are, which makes the whole report unparsable. Those are escaped the way
// the text report does.
func junitText(s string) string {
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0xfffe || r == 0xffff || (r >= 0xd800 && r <= 0xdfff) {
			return clean(s)
		}
	}
	return s
}
