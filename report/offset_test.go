package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

// binaryFindings are findings in binaries, which have a byte offset and
// no line: one in a file, one in an archive member.
func binaryFindings() []finding.Finding {
	return []finding.Finding{
		mk(finding.Finding{
			RuleID: "github-pat", Description: "GitHub Personal Access Token", Severity: rules.Critical,
			Secret: githubPAT, Match: githubPAT,
			Location: finding.Location{Origin: finding.Origin{Kind: "file", Path: "bin/app"}, Offset: 4242},
		}),
		mk(finding.Finding{
			RuleID: "github-pat", Description: "GitHub Personal Access Token", Severity: rules.Critical,
			Secret: githubPAT, Match: githubPAT,
			Location: finding.Location{Origin: finding.Origin{Kind: "archive", Path: "com/acme/Main.class", Archive: "app.jar"}, Offset: 77},
		}),
	}
}

func TestOffsetInEveryFormat(t *testing.T) {
	t.Parallel()
	fs := binaryFindings()

	var recs []map[string]any
	if err := json.Unmarshal(write(t, "json", Options{}, finding.Summary{}, fs), &recs); err != nil {
		t.Fatal(err)
	}
	offsets := map[string]float64{}
	for _, r := range recs {
		offsets[r["file"].(string)] = r["offset"].(float64)
		if r["line"].(float64) != 0 {
			t.Errorf("json: line %v for a binary", r["line"])
		}
	}
	if offsets["bin/app"] != 4242 || offsets["com/acme/Main.class"] != 77 {
		t.Errorf("json offsets %v", offsets)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(write(t, "jsonl", Options{}, finding.Summary{}, fs))), "\n") {
		if !strings.Contains(line, `"offset":4242`) && !strings.Contains(line, `"offset":77`) {
			t.Errorf("jsonl: no offset in %s", line)
		}
	}

	rows, err := csv.NewReader(bytes.NewReader(write(t, "csv", Options{}, finding.Summary{}, fs))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[0], "offset")
	if col < 0 || rows[1][col] != "77" && rows[1][col] != "4242" || rows[1][col] == rows[2][col] {
		t.Errorf("csv: offset column %d in %v", col, rows)
	}

	text := string(write(t, "text", Options{NoColor: true}, finding.Summary{}, fs))
	for _, want := range []string{"bin/app at byte 4242", "app.jar!/com/acme/Main.class at byte 77"} {
		if !strings.Contains(text, want) {
			t.Errorf("text: no %q in\n%s", want, text)
		}
	}
}

func TestSARIFByteRegion(t *testing.T) {
	t.Parallel()
	out := write(t, "sarif", Options{}, finding.Summary{}, binaryFindings())
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := sarifSchema(t).Validate(inst); err != nil {
		t.Fatalf("SARIF doesn't validate: %v\n%s", err, out)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           map[string]int
					}
				}
			}
		}
	}
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]int{}
	msgs := ""
	for _, r := range log.Runs[0].Results {
		pl := r.Locations[0].PhysicalLocation
		got[pl.ArtifactLocation.URI] = pl.Region
		msgs += r.Message.Text + "\n"
	}
	if r := got["bin/app"]; r["byteOffset"] != 4242 || r["byteLength"] != len(githubPAT) || r["startLine"] != 0 {
		t.Errorf("binary file region %v", r)
	}
	// An archive member's place is in the message: the physical file is
	// the archive.
	if r := got["app.jar"]; r["startLine"] != 1 || !strings.Contains(msgs, "app.jar!/com/acme/Main.class at byte 77") {
		t.Errorf("member region %v, messages %q", r, msgs)
	}
}
