package verify

import (
	"net/http"
	"testing"
)

func TestHuggingFace(t *testing.T) {
	t.Parallel()
	tok := func() string { return "hf_" + synth(alphaLower, 34) }
	write, fine, dead, busy := tok(), tok(), tok(), tok()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/api/whoami-v2")
		switch r.Header.Get("Authorization") {
		case "Bearer " + write:
			writeAnswer(w, 200, `{"type":"user","name":"alice","orgs":[{"name":"acme"},{"name":"lab"}],"auth":{"type":"access_token","accessToken":{"displayName":"ci","role":"write"}}}`)
		case "Bearer " + fine:
			writeAnswer(w, 200, `{"type":"user","name":"bob","orgs":[],"auth":{"accessToken":{"role":"fineGrained","fineGrained":{"global":["discussion.write"],"scoped":[{"entity":{"type":"model","name":"bob/llm"},"permissions":["repo.content.read","repo.write"]}]}}}}`)
		case "Bearer " + busy:
			writeAnswer(w, 429, `{"error":"Too many requests"}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"error":"Invalid credentials in Authorization header"}`)
		}
	})
	runProviderCases(t, huggingFace, p.URL, []providerCase{
		{name: "write token", rule: "huggingface-token", secret: write, want: liveAs("alice", "Hugging Face user alice (organizations acme, lab)", "write")},
		{name: "fine-grained", rule: "huggingface-token", secret: fine, want: liveAs("bob", "Hugging Face user bob",
			"discussion.write", "model bob/llm: repo.content.read", "model bob/llm: repo.write")},
		{name: "revoked", rule: "huggingface-token", secret: dead, want: invalidBecause("Invalid credentials")},
		{name: "rate limited", rule: "huggingface-token", secret: busy, want: unknownBecause("rate limited")},
	})
}
