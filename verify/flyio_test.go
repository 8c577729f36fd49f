package verify

import (
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestFlyIO(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "GET", "/v1/apps")
		if r.URL.Query().Get("org_slug") != "personal" {
			t.Errorf("org_slug %q", r.URL.Query().Get("org_slug"))
		}
		switch r.Header.Get("Authorization") {
		case "Bearer fo1_live":
			w.Write([]byte(`{"total_apps":2,"apps":[{"name":"web"},{"name":"worker"}]}`))
		case "FlyV1 fm2_deploy":
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"error":"unauthorized"}`))
		case "Bearer fo1_busy":
			rateLimited(w)
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"token validation error"}`))
		}
	})
	for _, tc := range []struct {
		secret string
		want   verdict
	}{
		{"fo1_live", verdict{status: finding.Verified, reaches: "personal organization with 2 apps"}},
		{"FlyV1 fm2_deploy", verdict{status: finding.Verified, reaches: "without access to the personal organization"}},
		{"fo1_revoked", verdict{status: finding.Invalid}},
		{"FlyV1 fm2_revoked", verdict{status: finding.Invalid}},
		{"fo1_busy", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, verifyOne(t, flyIO, p.URL, "flyio-token", tc.secret), tc.want)
	}
}
