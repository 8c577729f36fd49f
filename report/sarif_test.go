package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

const schemaFile = "../testdata/sarif-schema-2.1.0.json"

func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile(schemaFile)
	if err != nil {
		t.Fatalf("compile SARIF schema: %v", err)
	}
	return s
}

func TestSARIFSchema(t *testing.T) {
	t.Parallel()
	schema := sarifSchema(t)
	incomplete := fixtureSummary()
	incomplete.Incomplete = true
	tests := []struct {
		name string
		opts Options
		sum  finding.Summary
		fs   []finding.Finding
	}{
		{"fixture", Options{Rules: fixtureRules(), Version: "1.2.3"}, fixtureSummary(), fixture()},
		{"revealed", Options{Reveal: true}, incomplete, fixture()},
		{"empty", Options{}, finding.Summary{}, nil},
		{"odd locations", Options{}, finding.Summary{}, []finding.Finding{
			mk(finding.Finding{RuleID: "r", Secret: "s", Location: finding.Location{Origin: finding.Origin{Kind: "stdin"}}}),
			mk(finding.Finding{RuleID: "r", Secret: "s", Location: finding.Location{
				Origin: finding.Origin{Path: "/abs/dir with space/f#1.txt"}, Line: 3, Column: 9, EndLine: 2, EndColumn: 1}}),
			mk(finding.Finding{RuleID: "r2", Secret: "s", Location: finding.Location{
				Origin: finding.Origin{Path: `C:\src\x.txt`}, Line: 1, Column: 5, EndLine: 1, EndColumn: 2}}),
			mk(finding.Finding{RuleID: "r2", Location: finding.Location{
				Origin: finding.Origin{Kind: "image", Image: "alpine:3.19", Layer: "config", LayerIndex: -1}}}),
			mk(finding.Finding{RuleID: "r2", Location: finding.Location{Origin: finding.Origin{Path: "a:b/c"}}}),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := write(t, "sarif", tt.opts, tt.sum, tt.fs)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(inst); err != nil {
				t.Fatalf("SARIF doesn't validate: %v\n%s", err, out)
			}
			if bytes.Contains(out, []byte("null")) {
				t.Errorf("null in SARIF:\n%s", out)
			}
		})
	}
}

// sarifLog is the part of SARIF GitHub code scanning reads.
type sarifLog struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name           string `json:"name"`
				Version        string `json:"version"`
				InformationURI string `json:"informationUri"`
				Rules          []struct {
					ID               string            `json:"id"`
					Name             string            `json:"name"`
					ShortDescription map[string]string `json:"shortDescription"`
					FullDescription  map[string]string `json:"fullDescription"`
					Help             map[string]string `json:"help"`
					Properties       struct {
						SecuritySeverity string   `json:"security-severity"`
						Tags             []string `json:"tags"`
					} `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string            `json:"ruleId"`
			RuleIndex *int              `json:"ruleIndex"`
			Level     string            `json:"level"`
			Message   map[string]string `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine   int `json:"startLine"`
						StartColumn int `json:"startColumn"`
						EndLine     int `json:"endLine"`
						EndColumn   int `json:"endColumn"`
					} `json:"region"`
				} `json:"physicalLocation"`
				LogicalLocations []struct {
					FullyQualifiedName string `json:"fullyQualifiedName"`
				} `json:"logicalLocations"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Properties          map[string]any    `json:"properties"`
		} `json:"results"`
	} `json:"runs"`
}

func TestSARIFForCodeScanning(t *testing.T) {
	t.Parallel()
	fs := fixture()
	out := write(t, "sarif", Options{Rules: fixtureRules(), Version: "1.2.3"}, fixtureSummary(), fs)
	var log sarifLog
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	d := run.Tool.Driver
	if d.Name != "leakhound" || d.Version != "1.2.3" || d.InformationURI == "" {
		t.Errorf("driver %q %q %q", d.Name, d.Version, d.InformationURI)
	}
	if len(d.Rules) != 6 {
		t.Errorf("%d rules, want the 6 that fired", len(d.Rules))
	}
	for _, r := range d.Rules {
		if r.ShortDescription["text"] == "" || r.FullDescription["text"] == "" ||
			!strings.Contains(r.Help["text"], "rotate") || !strings.Contains(r.Help["markdown"], "history") || r.Name == "" {
			t.Errorf("rule %s lacks descriptions or help: %+v", r.ID, r)
		}
		if r.Properties.SecuritySeverity == "" || len(r.Properties.Tags) == 0 || r.Properties.Tags[0] != "security" {
			t.Errorf("rule %s properties %+v", r.ID, r.Properties)
		}
	}
	if len(run.Results) != len(fs) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(fs))
	}
	byFP := map[string]finding.Finding{}
	for _, f := range fs {
		byFP[f.Fingerprint] = f
	}
	for _, r := range run.Results {
		f, ok := byFP[r.PartialFingerprints["leakhound/v1"]]
		if !ok {
			t.Errorf("result %s: partial fingerprint %v matches no finding", r.RuleID, r.PartialFingerprints)
			continue
		}
		if r.RuleIndex == nil || d.Rules[*r.RuleIndex].ID != r.RuleID || r.RuleID != f.RuleID {
			t.Errorf("result %s has rule index %v", r.RuleID, r.RuleIndex)
		}
		want := map[string]string{rules.Critical: "error", rules.High: "error", rules.Medium: "warning", rules.Low: "note", rules.Info: "note"}[f.Severity]
		if r.Level != want {
			t.Errorf("result %s: level %q, want %q", r.RuleID, r.Level, want)
		}
		if len(r.Locations) != 1 {
			t.Fatalf("result %s: %d locations", r.RuleID, len(r.Locations))
		}
		pl := r.Locations[0].PhysicalLocation
		reg := pl.Region
		if reg.StartLine < 1 {
			t.Errorf("result %s: region %+v", r.RuleID, reg)
		}
		l := f.Location
		if l.Archive == "" {
			if pl.ArtifactLocation.URI != l.Path || reg.StartLine != l.Line || reg.StartColumn != l.Column {
				t.Errorf("result %s at %s %+v, want %s:%d:%d", r.RuleID, pl.ArtifactLocation.URI, reg, l.Path, l.Line, l.Column)
			}
		} else {
			if pl.ArtifactLocation.URI != "dist/app.jar" {
				t.Errorf("archive member uri %q, want the outer archive", pl.ArtifactLocation.URI)
			}
			if ll := r.Locations[0].LogicalLocations; len(ll) != 1 || ll[0].FullyQualifiedName != l.DisplayPath() {
				t.Errorf("archive member logical location %+v", ll)
			}
			if !strings.Contains(r.Message["text"], l.DisplayPath()+":3:8") {
				t.Errorf("archive member message %q lacks the member position", r.Message["text"])
			}
		}
		if l.Commit != "" && (r.Properties["commit"] != l.Commit || r.Properties["author"] != l.Author ||
			r.Properties["email"] != l.Email || r.Properties["date"] != "2024-03-01T08:00:00Z") {
			t.Errorf("git result properties %v", r.Properties)
		}
		if l.Layer != "" && (r.Properties["image"] != l.Image || r.Properties["layer"] != l.Layer) {
			t.Errorf("image result properties %v", r.Properties)
		}
		if f.Secret != "" && r.Properties["secret_hash"] != f.SecretHash {
			t.Errorf("result %s: secret_hash %v", r.RuleID, r.Properties["secret_hash"])
		}
	}
}

func TestFileURI(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"a/b.txt":            "a/b.txt",
		"./a//b.txt":         "a/b.txt",
		"dir with space/f#1": "dir%20with%20space/f%231",
		"a:b/c":              "./a:b/c",
		"/abs/x.txt":         "file:///abs/x.txt",
		"C:/src/x.txt":       "file:///C:/src/x.txt",
		"../up.txt":          "../up.txt",
	} {
		if got := fileURI(in); got != want {
			t.Errorf("fileURI(%q) = %q, want %q", in, got, want)
		}
	}
}
