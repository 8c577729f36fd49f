package verify

import (
	"net/http"
	"testing"
)

func TestNotion(t *testing.T) {
	t.Parallel()
	live, legacy := "ntn_"+synth(alphaDigits, 11)+synth(alphaB62, 35), "secret_"+synth(alphaB62, 43)
	dead, busy := "ntn_"+synth(alphaDigits, 11)+synth(alphaB62, 35), "secret_"+synth(alphaB62, 43)
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/v1/users/me")
		if r.Header.Get("Notion-Version") == "" {
			t.Error("no Notion-Version")
		}
		switch r.Header.Get("Authorization") {
		case "Bearer " + live, "Bearer " + legacy:
			writeAnswer(w, 200, `{"object":"user","id":"9a3b","name":"Deploy bot","type":"bot","bot":{"owner":{"type":"workspace","workspace":true},"workspace_name":"Acme HQ"}}`)
		case "Bearer " + busy:
			writeAnswer(w, 429, `{"object":"error","status":429,"code":"rate_limited","message":"You have been rate limited."}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"object":"error","status":401,"code":"unauthorized","message":"API token is invalid."}`)
		}
	})
	want := liveAs("Deploy bot", "Notion integration Deploy bot in workspace Acme HQ (pages and databases shared with it)")
	runProviderCases(t, notion, p.URL+"/v1", []providerCase{
		{name: "live", rule: "notion-token", secret: live, want: want},
		{name: "legacy secret_", rule: "notion-token", secret: legacy, want: want},
		{name: "revoked", rule: "notion-token", secret: dead, want: invalidBecause("API token is invalid.")},
		{name: "rate limited", rule: "notion-token", secret: busy, want: unknownBecause("rate limited")},
	})
}
