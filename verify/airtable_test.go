package verify

import (
	"net/http"
	"testing"
)

func TestAirtable(t *testing.T) {
	t.Parallel()
	pat := func() string { return "pat" + synth(alphaB62, 14) + "." + synth(alphaHex, 64) }
	live, dead, busy, legacy := pat(), pat(), pat(), "key"+synth(alphaB62, 14)
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/v0/meta/whoami")
		switch r.Header.Get("Authorization") {
		case "Bearer " + live:
			writeAnswer(w, 200, `{"id":"usrL2PNC5o3H4lBEi","email":"foo@bar.test","scopes":["data.records:read","schema.bases:read"]}`)
		case "Bearer " + busy:
			writeAnswer(w, 429, `{"errors":[{"error":"RATE_LIMIT_REACHED","message":"Rate limit exceeded."}]}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"error":{"type":"AUTHENTICATION_REQUIRED","message":"Authentication required"}}`)
		}
	})
	runProviderCases(t, airtable, p.URL+"/v0", []providerCase{
		{name: "live", rule: "airtable-pat", secret: live, want: liveAs("foo@bar.test", "Airtable user foo@bar.test (the bases the token was granted)", "data.records:read", "schema.bases:read")},
		{name: "revoked", rule: "airtable-pat", secret: dead, want: invalidBecause("Authentication required")},
		{name: "legacy key", rule: "airtable-legacy-api-key", secret: legacy, want: invalidBecause("Authentication required")},
		{name: "rate limited", rule: "airtable-pat", secret: busy, want: unknownBecause("rate limited")},
	})
}
