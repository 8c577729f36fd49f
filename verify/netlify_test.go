package verify

import (
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestNetlify(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "GET", "/api/v1/user")
		switch r.Header.Get("Authorization") {
		case "Bearer nfp_live":
			w.Write([]byte(`{"id":"5f1","full_name":"Jo Dev","email":"jo@example.com"}`))
		case "Bearer nfp_busy":
			rateLimited(w)
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"code":401,"message":"Access Denied"}`))
		}
	})
	for _, tc := range []struct {
		secret string
		want   verdict
	}{
		{"nfp_live", verdict{status: finding.Verified, identity: "jo@example.com", reaches: "Netlify account jo@example.com"}},
		{"nfp_revoked", verdict{status: finding.Invalid}},
		{"nfp_busy", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, verifyOne(t, netlify, p.URL, "netlify-token", tc.secret), tc.want)
	}
}
