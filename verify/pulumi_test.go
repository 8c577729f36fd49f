package verify

import (
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestPulumi(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "GET", "/api/user")
		switch r.Header.Get("Authorization") {
		case "token pul-live":
			w.Write([]byte(`{"name":"Jo Dev","githubLogin":"jodev","email":"jo@example.com","organizations":[{"githubLogin":"acme","name":"Acme"},{"githubLogin":"acme-labs"}]}`))
		case "token pul-busy":
			rateLimited(w)
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"code":401,"message":"Unauthorized: No credentials provided or are invalid."}`))
		}
	})
	for _, tc := range []struct {
		secret string
		want   verdict
	}{
		{"pul-live", verdict{status: finding.Verified, identity: "jodev", reaches: "organizations acme, acme-labs"}},
		{"pul-revoked", verdict{status: finding.Invalid}},
		{"pul-busy", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, verifyOne(t, pulumi, p.URL, "pulumi-access-token", tc.secret), tc.want)
	}
}
