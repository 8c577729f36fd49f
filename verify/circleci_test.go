package verify

import (
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestCircleCI(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "GET", "/api/v2/me")
		if r.Header.Get("Authorization") != "" {
			t.Error("CircleCI token sent as Authorization")
		}
		switch r.Header.Get("Circle-Token") {
		case "CCIPAT_live", "0123456789abcdef0123456789abcdef01234567":
			w.Write([]byte(`{"id":"f2a7c3d1","login":"jodev","name":"Jo Dev"}`))
		case "CCIPAT_busy":
			rateLimited(w)
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"message":"You must log in first."}`))
		}
	})
	for _, tc := range []struct {
		rule, secret string
		want         verdict
	}{
		{"circleci-token", "CCIPAT_live", verdict{status: finding.Verified, identity: "jodev", reaches: "CircleCI user jodev"}},
		{"circleci-legacy-token", "0123456789abcdef0123456789abcdef01234567", verdict{status: finding.Verified, identity: "jodev"}},
		{"circleci-token", "CCIPAT_revoked", verdict{status: finding.Invalid}},
		{"circleci-legacy-token", "fedcba9876543210fedcba9876543210fedcba98", verdict{status: finding.Unknown, reason: "project token"}},
		{"circleci-token", "CCIPAT_busy", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, verifyOne(t, circleCI, p.URL, tc.rule, tc.secret), tc.want)
	}
}
