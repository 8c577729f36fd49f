package verify

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

// googleError is Google's error envelope with one ErrorInfo.
func googleError(code int, status, reason, consumer string) string {
	return `{"error":{"code":` + strconv.Itoa(code) + `,"message":"...","status":"` + status + `","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"` + reason +
		`","domain":"googleapis.com","metadata":{"consumer":"` + consumer + `","service":"generativelanguage.googleapis.com"}}]}}`
}

func TestGoogleAPIKey(t *testing.T) {
	t.Parallel()
	answers := map[string]struct {
		code int
		body string
	}{
		"AQ.gemini":     {200, `{"models":[{"name":"models/gemini-2.0-flash"}]}`},
		"AIza-gemini":   {200, `{"models":[{"name":"models/gemini-2.0-flash"}],"nextPageToken":"x"}`},
		"AIza-disabled": {403, googleError(403, "PERMISSION_DENIED", "SERVICE_DISABLED", "projects/123456789012")},
		"AIza-maps":     {403, googleError(403, "PERMISSION_DENIED", "API_KEY_SERVICE_BLOCKED", "projects/123456789012")},
		"AIza-referrer": {403, googleError(403, "PERMISSION_DENIED", "API_KEY_HTTP_REFERRER_BLOCKED", "projects/123456789012")},
		"AIza-quota":    {429, googleError(429, "RESOURCE_EXHAUSTED", "RATE_LIMIT_EXCEEDED", "projects/123456789012")},
		"AIza-oauth":    {401, googleError(401, "UNAUTHENTICATED", "CREDENTIALS_MISSING", "")},
	}
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "GET", "/v1beta/models")
		if r.URL.Query().Get("key") != "" {
			t.Error("key sent in the URL")
		}
		a, ok := answers[r.Header.Get("X-Goog-Api-Key")]
		if !ok {
			a.code, a.body = 400, googleError(400, "INVALID_ARGUMENT", "API_KEY_INVALID", "projects/123456789012")
		}
		if a.code == 429 {
			w.Header().Set("Retry-After", "3600")
		}
		w.WriteHeader(a.code)
		w.Write([]byte(a.body))
	})
	for _, tc := range []struct {
		rule, secret string
		want         verdict
	}{
		{"gcp-api-key", "AIza-gemini", verdict{status: finding.Verified, reaches: "Gemini API enabled"}},
		{"gcp-api-key", "AIza-disabled", verdict{status: finding.Verified, identity: "project 123456789012", reaches: "Gemini API not enabled"}},
		{"google-maps-key-in-url", "AIza-maps", verdict{status: finding.Verified, reaches: "restricted to other APIs"}},
		{"gcp-api-key", "AIza-referrer", verdict{status: finding.Verified, reaches: "referrers"}},
		{"google-gemini-api-key", "AQ.gemini", verdict{status: finding.Verified, reaches: "Gemini API enabled"}},
		{"gcp-api-key", "AIza-deleted", verdict{status: finding.Invalid, reason: "API_KEY_INVALID"}},
		{"gcp-api-key", "AIza-quota", verdict{status: finding.Unknown, reason: "rate limited"}},
		{"gcp-api-key", "AIza-oauth", verdict{status: finding.Unknown, reason: "CREDENTIALS_MISSING"}},
	} {
		checkVerdict(t, tc.secret, verifyOne(t, googleAPIKey, p.URL, tc.rule, tc.secret), tc.want)
	}
}
