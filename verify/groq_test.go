package verify

import (
	"net/http"
	"testing"
)

func TestGroq(t *testing.T) {
	t.Parallel()
	key := func() string { return "gsk_" + synth(alphaB62, 52) }
	live, dead, busy := key(), key(), key()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/openai/v1/models")
		switch r.Header.Get("Authorization") {
		case "Bearer " + live:
			writeAnswer(w, 200, `{"object":"list","data":[{"id":"m1"},{"id":"m2"}]}`)
		case "Bearer " + busy:
			writeAnswer(w, 429, `{"error":{"message":"Rate limit reached","type":"rate_limit_exceeded"}}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"error":{"message":"Invalid API Key","type":"invalid_request_error","code":"invalid_api_key"}}`)
		}
	})
	runProviderCases(t, groq, p.URL+"/openai/v1", []providerCase{
		{name: "live", rule: "groq-api-key", secret: live, want: liveAs("", "Groq API (2 models available to the key)")},
		{name: "revoked", rule: "groq-api-key", secret: dead, want: invalidBecause("Invalid API Key")},
		{name: "rate limited", rule: "groq-api-key", secret: busy, want: unknownBecause("rate limited")},
	})
}
