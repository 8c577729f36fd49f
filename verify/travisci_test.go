package verify

import (
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestTravisCI(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "GET", "/user")
		if r.Header.Get("Travis-API-Version") != "3" {
			t.Errorf("Travis-API-Version %q", r.Header.Get("Travis-API-Version"))
		}
		switch r.Header.Get("Authorization") {
		case "token live":
			w.Write([]byte(`{"@type":"user","id":42,"login":"jodev","name":"Jo Dev"}`))
		case "token busy":
			rateLimited(w)
		case "token odd":
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"@type":"error","error_type":"insufficient_access"}`))
		default:
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"@type":"error","error_type":"login_required","error_message":"login required"}`))
		}
	})
	for _, tc := range []struct {
		secret string
		want   verdict
	}{
		{"live", verdict{status: finding.Verified, identity: "jodev", reaches: "Travis CI user jodev"}},
		{"revoked", verdict{status: finding.Invalid, reason: "login_required"}},
		{"odd", verdict{status: finding.Unknown, reason: "insufficient_access"}},
		{"busy", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, verifyOne(t, travisCI, p.URL, "travis-ci-token", tc.secret), tc.want)
	}
}
