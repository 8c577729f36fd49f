package verify

import (
	"net/http"
	"testing"
)

func TestOpenAI(t *testing.T) {
	t.Parallel()
	key := func(kind string) string {
		return "sk-" + kind + "-" + synth(alphaB62, 40) + "T3BlbkFJ" + synth(alphaB62, 40)
	}
	live, narrow, broke, dead, busy, admin := key("proj"), key("proj"), key("proj"), key("proj"), key("svcacct"), key("admin")
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		org := []string{"openai-organization", "org-acme", "openai-project", "proj_abc"}
		switch r.Header.Get("Authorization") {
		case "Bearer " + live:
			expectCall(t, r, "GET", "/v1/models")
			writeAnswer(w, 200, `{"object":"list","data":[{"id":"gpt-4o","object":"model"}]}`, org...)
		case "Bearer " + narrow:
			writeAnswer(w, 401, `{"error":{"message":"You have insufficient permissions for this operation. Missing scopes: api.model.read.","type":"invalid_request_error"}}`, org...)
		case "Bearer " + broke:
			writeAnswer(w, 429, `{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}`, append(org, "Retry-After", "120")...)
		case "Bearer " + busy:
			writeAnswer(w, 429, `{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}`, "Retry-After", "120")
		case "Bearer " + admin:
			expectCall(t, r, "GET", "/v1/organization/projects?limit=1")
			writeAnswer(w, 200, `{"object":"list","data":[{"id":"proj_1","name":"Default project"}]}`, "openai-organization", "org-acme")
		default:
			expectCall(t, r, "GET", "/v1/models")
			writeAnswer(w, 401, `{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","code":"invalid_api_key"}}`)
		}
	})
	runProviderCases(t, openAI, p.URL+"/v1", []providerCase{
		{name: "live", rule: "openai-api-key", secret: live, want: liveAs("org-acme", "OpenAI organization org-acme, project proj_abc")},
		{name: "restricted", rule: "openai-api-key", secret: narrow, want: liveAs("org-acme", "OpenAI organization org-acme, project proj_abc (restricted key without the models permission)")},
		{name: "no quota", rule: "openai-api-key", secret: broke, want: liveAs("org-acme", "OpenAI organization org-acme, project proj_abc (no quota left: billing exhausted)")},
		{name: "admin", rule: "openai-api-key", secret: admin, want: liveAs("org-acme", "OpenAI organization org-acme (admin key: members, projects, API keys, usage)")},
		{name: "revoked", rule: "openai-api-key", secret: dead, want: invalidBecause("Incorrect API key provided.")},
		{name: "rate limited", rule: "openai-api-key", secret: busy, want: unknownBecause("rate limited")},
	})
}
