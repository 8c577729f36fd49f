package verify

import (
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestDigitalOcean(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "GET", "/v2/account")
		switch r.Header.Get("Authorization") {
		case "Bearer dop_v1_live":
			w.Write([]byte(`{"account":{"email":"ops@example.com","uuid":"b6fr89","status":"active","team":{"uuid":"t1","name":"Acme Infra"}}}`))
		case "Bearer dop_v1_scoped":
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"id":"forbidden","message":"You are not authorized to perform this operation"}`))
		case "Bearer dop_v1_busy":
			rateLimited(w)
			w.Write([]byte(`{"id":"too_many_requests","message":"API Rate limit exceeded."}`))
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"id":"Unauthorized","message":"Unable to authenticate you"}`))
		}
	})
	for _, tc := range []struct {
		secret string
		want   verdict
	}{
		{"dop_v1_live", verdict{status: finding.Verified, identity: "ops@example.com", reaches: "DigitalOcean team Acme Infra"}},
		{"dop_v1_scoped", verdict{status: finding.Verified, reaches: "without account:read"}},
		{"dop_v1_revoked", verdict{status: finding.Invalid}},
		{"dop_v1_busy", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, verifyOne(t, digitalOcean, p.URL, "digitalocean-token", tc.secret), tc.want)
	}
	hits := p.hits.Load()
	checkVerdict(t, "refresh token", verifyOne(t, digitalOcean, p.URL, "digitalocean-token", "dor_v1_abc"), verdict{status: finding.Unknown, reason: "refresh token"})
	if p.hits.Load() != hits {
		t.Error("a refresh token was sent to DigitalOcean")
	}
}
