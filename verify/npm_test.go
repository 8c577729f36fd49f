package verify

import (
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestNPM(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "GET", "/-/whoami")
		switch r.Header.Get("Authorization") {
		case "Bearer npm_live":
			w.Write([]byte(`{"username":"octo-publisher"}`))
		case "Bearer npm_limited":
			rateLimited(w)
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"Unauthorized"}`))
		}
	})
	for _, tc := range []struct {
		secret string
		want   verdict
	}{
		{"npm_live", verdict{status: finding.Verified, identity: "octo-publisher", reaches: "npm account octo-publisher"}},
		{"npm_revoked", verdict{status: finding.Invalid, reason: "401"}},
		{"npm_limited", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, verifyOne(t, npm, p.URL, "npm-access-token", tc.secret), tc.want)
	}
}
