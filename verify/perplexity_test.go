package verify

import (
	"net/http"
	"testing"
)

func TestPerplexity(t *testing.T) {
	t.Parallel()
	key := func() string { return "pplx-" + synth(alphaB62, 48) }
	live, dead, busy := key(), key(), key()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/async/chat/completions")
		switch r.Header.Get("Authorization") {
		case "Bearer " + live:
			writeAnswer(w, 200, `{"requests":[],"next_token":null}`)
		case "Bearer " + busy:
			writeAnswer(w, 429, `{"error":{"message":"Rate limit exceeded","type":"rate_limit_exceeded"}}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"error":{"message":"Invalid API key","type":"invalid_api_key","code":401}}`)
		}
	})
	runProviderCases(t, perplexity, p.URL, []providerCase{
		{name: "live", rule: "perplexity-api-key", secret: live, want: liveAs("", "Perplexity API (billed to the key's account)")},
		{name: "revoked", rule: "perplexity-api-key", secret: dead, want: invalidBecause("Invalid API key")},
		{name: "rate limited", rule: "perplexity-api-key", secret: busy, want: unknownBecause("rate limited")},
	})
}
