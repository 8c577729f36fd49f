package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

// manyFindings makes n distinct findings over a few rules and every
// severity; the one at live is verified live.
func manyFindings(n, live int, rng *rand.Rand) []finding.Finding {
	sevs := []string{rules.Info, rules.Low, rules.Medium, rules.High, rules.Critical}
	fs := make([]finding.Finding, n)
	for i := range fs {
		secret := fmt.Sprintf("zq%016x%016x", rng.Uint64(), rng.Uint64())
		fs[i] = mk(finding.Finding{
			RuleID: fmt.Sprintf("rule-%d", i%7), Description: "Test rule", Severity: sevs[i%len(sevs)],
			Secret: secret, Match: "key = " + secret,
			Location: finding.Location{Origin: finding.Origin{Kind: "file", Path: fmt.Sprintf("dir%d/file%d.env", i%50, i)}, Line: 1 + i%90, Column: 7},
		})
		if i == live {
			fs[i].Severity = rules.Low
			fs[i].Verification = finding.Verification{Status: finding.Verified, Identity: "bot"}
		}
	}
	return fs
}

type limitedRun struct {
	Results []struct {
		RuleID string         `json:"ruleId"`
		Level  string         `json:"level"`
		Props  map[string]any `json:"properties"`
	} `json:"results"`
	Invocations []struct {
		Notifications []struct {
			Message struct{ Text string } `json:"message"`
		} `json:"toolExecutionNotifications"`
	} `json:"invocations"`
}

func decodeRun(t *testing.T, out []byte) limitedRun {
	t.Helper()
	var log struct{ Runs []limitedRun }
	if err := json.Unmarshal(out, &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("bad SARIF (%v): %d runs", err, len(log.Runs))
	}
	return log.Runs[0]
}

// A scan over GitHub's result limit yields a file GitHub accepts, with the
// most severe findings, and says what it left out.
func TestSARIFResultLimit(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	n := GitHubSARIFLimits.Results + 100 // 100 over: each finding costs, -race makes it slow
	fs := manyFindings(n, 17, rng)       // 17 % 5 == 2: medium, made low and live
	var warned []string
	out := write(t, "sarif", Options{Warn: func(m string) { warned = append(warned, m) }}, finding.Summary{}, fs)
	st, err := CheckSARIF(out, GitHubSARIFLimits)
	if err != nil {
		t.Fatalf("over-limit scan gave a file GitHub rejects: %v", err)
	}
	if st.Results != GitHubSARIFLimits.Results {
		t.Errorf("%d results, want %d", st.Results, GitHubSARIFLimits.Results)
	}
	run := decodeRun(t, out)
	notes := 0
	live := false
	for _, r := range run.Results {
		if r.Props["verification"] == finding.Verified {
			live = true
		}
		if r.Level == "note" {
			notes++
		}
	}
	if !live {
		t.Error("the live credential was left out")
	}
	// 100 left out, all of them info (the least severe): every info one
	// but 100 is kept, and no low one is dropped.
	if want := 2*(n/5) - 100; notes != want { // the live one is an error
		t.Errorf("%d note-level results, want %d (the 100 dropped must be info)", notes, want)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], fmt.Sprintf("100 of %d findings left out", n)) || !strings.Contains(warned[0], "25000 results per run") {
		t.Errorf("warnings %q", warned)
	}
	if len(run.Invocations) != 1 || len(run.Invocations[0].Notifications) == 0 ||
		!strings.Contains(run.Invocations[0].Notifications[0].Message.Text, "100 of") {
		t.Errorf("the file does not say what it left out: %+v", run.Invocations)
	}
}

// A report over the compressed size limit is cut until it fits; the cut
// report still validates.
func TestSARIFSizeLimit(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	fs := manyFindings(400, -1, rng)
	lim := GitHubSARIFLimits
	lim.GzipBytes = 12000
	var warned []string
	r := &sarifReporter{opts: Options{Warn: func(m string) { warned = append(warned, m) }}, limits: lim}
	var buf bytes.Buffer
	if err := r.Write(&buf, finding.Summary{}, fs); err != nil {
		t.Fatal(err)
	}
	st, err := CheckSARIF(buf.Bytes(), lim)
	if err != nil {
		t.Fatalf("cut report still over the limit: %v", err)
	}
	if st.Results == 0 || st.Results >= len(fs) || st.GzipBytes > lim.GzipBytes {
		t.Errorf("stats %+v", st)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "gzip-compressed bytes per file") {
		t.Errorf("warnings %q", warned)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sarifSchema(t).Validate(inst); err != nil {
		t.Fatalf("cut SARIF doesn't validate: %v", err)
	}

	// Within the limits nothing is cut and nothing is said.
	warned = nil
	small := write(t, "sarif", Options{Warn: func(m string) { warned = append(warned, m) }}, finding.Summary{}, fs)
	if st, err := CheckSARIF(small, GitHubSARIFLimits); err != nil || st.Results != len(fs) || len(warned) != 0 {
		t.Errorf("in-limit report changed: %+v %v %q", st, err, warned)
	}
}

func TestSARIFTagsCapped(t *testing.T) {
	t.Parallel()
	var tags []string
	for i := range 15 {
		tags = append(tags, fmt.Sprintf("t%d", i))
	}
	f := mk(finding.Finding{RuleID: "r", Secret: "zzzzzzzzzzzzzzzz", Tags: tags, Location: finding.Location{Origin: finding.Origin{Path: "a"}, Line: 1}})
	out := write(t, "sarif", Options{}, finding.Summary{}, []finding.Finding{f})
	var log sarifLog
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	if got := log.Runs[0].Tool.Driver.Rules[0].Properties.Tags; len(got) != GitHubSARIFLimits.TagsShown {
		t.Errorf("%d tags, want %d", len(got), GitHubSARIFLimits.TagsShown)
	}
}

func TestCheckSARIF(t *testing.T) {
	t.Parallel()
	run := func(tool, category string, results, locations int) map[string]any {
		var rs []any
		for range results {
			var locs []any
			for range locations {
				locs = append(locs, map[string]any{"physicalLocation": map[string]any{"artifactLocation": map[string]any{"uri": "a"}}})
			}
			rs = append(rs, map[string]any{"ruleId": "r", "message": map[string]any{"text": "m"}, "locations": locs})
		}
		r := map[string]any{"tool": map[string]any{"driver": map[string]any{"name": tool}}, "results": rs}
		if category != "" {
			r["automationDetails"] = map[string]any{"id": category}
		}
		return r
	}
	doc := func(version string, runs ...map[string]any) []byte {
		b, err := json.Marshal(map[string]any{"version": version, "runs": runs})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	lim := GitHubSARIFLimits
	lim.Results, lim.LocationsPerRes, lim.Runs = 3, 2, 2
	tests := []struct {
		name, wantErr string
		data          []byte
	}{
		{"fine", "", doc("2.1.0", run("a", "", 3, 2), run("a", "other", 1, 1))},
		{"not json", "not a SARIF file", []byte("<xml/>")},
		{"old version", `SARIF version "2.0.0"`, doc("2.0.0", run("a", "", 1, 1))},
		{"no runs", "no runs", doc("2.1.0")},
		{"too many runs", "3 runs (at most 2)", doc("2.1.0", run("a", "1", 0, 0), run("a", "2", 0, 0), run("a", "3", 0, 0))},
		{"same tool and category", `run 2 repeats tool "a" with category ""`, doc("2.1.0", run("a", "", 1, 1), run("a", "", 1, 1))},
		{"too many results", "run 1 has 4 results (at most 3)", doc("2.1.0", run("a", "", 4, 1))},
		{"too many locations", "run 1 result 1 has 3 locations (at most 2)", doc("2.1.0", run("a", "", 1, 3))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := CheckSARIF(tt.data, lim)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
	big := GitHubSARIFLimits
	big.GzipBytes = 100
	if _, err := CheckSARIF(doc("2.1.0", run("a", "", 3, 2)), big); err == nil || !strings.Contains(err.Error(), "gzip-compressed (at most 100)") {
		t.Errorf("size limit: %v", err)
	}
}
