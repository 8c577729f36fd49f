package verify

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

// expectRequest reports a request other than the one the provider's
// documentation names.
func expectRequest(t *testing.T, r *http.Request, method, path string) {
	t.Helper()
	if r.Method != method || r.URL.Path != path {
		t.Errorf("request %s %s, want %s %s", r.Method, r.URL.Path, method, path)
	}
}

// verdict is what a test expects of a verification: its status, its
// identity, and words its reaches and reason must hold.
type verdict struct {
	status   string
	identity string
	reaches  string
	reason   string
	scopes   []string
	expires  time.Time
}

// checkVerdict compares a verification with what the test expects.
func checkVerdict(t *testing.T, name string, got finding.Verification, want verdict) {
	t.Helper()
	ok := got.Status == want.status &&
		(want.identity == "" || got.Identity == want.identity) &&
		strings.Contains(got.Reaches, want.reaches) &&
		strings.Contains(got.Reason, want.reason) &&
		(want.scopes == nil || strings.Join(got.Scopes, ",") == strings.Join(want.scopes, ",")) &&
		(want.expires.IsZero() || got.Expires.Equal(want.expires))
	if !ok {
		t.Errorf("%s: got %+v\nwant %+v", name, got, want)
	}
}

// rateLimited answers 429 with a Retry-After too long to wait for, as a
// provider does when its limit is spent: the verifier must say unknown
// at once, not retry.
func rateLimited(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "3600")
	w.WriteHeader(http.StatusTooManyRequests)
}

// defaultEngine is the detection engine of the built-in rules, built once.
var defaultEngine = sync.OnceValues(func() (*detectors.Engine, error) {
	cfg, err := rules.Default()
	if err != nil {
		return nil, err
	}
	return detectors.New(cfg)
})

// detectRule runs the built-in rules over content and returns the
// findings of one rule: what a verifier is given in a real scan.
func detectRule(t *testing.T, rule, path, content string) []finding.Finding {
	t.Helper()
	eng, err := defaultEngine()
	if err != nil {
		t.Fatal(err)
	}
	var out []finding.Finding
	for _, f := range eng.Detect(finding.Chunk{Origin: finding.Origin{Kind: "file", Path: path}, Data: []byte(content)}) {
		if f.RuleID == rule {
			out = append(out, f)
		}
	}
	return out
}

// partFindings makes the findings of two part rules: one per value, the
// first rule's values first.
func partFindings(ruleA string, as []string, ruleB string, bs []string) []finding.Finding {
	var fs []finding.Finding
	for _, s := range as {
		fs = append(fs, mkFinding(ruleA, s))
	}
	for _, s := range bs {
		fs = append(fs, mkFinding(ruleB, s))
	}
	return fs
}
