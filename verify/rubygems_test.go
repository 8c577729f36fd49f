package verify

import (
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestRubyGems(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "GET", "/api/v1/gems.json")
		switch r.Header.Get("Authorization") {
		case "rubygems_live":
			w.Write([]byte(`[{"name":"acme-client","downloads":1200},{"name":"acme-cli","downloads":40}]`))
		case "rubygems_pushonly":
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"error":"The API key doesn't have access"}`))
		case "rubygems_busy":
			rateLimited(w)
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte("Access Denied. Please sign up for an account at https://rubygems.org"))
		}
	})
	for _, tc := range []struct {
		rule, secret string
		want         verdict
	}{
		{"rubygems-api-key", "rubygems_live", verdict{status: finding.Verified, reaches: "owning 2 gems (acme-client, acme-cli)"}},
		{"rubygems-credentials", "rubygems_live", verdict{status: finding.Verified, reaches: "2 gems"}},
		{"rubygems-api-key", "rubygems_pushonly", verdict{status: finding.Verified, reaches: "without the index_rubygems scope"}},
		{"rubygems-api-key", "rubygems_revoked", verdict{status: finding.Invalid}},
		{"rubygems-api-key", "rubygems_busy", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.rule+" "+tc.secret, verifyOne(t, rubyGems, p.URL, tc.rule, tc.secret), tc.want)
	}
}
