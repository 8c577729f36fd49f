package verify

import (
	"net/http"
	"testing"
)

func TestPostman(t *testing.T) {
	t.Parallel()
	key := func() string { return "PMAK-" + synth(alphaHex, 24) + "-" + synth(alphaHex, 34) }
	live, dead, busy := key(), key(), key()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/me")
		switch r.Header.Get("X-Api-Key") {
		case live:
			writeAnswer(w, 200, `{"user":{"id":12345678,"username":"taylor","email":"taylor@acme.test","fullName":"Taylor Lee","teamName":"Acme","teamDomain":"acme"},"operations":[]}`)
		case busy:
			writeAnswer(w, 429, `{"error":"rateLimited","message":"Rate limit exceeded. Please retry after 120 seconds."}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"error":{"name":"AuthenticationError","message":"Invalid API Key. Every request requires a valid API Key to be sent."}}`)
		}
	})
	runProviderCases(t, postman, p.URL, []providerCase{
		{name: "live", rule: "postman-api-key", secret: live, want: liveAs("taylor@acme.test", "Postman user taylor of team Acme (workspaces, collections and their environment secrets)")},
		{name: "revoked", rule: "postman-api-key", secret: dead, want: invalidBecause("Invalid API Key")},
		{name: "rate limited", rule: "postman-api-key", secret: busy, want: unknownBecause("rate limited")},
	})
}
