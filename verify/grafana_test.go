package verify

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

// grafanaToken builds a glc_ token for org, name and region.
func grafanaTestToken(org, name, region, key string) string {
	payload := `{"o":"` + org + `","n":"` + name + `","k":"` + key + `","m":{"r":"` + region + `"}}`
	return "glc_" + strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(payload)), "=")
}

func TestGrafanaCloud(t *testing.T) {
	t.Parallel()
	admin := grafanaTestToken("4077", "policy-admin", "prod-eu-west-2", "k1")
	writer := grafanaTestToken("4077", "metrics-writer", "prod-us-east-0", "k2")
	forbidden := grafanaTestToken("4077", "logs-reader", "prod-us-east-0", "k3")
	busy := grafanaTestToken("4077", "busy", "prod-us-east-0", "k4")
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "GET", "/api/v1/tokens")
		switch r.Header.Get("Authorization") {
		case "Bearer " + admin:
			if r.URL.Query().Get("region") != "prod-eu-west-2" {
				t.Errorf("region %q", r.URL.Query().Get("region"))
			}
			w.Write([]byte(`{"items":[]}`))
		case "Bearer " + writer:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"code":"Unauthorized","message":"invalid permission: access policy missing required scope [accesspolicies:read]"}`))
		case "Bearer " + forbidden:
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"code":"Forbidden","message":"forbidden"}`))
		case "Bearer " + busy:
			rateLimited(w)
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"code":"InvalidCredentials","message":"Token could not be parsed"}`))
		}
	})
	for _, tc := range []struct {
		name, secret string
		want         verdict
	}{
		{"admin", admin, verdict{status: finding.Verified, identity: "4077", reaches: "Grafana Cloud org 4077 (token policy-admin): may read"}},
		{"writer", writer, verdict{status: finding.Verified, reaches: "without accesspolicies:read"}},
		{"forbidden", forbidden, verdict{status: finding.Verified, reaches: "token logs-reader"}},
		{"revoked", grafanaTestToken("4077", "gone", "prod-us-east-0", "k5"), verdict{status: finding.Invalid, reason: "invalidcredentials"}},
		{"garbage", "glc_bm90LWpzb24", verdict{status: finding.Invalid}},
		{"busy", busy, verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.name, verifyOne(t, grafanaCloud, p.URL, "grafana-cloud-token", tc.secret), tc.want)
	}
}
