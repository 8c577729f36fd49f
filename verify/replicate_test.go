package verify

import (
	"net/http"
	"testing"
)

func TestReplicate(t *testing.T) {
	t.Parallel()
	tok := func() string { return "r8_" + synth(alphaB62, 37) }
	live, dead, busy := tok(), tok(), tok()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/v1/account")
		switch r.Header.Get("Authorization") {
		case "Bearer " + live:
			writeAnswer(w, 200, `{"type":"organization","username":"acme","name":"Acme Inc","github_url":"https://github.com/acme"}`)
		case "Bearer " + busy:
			writeAnswer(w, 429, `{"title":"Request was throttled","detail":"Request was throttled. Expected available in 120 seconds.","status":429}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"title":"Unauthenticated","detail":"You did not pass a valid authentication token","status":401}`)
		}
	})
	runProviderCases(t, replicate, p.URL+"/v1", []providerCase{
		{name: "live", rule: "replicate-api-token", secret: live, want: liveAs("acme", "Replicate organization acme")},
		{name: "revoked", rule: "replicate-api-token", secret: dead, want: invalidBecause("You did not pass a valid authentication token")},
		{name: "rate limited", rule: "replicate-api-token", secret: busy, want: unknownBecause("rate limited")},
	})
}
