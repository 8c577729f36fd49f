package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func write(t *testing.T, format string, opts Options, s finding.Summary, fs []finding.Finding) []byte {
	t.Helper()
	r, err := New(format, opts)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.Write(&buf, s, fs); err != nil {
		t.Fatalf("%s: Write: %v", format, err)
	}
	return buf.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./report -update rewrites it)\n--- got\n%s\n--- want\n%s", file, got, want)
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	base := Options{Rules: fixtureRules(), Version: "1.2.3-test", NoColor: true, Time: fixtureTime}
	color := base
	color.NoColor = false
	tests := []struct {
		name, format string
		opts         Options
		empty        bool
	}{
		{"text", "text", base, false},
		{"text_color", "text", color, false},
		{"json", "json", base, false},
		{"jsonl", "jsonl", base, false},
		{"csv", "csv", base, false},
		{"sarif", "sarif", base, false},
		{"text_empty", "text", base, true},
		{"json_empty", "json", base, true},
		{"jsonl_empty", "jsonl", base, true},
		{"csv_empty", "csv", base, true},
		{"sarif_empty", "sarif", Options{Version: "1.2.3-test"}, true},
		{"junit", "junit", base, false},
		{"gitlab", "gitlab", base, false},
		{"markdown", "markdown", base, false},
		{"junit_empty", "junit", base, true},
		{"gitlab_empty", "gitlab", base, true},
		{"markdown_empty", "markdown", base, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs, sum := fixture(), fixtureSummary()
			if tt.empty {
				fs, sum = nil, finding.Summary{Target: "/src/empty"}
			}
			golden(t, tt.name, write(t, tt.format, tt.opts, sum, fs))
		})
	}
}

// TestRedaction searches every format's bytes for every secret: none may
// appear unless Reveal is set, and all must appear when it is.
func TestRedaction(t *testing.T) {
	t.Parallel()
	for _, format := range Formats() {
		for _, reveal := range []bool{false, true} {
			name := format + "/redacted"
			if reveal {
				name = format + "/revealed"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				out := write(t, format, Options{Reveal: reveal, Rules: fixtureRules()}, fixtureSummary(), fixture())
				for _, s := range fixtureSecrets {
					if got := bytes.Contains(out, []byte(s)); got != reveal {
						t.Errorf("secret %q in output: %v, want %v\n%s", s, got, reveal, out)
					}
				}
				if !reveal && !bytes.Contains(out, []byte(finding.Redact(githubPAT))) {
					t.Errorf("redacted form %q missing:\n%s", finding.Redact(githubPAT), out)
				}
			})
		}
	}
}

// A secret may also turn up where no rule looked: in a path, an author
// field, a verification detail or a scan problem. Redaction covers those.
func TestRedactionEverywhere(t *testing.T) {
	t.Parallel()
	const secret = "zq9LeakhoundEverywhere77"
	f := mk(finding.Finding{
		RuleID:       "generic-api-key",
		Description:  "Generic API key",
		Severity:     "medium",
		Tags:         []string{"t-" + secret},
		Secret:       secret,
		Match:        "k=" + secret,
		Verification: finding.Verification{Status: finding.Unknown, Reason: "provider said " + secret + " is live", Identity: "id-" + secret},
		Location: finding.Location{
			Origin: finding.Origin{
				Path: "dir-" + secret + "/f.txt", Commit: "abc", Author: secret, Email: secret + "@x",
				Message: secret, Repository: "r/" + secret, Image: "img:" + secret, Layer: "l" + secret,
				Archive: "a-" + secret + ".zip",
			},
			Line: 1, Column: 3, EndLine: 1, EndColumn: 27,
		},
	})
	sum := finding.Summary{Problems: []finding.Problem{{Path: "p/" + secret, Err: "bad " + secret}}}
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			out := write(t, format, Options{}, sum, []finding.Finding{f})
			if bytes.Contains(out, []byte(secret)) {
				t.Errorf("secret leaked:\n%s", out)
			}
		})
	}
}

// A short secret (a four-letter password) is hidden everywhere in its own
// finding, but not in other findings' paths, where its letters are most
// likely part of a word: "inte" once turned interactive.py into
// "*****ractive.py" in every format, and the report led nowhere.
func TestShortSecretStaysInItsFinding(t *testing.T) {
	t.Parallel()
	const short, long = "inte", "zq9LeakhoundEverywhere77"
	own := mk(finding.Finding{
		RuleID: "cli-password-argument", Description: "Password on a command line", Severity: "high",
		Secret: short, Match: "-srckeypass " + short,
		Location: finding.Location{
			Origin: finding.Origin{Path: "tools/" + short + ".sh", Commit: "abc", Message: "use " + short},
			Line:   1, Column: 13, EndLine: 1, EndColumn: 17,
		},
	})
	other := mk(finding.Finding{
		RuleID: "generic-api-key", Description: "Generic API key", Severity: "medium",
		Secret: long, Match: "k=" + long,
		Location: finding.Location{
			Origin: finding.Origin{Path: "lib/interactive.py", Commit: "def", Message: "add " + long},
			Line:   2, Column: 3, EndLine: 2, EndColumn: 27,
		},
	})
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			out := write(t, format, Options{}, finding.Summary{}, []finding.Finding{own, other})
			if !bytes.Contains(out, []byte("interactive.py")) {
				t.Errorf("another finding's path was garbled by a short secret:\n%s", out)
			}
			if bytes.Contains(out, []byte("tools/"+short)) || bytes.Contains(out, []byte(" "+short)) {
				t.Errorf("short secret shown in its own finding:\n%s", out)
			}
			if bytes.Contains(out, []byte(long)) {
				t.Errorf("long secret shown:\n%s", out)
			}
		})
	}
}

func TestSort(t *testing.T) {
	t.Parallel()
	want := fixture()
	Sort(want)
	var order []string
	for _, f := range want {
		order = append(order, f.Location.DisplayPath()+" "+f.RuleID)
	}
	wantOrder := []string{
		"certs/client.p12 pkcs12-file",
		"config/prod.env aws-access-key-id",
		"config/prod.env aws-secret-access-key",
		"dist/app.jar!/BOOT-INF/lib/inner.jar!/config/application.yml jwt",
		"etc/app/config.yml generic-api-key",
		"scripts/deploy.sh github-pat",
	}
	if !slices.Equal(order, wantOrder) {
		t.Fatalf("order:\n%s\nwant:\n%s", strings.Join(order, "\n"), strings.Join(wantOrder, "\n"))
	}

	// Same line and rule: commit, then layer, then secret hash decide.
	tie := func(commit, layer, secret string) finding.Finding {
		return mk(finding.Finding{RuleID: "r", Secret: secret, Location: finding.Location{
			Origin: finding.Origin{Path: "a", Commit: commit, Layer: layer}, Line: 1, Column: 1}})
	}
	ties := []finding.Finding{tie("b", "", "x"), tie("a", "l2", "x"), tie("a", "l1", "y"), tie("a", "l1", "x")}
	Sort(ties)
	for i := 1; i < len(ties); i++ {
		a, b := ties[i-1].Location, ties[i].Location
		if a.Commit > b.Commit || (a.Commit == b.Commit && a.Layer > b.Layer) ||
			(a.Commit == b.Commit && a.Layer == b.Layer && ties[i-1].SecretHash > ties[i].SecretHash) {
			t.Errorf("ties out of order at %d: %+v before %+v", i, ties[i-1], ties[i])
		}
	}

	// Any input order gives the same order, and the same report bytes.
	rng := rand.New(rand.NewPCG(1, 2))
	wantJSON := write(t, "json", Options{}, finding.Summary{}, want)
	for range 20 {
		fs := fixture()
		rng.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
		if got := write(t, "json", Options{}, finding.Summary{}, fs); !bytes.Equal(got, wantJSON) {
			t.Fatalf("report depends on input order")
		}
		Sort(fs)
		for i := range fs {
			if compare(fs[i], want[i]) != 0 {
				t.Fatalf("Sort depends on input order: %d is %s", i, fs[i].RuleID)
			}
		}
	}
}

func TestWriteLeavesInputOrder(t *testing.T) {
	t.Parallel()
	fs := fixture()
	before := slices.Clone(fs)
	write(t, "sarif", Options{}, finding.Summary{}, fs)
	for i := range fs {
		if fs[i].RuleID != before[i].RuleID {
			t.Fatal("Write reordered the caller's slice")
		}
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	for _, f := range Formats() {
		if _, err := New(f, Options{}); err != nil {
			t.Errorf("New(%q): %v", f, err)
		}
	}
	if _, err := New("SARIF", Options{}); err != nil {
		t.Errorf("New is case-sensitive: %v", err)
	}
	_, err := New("xml", Options{})
	if err == nil {
		t.Fatal("New(xml) succeeded")
	}
	for _, f := range Formats() {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q doesn't name %q", err, f)
		}
	}
	fs := Formats()
	fs[0] = "changed"
	if Formats()[0] != "text" {
		t.Error("Formats returns its own slice")
	}
}

// TestJSONShape checks the documented keys, their order, and that nothing
// is null.
func TestJSONShape(t *testing.T) {
	t.Parallel()
	fs := fixture()
	fs[len(fs)-1].Tags = nil
	out := write(t, "jsonl", Options{}, finding.Summary{}, fs)
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(fs) {
		t.Fatalf("%d lines for %d findings", len(lines), len(fs))
	}
	for _, line := range lines {
		dec := json.NewDecoder(strings.NewReader(line))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			t.Fatalf("not an object: %s", line)
		}
		var keys []string
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, k.(string))
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			if v == nil {
				t.Errorf("%s is null in %s", k, line)
			}
		}
		if !slices.Equal(keys, columns) {
			t.Errorf("keys %v\nwant %v", keys, columns)
		}
	}

	var arr []map[string]any
	if err := json.Unmarshal(write(t, "json", Options{}, finding.Summary{}, fs), &arr); err != nil {
		t.Fatal(err)
	}
	if len(arr) != len(fs) {
		t.Fatalf("%d objects for %d findings", len(arr), len(fs))
	}
	byRule := map[string]map[string]any{}
	for _, o := range arr {
		byRule[o["rule_id"].(string)] = o
	}
	git := byRule["github-pat"]
	if git["date"] != "2024-03-01T08:00:00Z" {
		t.Errorf("date = %v, want RFC 3339 in UTC", git["date"])
	}
	if git["entropy"] != 4.712 {
		t.Errorf("entropy = %v, want 4.712", git["entropy"])
	}
	jar := byRule["jwt"]
	if jar["file"] != "config/application.yml" || jar["archive"] != "dist/app.jar!/BOOT-INF/lib/inner.jar" {
		t.Errorf("archive member: file %v archive %v", jar["file"], jar["archive"])
	}
	if p := byRule["pkcs12-file"]; p["secret"] != "" || p["date"] != "" {
		t.Errorf("path finding: secret %q date %q, want empty", p["secret"], p["date"])
	}

	if got := write(t, "json", Options{}, finding.Summary{}, nil); string(got) != "[]\n" {
		t.Errorf("empty JSON = %q, want []", got)
	}
	if got := write(t, "jsonl", Options{}, finding.Summary{}, []finding.Finding{}); len(got) != 0 {
		t.Errorf("empty JSONL = %q, want nothing", got)
	}
}

func TestCSV(t *testing.T) {
	t.Parallel()
	f := mk(finding.Finding{RuleID: "r", Secret: "=HYPERLINK(\"http://x\")", Match: "-x",
		Location: finding.Location{Origin: finding.Origin{Path: "@f"}, Line: 1, Column: 1}})
	out := write(t, "csv", Options{Reveal: true}, finding.Summary{}, []finding.Finding{f, fixture()[0]})
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || !slices.Equal(recs[0], columns) {
		t.Fatalf("want a header and 2 rows, got %q", recs)
	}
	for _, rec := range recs[1:] {
		if len(rec) != len(columns) {
			t.Errorf("row has %d cells, want %d", len(rec), len(columns))
		}
		for i, c := range rec {
			if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
				t.Errorf("cell %s = %q starts a formula", columns[i], c)
			}
		}
	}
}

func TestTextSanitizes(t *testing.T) {
	t.Parallel()
	f := mk(finding.Finding{RuleID: "r", Secret: "zzzzzzzzzzzzzzzzzzzz",
		Match:    "x\x1b[2J\u202e\xffzzzzzzzzzzzzzzzzzzzz",
		Location: finding.Location{Origin: finding.Origin{Path: "a\x1b]0;pwn\x07.txt"}, Line: 2, Column: 3}})
	for _, color := range []bool{false, true} {
		out := write(t, "text", Options{NoColor: !color}, finding.Summary{}, []finding.Finding{f})
		plain := strings.NewReplacer(ansiReset, "", ansiBold, "", ansiDim, "", ansiRed, "", ansiBoldRed, "",
			ansiYellow, "", ansiCyan, "", ansiBlue, "").Replace(string(out))
		if strings.ContainsAny(plain, "\x1b\x07\u202e") || !strings.Contains(plain, `\x1b[2J\u202e\xff`) {
			t.Errorf("control characters not escaped:\n%q", out)
		}
		if !color && strings.Contains(string(out), "\x1b") {
			t.Errorf("color with NoColor:\n%q", out)
		}
	}
}

// TestReadJSONRoundTrip: what the JSON and JSON Lines reports write reads
// back into the same findings (for merge and revoke).
func TestReadJSONRoundTrip(t *testing.T) {
	t.Parallel()
	fs := sorted(fixture())
	for _, format := range []string{"json", "jsonl"} {
		got, err := ReadJSON(write(t, format, Options{Reveal: true}, finding.Summary{}, fs))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(fs) {
			t.Fatalf("%s: %d findings back of %d", format, len(got), len(fs))
		}
		for i := range fs {
			w, g := fs[i], got[i]
			if g.RuleID != w.RuleID || g.Secret != w.Secret || g.Fingerprint != w.Fingerprint || g.Location.Line != w.Location.Line ||
				g.Location.Offset != w.Location.Offset || g.Location.Commit != w.Location.Commit || g.Verification.Status != w.Verification.Status ||
				g.Verification.Identity != w.Verification.Identity || g.Location.Archive != w.Location.Archive {
				t.Errorf("%s: finding %d: got %+v\nwant %+v", format, i, g, w)
			}
		}
	}
	if _, err := ReadJSON([]byte("[{]")); err == nil {
		t.Error("junk read")
	}
}
