package verify

import (
	"net/http"
	"testing"
	"time"

	"github.com/leakhound/leakhound/finding"
)

func TestVercel(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "GET" || (r.URL.Path != "/v5/user/tokens/current" && r.URL.Path != "/v2/user") {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		switch r.Header.Get("Authorization") {
		case "Bearer vcp_live":
			if r.URL.Path == "/v2/user" {
				w.Write([]byte(`{"user":{"id":"u1","email":"jo@example.com","username":"jodev"}}`))
				return
			}
			w.Write([]byte(`{"token":{"id":"t1","name":"ci deploy","type":"token","activeAt":1700000000000,"createdAt":1700000000000,
				"scopes":[{"type":"user"},{"type":"team","teamId":"team_acme"}],"expiresAt":1924992000000}}`))
		case "Bearer vcp_narrow":
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"error":{"code":"forbidden","message":"Not authorized"}}`))
		case "Bearer vcp_busy":
			rateLimited(w)
			w.Write([]byte(`{"error":{"code":"rate_limited","message":"Rate limit exceeded"}}`))
		default:
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"error":{"code":"forbidden","message":"Not authorized","invalidToken":true}}`))
		}
	})
	for _, tc := range []struct {
		secret string
		want   verdict
	}{
		{"vcp_live", verdict{status: finding.Verified, identity: "jodev", scopes: []string{"user", "team:team_acme"},
			expires: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), reaches: `teams team_acme: projects, deployments and environment variables (token "ci deploy")`}},
		{"vcp_narrow", verdict{status: finding.Verified, reaches: "may not read"}},
		{"vcp_revoked", verdict{status: finding.Invalid, reason: "not valid"}},
		{"vcp_busy", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, verifyOne(t, vercel, p.URL, "vercel-personal-access-token", tc.secret), tc.want)
	}
}
