package verify

import (
	"net/http"
	"testing"
)

func TestAnthropic(t *testing.T) {
	t.Parallel()
	key := func(kind string) string { return "sk-ant-" + kind + "-" + synth(alphaB62, 93) + "AA" }
	live, dead, busy, admin, narrow := key("api03"), key("api03"), key("api03"), key("admin01"), key("api03")
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Anthropic-Version") != "2023-06-01" {
			t.Errorf("anthropic-version %q", r.Header.Get("Anthropic-Version"))
		}
		switch r.Header.Get("X-Api-Key") {
		case live:
			expectCall(t, r, "GET", "/v1/models?limit=1")
			writeAnswer(w, 200, `{"data":[{"id":"claude-sonnet-4-5","type":"model"}],"has_more":true}`, "anthropic-organization-id", "5a1e7c2d-0000-4000-8000-0123456789ab")
		case admin:
			expectCall(t, r, "GET", "/v1/organizations/me")
			writeAnswer(w, 200, `{"id":"5a1e7c2d-0000-4000-8000-0123456789ab","name":"Acme","type":"organization"}`)
		case narrow:
			writeAnswer(w, 403, `{"type":"error","error":{"type":"permission_error","message":"Your API key does not have permission to use the specified resource."}}`)
		case busy:
			writeAnswer(w, 429, `{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit"}}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`)
		}
	})
	runProviderCases(t, anthropic, p.URL, []providerCase{
		{name: "live", rule: "anthropic-api-key", secret: live, want: liveAs("5a1e7c2d-0000-4000-8000-0123456789ab", "Anthropic organization 5a1e7c2d-0000-4000-8000-0123456789ab")},
		{name: "admin", rule: "anthropic-api-key", secret: admin, want: liveAs("Acme", "Anthropic organization Acme (admin key: members, workspaces, API keys)")},
		{name: "no permission", rule: "anthropic-api-key", secret: narrow, want: liveAs("", "Anthropic API (key without permission to list models)")},
		{name: "revoked", rule: "anthropic-api-key", secret: dead, want: invalidBecause("invalid x-api-key")},
		{name: "rate limited", rule: "anthropic-api-key", secret: busy, want: unknownBecause("rate limited")},
	})
}
