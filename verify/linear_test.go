package verify

import (
	"io"
	"net/http"
	"testing"
)

func TestLinear(t *testing.T) {
	t.Parallel()
	apiKey, oauth := "lin_api_"+synth(alphaB62, 40), "lin_oauth_"+synth(alphaHex, 64)
	dead, busy := "lin_api_"+synth(alphaB62, 40), "lin_api_"+synth(alphaB62, 40)
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "POST", "/graphql")
		if body, _ := io.ReadAll(r.Body); string(body) != linearQuery || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("query %s (%s)", body, r.Header.Get("Content-Type"))
		}
		switch r.Header.Get("Authorization") {
		case apiKey, "Bearer " + oauth:
			writeAnswer(w, 200, `{"data":{"viewer":{"id":"u1","name":"Alice","email":"alice@acme.test"},"organization":{"name":"Acme","urlKey":"acme"}}}`)
		case busy:
			writeAnswer(w, 400, `{"errors":[{"message":"Rate limit exceeded","extensions":{"code":"RATELIMITED","type":"ratelimited"}}]}`)
		default:
			writeAnswer(w, 400, `{"errors":[{"message":"Authentication required, not authenticated","extensions":{"type":"authentication error","code":"AUTHENTICATION_ERROR","userPresentableMessage":"You need to authenticate"}}]}`)
		}
	})
	acme := liveAs("alice@acme.test", "Linear workspace Acme (linear.app/acme)")
	runProviderCases(t, linear, p.URL, []providerCase{
		{name: "API key", rule: "linear-api-key", secret: apiKey, want: acme},
		{name: "OAuth token", rule: "linear-oauth-token", secret: oauth, want: acme},
		{name: "OAuth token sent bare", rule: "linear-api-key", secret: oauth, want: invalidBecause("Authentication required")},
		{name: "revoked", rule: "linear-api-key", secret: dead, want: invalidBecause("Authentication required")},
		{name: "rate limited", rule: "linear-api-key", secret: busy, want: unknownBecause("rate limited")},
	})
}
