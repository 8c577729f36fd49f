package verify

import (
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestPagerDuty(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "GET" || (r.URL.Path != "/abilities" && r.URL.Path != "/users/me") {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		if r.Header.Get("Accept") != "application/vnd.pagerduty+json;version=2" {
			t.Errorf("Accept %q", r.Header.Get("Accept"))
		}
		switch auth := r.Header.Get("Authorization"); {
		case auth == "Token token=busy":
			rateLimited(w)
		case auth != "Token token=general" && auth != "Token token=personal":
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":{"message":"Authentication failed","code":2006}}`))
		case r.URL.Path == "/abilities":
			w.Write([]byte(`{"abilities":["teams","read_only_users"]}`))
		case auth == "Token token=personal":
			w.Write([]byte(`{"user":{"id":"PXPGF42","name":"Jo Dev","email":"jo@example.com","role":"admin"}}`))
		default:
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":{"message":"Invalid Input Provided","code":2001,"errors":["requires a user-level API key"]}}`))
		}
	})
	for _, tc := range []struct {
		secret string
		want   verdict
	}{
		{"general", verdict{status: finding.Verified, reaches: "general access REST API key"}},
		{"personal", verdict{status: finding.Verified, identity: "jo@example.com", reaches: "as jo@example.com (role admin)"}},
		{"revoked", verdict{status: finding.Invalid}},
		{"busy", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, verifyOne(t, pagerDuty, p.URL, "pagerduty-api-key", tc.secret), tc.want)
	}
}
