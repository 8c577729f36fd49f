package verify

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/leakhound/leakhound/finding"
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
