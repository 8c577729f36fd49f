package verify

import (
	"net/http"
	"testing"
)

func TestCohere(t *testing.T) {
	t.Parallel()
	live, inactive, dead, busy := synth(alphaB62, 40), synth(alphaB62, 40), synth(alphaB62, 40), synth(alphaB62, 40)
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "POST", "/v1/check-api-key")
		switch r.Header.Get("Authorization") {
		case "Bearer " + live:
			writeAnswer(w, 200, `{"valid":true,"organization_id":"org-7","owner_id":"user-9"}`)
		case "Bearer " + inactive:
			writeAnswer(w, 200, `{"valid":false}`)
		case "Bearer " + busy:
			writeAnswer(w, 429, `{"message":"too many requests"}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"message":"invalid api token"}`)
		}
	})
	runProviderCases(t, cohere, p.URL, []providerCase{
		{name: "live", rule: "cohere-api-key", secret: live, want: liveAs("user-9", "Cohere organization org-7")},
		{name: "not valid", rule: "cohere-api-key", secret: inactive, want: invalidBecause("not valid")},
		{name: "revoked", rule: "cohere-api-key", secret: dead, want: invalidBecause("invalid api token")},
		{name: "rate limited", rule: "cohere-api-key", secret: busy, want: unknownBecause("rate limited")},
	})
}
