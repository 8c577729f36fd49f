package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

// gitlabSchemaFile is GitLab's published secret-detection report schema,
// copied verbatim from gitlab-org/security-products/security-report-schemas
// (dist/secret-detection-report-format.json at the version the report
// declares).
const gitlabSchemaFile = "../testdata/gitlab-secret-detection-report-format-" + GitLabSchemaVersion + ".json"

func TestGitLabSchema(t *testing.T) {
	t.Parallel()
	c := jsonschema.NewCompiler()
	schema, err := c.Compile(gitlabSchemaFile)
	if err != nil {
		t.Fatalf("compile GitLab schema: %v", err)
	}
	incomplete := fixtureSummary()
	incomplete.Incomplete = true
	many := finding.Summary{Target: "x"}
	for i := range 150 {
		many.Problems = append(many.Problems, finding.Problem{Path: fmt.Sprintf("f%d", i), Err: "unreadable"})
	}
	tests := []struct {
		name string
		opts Options
		sum  finding.Summary
		fs   []finding.Finding
	}{
		{"fixture", Options{Rules: fixtureRules(), Version: "1.2.3"}, fixtureSummary(), fixture()},
		{"revealed, incomplete", Options{Reveal: true}, incomplete, fixture()},
		{"empty, no version", Options{}, finding.Summary{}, nil},
		{"many problems", Options{}, many, nil},
		{"odd findings", Options{}, finding.Summary{}, []finding.Finding{
			mk(finding.Finding{RuleID: "r", Secret: "s", Location: finding.Location{Origin: finding.Origin{Kind: "stdin"}}}),
			mk(finding.Finding{RuleID: "r", Description: strings.Repeat("long ", 100), Severity: "bogus",
				Location: finding.Location{Origin: finding.Origin{Kind: "image", Image: "alpine:3", Layer: "config", LayerIndex: -1}}}),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := write(t, "gitlab", tt.opts, tt.sum, tt.fs)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(inst); err != nil {
				t.Fatalf("GitLab would refuse this report: %v\n%s", err, out)
			}
		})
	}
}

func TestGitLabReport(t *testing.T) {
	t.Parallel()
	// The report's scan times come from the clock: fixed here, or two
	// writes a second apart differ (as they did, about once in a few
	// hundred runs).
	opts := Options{Rules: fixtureRules(), Time: time.Date(2026, 12, 2, 14, 0, 0, 0, time.UTC)}
	out := string(write(t, "gitlab", opts, fixtureSummary(), fixture()))
	for _, want := range []string{
		`"sha": "4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39"`, // git findings name their commit
		`"sha": "0000000"`,       // others say they have none
		`"severity": "Critical"`, // the live token
		`"file": "dist/app.jar!/BOOT-INF/lib/inner.jar!/config/application.yml"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %s", want)
		}
	}
	// Ids are stable across runs and distinct across findings.
	again := string(write(t, "gitlab", opts, fixtureSummary(), fixture()))
	if again != out {
		t.Error("the same scan gave a different report")
	}
	ids := map[string]bool{}
	for _, f := range fixture() {
		id := gitlabID(&f)
		if ids[id] || len(id) != 36 || id[14] != '5' {
			t.Errorf("id %q duplicate or not UUID-shaped", id)
		}
		ids[id] = true
	}
	incomplete := fixtureSummary()
	incomplete.Incomplete = true
	if got := string(write(t, "gitlab", Options{}, incomplete, nil)); !strings.Contains(got, `"status": "failure"`) {
		t.Errorf("an incomplete scan is not a failure:\n%s", got)
	}
}

type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Suites   []struct {
		Tests int `xml:"tests,attr"`
		Cases []struct {
			Name    string `xml:"name,attr"`
			File    string `xml:"file,attr"`
			Line    int    `xml:"line,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnit(t *testing.T) {
	t.Parallel()
	var doc junitDoc
	out := write(t, "junit", Options{}, fixtureSummary(), fixture())
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, out)
	}
	if doc.Tests != 7 || doc.Failures != 6 || doc.Errors != 1 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 7 {
		t.Fatalf("counts: %+v", doc)
	}
	first := doc.Suites[0].Cases[0]
	if !strings.HasPrefix(first.Failure.Message, "LIVE") || first.File != "scripts/deploy.sh" || first.Line != 7 {
		t.Errorf("the live credential does not lead: %+v", first)
	}

	// Scanned text with characters XML forbids still gives a parsable
	// report.
	odd := mk(finding.Finding{RuleID: "r", Secret: "zzzzzzzzzzzzzzzz", Match: "a\x00b\x1b[2Jzzzzzzzzzzzzzzzz\xff",
		Location: finding.Location{Origin: finding.Origin{Path: "x\x01y.txt", Author: "<a&b>"}, Line: 1, Column: 1}})
	out = write(t, "junit", Options{}, finding.Summary{Problems: []finding.Problem{{Path: "p\x02", Err: "e\x03"}}}, []finding.Finding{odd})
	doc = junitDoc{}
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("control characters broke the XML: %v\n%q", err, out)
	}
	if doc.Tests != 2 || doc.Suites[0].Cases[0].File != `x\x01y.txt` {
		t.Errorf("odd finding: %+v", doc)
	}

	// A clean scan is one passing test, so the CI tab shows it ran.
	doc = junitDoc{}
	if err := xml.Unmarshal(write(t, "junit", Options{}, finding.Summary{Target: "."}, nil), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests != 1 || doc.Failures != 0 || doc.Errors != 0 {
		t.Errorf("clean scan: %+v", doc)
	}
	// An incomplete scan never looks clean.
	doc = junitDoc{}
	if err := xml.Unmarshal(write(t, "junit", Options{}, finding.Summary{Incomplete: true}, nil), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Errors != 1 {
		t.Errorf("incomplete scan: %+v", doc)
	}
}

func TestMarkdownCap(t *testing.T) {
	t.Parallel()
	var fs []finding.Finding
	for i := range 2000 {
		sev := []string{rules.Critical, rules.High, rules.Low}[i%3]
		fs = append(fs, mk(finding.Finding{RuleID: "generic-api-key", Severity: sev, Secret: fmt.Sprintf("zq9Secret%06dValueLeak", i),
			Location: finding.Location{Origin: finding.Origin{Path: fmt.Sprintf("dir/file%04d.env", i)}, Line: 1, Column: 1}}))
	}
	var warned []string
	out := write(t, "markdown", Options{Warn: func(m string) { warned = append(warned, m) }}, finding.Summary{Target: "."}, fs)
	if len(out) > maxMarkdownBytes {
		t.Errorf("%d bytes, over the %d cap", len(out), maxMarkdownBytes)
	}
	rows := strings.Count(string(out), "\n| `generic-api-key`")
	if rows == 0 || rows >= len(fs) {
		t.Fatalf("%d rows shown", rows)
	}
	if want := fmt.Sprintf("_%d more findings are not shown", len(fs)-rows); !strings.Contains(string(out), want) {
		t.Errorf("no %q footer:\n%s", want, out[len(out)-300:])
	}
	if len(warned) != 1 || !strings.Contains(warned[0], fmt.Sprintf("%d of %d findings left out", len(fs)-rows, len(fs))) {
		t.Errorf("warnings: %q", warned)
	}
	// Most severe first: every critical finding fits before any low one.
	if strings.Contains(string(out), "### Low") && !strings.Contains(string(out), fmt.Sprintf("### Critical (%d)", 667)) {
		t.Error("low findings shown while critical ones were cut")
	}
	if strings.Index(string(out), "### Critical") > strings.Index(string(out), "### High") {
		t.Error("critical does not come first")
	}
}

// Scanned text must not become markup in a comment: no HTML, links,
// mentions or broken tables.
func TestMarkdownEscapes(t *testing.T) {
	t.Parallel()
	f := mk(finding.Finding{RuleID: "r", Description: "<img src=x onerror=alert(1)> @team [x](http://evil)", Severity: rules.High,
		Secret:   "zzzzzzzzzzzzzzzzzzzz",
		Location: finding.Location{Origin: finding.Origin{Path: "a|b`c<script>.txt", Commit: "abc"}, Line: 2}})
	out := string(write(t, "markdown", Options{}, finding.Summary{Target: "t"}, []finding.Finding{f}))
	row := out[strings.Index(out, "| `r`"):]
	row = row[:strings.Index(row, "\n")]
	if strings.Count(strings.ReplaceAll(row, `\|`, ""), "|") != 5 {
		t.Errorf("row has the wrong number of cells: %s", row)
	}
	for _, bad := range []string{" <img", " @team", "](http"} {
		if strings.Contains(row, bad) {
			t.Errorf("row holds live markup %q: %s", bad, row)
		}
	}
	if !strings.Contains(row, "`a\\|b'c<script>.txt:2`") {
		t.Errorf("path not in a code span: %s", row)
	}
}
