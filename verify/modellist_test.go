package verify

import (
	"net/http"
	"testing"
)

// TestModelList: the providers whose OpenAI-compatible API lists models
// for any live key (modelList), each against a server that answers as
// that API does.
func TestModelList(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v      *Verifier
		rules  []string // the first finds key(); any other finds legacy keys
		key    func() string
		legacy func() string
		base   string // the endpoint's path
		list   string // the live answer
		name   string // in Reaches
	}{
		{v: groq, rules: []string{"groq-api-key"}, key: func() string { return "gsk_" + synth(alphaB62, 52) },
			base: "/openai/v1", list: `{"object":"list","data":[{"id":"m1"},{"id":"m2"}]}`, name: "Groq"},
		{v: mistral, rules: []string{"mistral-api-key"}, key: func() string { return synth(alphaB62, 32) },
			base: "/v1", list: `{"object":"list","data":[{"id":"m1"},{"id":"m2"}]}`, name: "Mistral"},
		{v: together, rules: []string{"together-v1-api-key", "together-api-key"}, key: func() string { return "tgp_v1_" + synth(alphaB62, 43) },
			legacy: func() string { return synth(alphaHex, 64) },
			base:   "/v1", list: `[{"id":"m1","object":"model"},{"id":"m2","object":"model"}]`, name: "Together AI"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			live, dead, busy := tc.key(), tc.key(), tc.key()
			var legacy string
			if tc.legacy != nil {
				legacy = tc.legacy()
			}
			p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
				expectCall(t, r, "GET", tc.base+"/models")
				switch auth := r.Header.Get("Authorization"); {
				case auth == "Bearer "+live || legacy != "" && auth == "Bearer "+legacy:
					writeAnswer(w, 200, tc.list)
				case auth == "Bearer "+busy:
					writeAnswer(w, 429, `{"error":{"message":"Rate limit reached","type":"rate_limit_exceeded"}}`, "Retry-After", "120")
				default:
					writeAnswer(w, 401, `{"error":{"message":"Invalid API Key","type":"invalid_request_error","code":"invalid_api_key"}}`)
				}
			})
			reaches := tc.name + " API (2 models available to the key)"
			cases := []providerCase{
				{name: "live", rule: tc.rules[0], secret: live, want: liveAs("", reaches)},
				{name: "revoked", rule: tc.rules[0], secret: dead, want: invalidBecause("Invalid API Key")},
				{name: "rate limited", rule: tc.rules[0], secret: busy, want: unknownBecause("rate limited")},
			}
			if legacy != "" {
				cases = append(cases, providerCase{name: "legacy key", rule: tc.rules[1], secret: legacy, want: liveAs("", reaches)})
			}
			runProviderCases(t, tc.v, p.URL+tc.base, cases)
		})
	}
}
