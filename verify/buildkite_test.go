package verify

import (
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestBuildkite(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "GET", "/v2/access-token")
		switch r.Header.Get("Authorization") {
		case "Bearer bkua_live":
			w.Write([]byte(`{"uuid":"b63254c0","scopes":["read_builds","write_pipelines"],"description":"ci bot","created_at":"2024-01-01T00:00:00Z","user":{"name":"Jo Dev","email":"jo@example.com"}}`))
		case "Bearer bkua_busy":
			w.Header().Set("RateLimit-Reset", "60")
			rateLimited(w)
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"message":"Authentication required. Please supply a valid API Access Token"}`))
		}
	})
	for _, tc := range []struct {
		secret string
		want   verdict
	}{
		{"bkua_live", verdict{status: finding.Verified, identity: "jo@example.com", scopes: []string{"read_builds", "write_pipelines"}, reaches: `token "ci bot"`}},
		{"bkua_revoked", verdict{status: finding.Invalid}},
		{"bkua_busy", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, verifyOne(t, buildkite, p.URL, "buildkite-token", tc.secret), tc.want)
	}
}
