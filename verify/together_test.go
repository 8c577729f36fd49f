package verify

import (
	"net/http"
	"testing"
)

func TestTogether(t *testing.T) {
	t.Parallel()
	key := func() string { return "tgp_v1_" + synth(alphaB62, 43) }
	live, dead, busy := key(), key(), key()
	legacy := synth(alphaHex, 64)
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/v1/models")
		switch r.Header.Get("Authorization") {
		case "Bearer " + live, "Bearer " + legacy:
			writeAnswer(w, 200, `[{"id":"m1","object":"model"},{"id":"m2","object":"model"}]`)
		case "Bearer " + busy:
			writeAnswer(w, 429, `{"error":{"message":"Rate limit reached","type":"rate_limit_exceeded"}}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"error":{"message":"Invalid API Key","type":"invalid_request_error","code":"invalid_api_key"}}`)
		}
	})
	runProviderCases(t, together, p.URL+"/v1", []providerCase{
		{name: "live", rule: "together-v1-api-key", secret: live, want: liveAs("", "Together AI API (2 models available to the key)")},
		{name: "legacy key", rule: "together-api-key", secret: legacy, want: liveAs("", "Together AI API (2 models available to the key)")},
		{name: "revoked", rule: "together-v1-api-key", secret: dead, want: invalidBecause("Invalid API Key")},
		{name: "rate limited", rule: "together-v1-api-key", secret: busy, want: unknownBecause("rate limited")},
	})
}
