package verify

import (
	"net/http"
	"testing"
)

func TestFigma(t *testing.T) {
	t.Parallel()
	tok := func() string { return "figd_" + synth(alphaB62, 40) }
	live, dead, expired, unscoped, busy := tok(), tok(), tok(), tok(), tok()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/v1/me")
		switch r.Header.Get("X-Figma-Token") {
		case live:
			writeAnswer(w, 200, `{"id":"1234","email":"ann@acme.test","handle":"ann","img_url":"https://example.test/a.png"}`)
		case expired:
			writeAnswer(w, 403, `{"status":403,"err":"Token expired"}`)
		case unscoped:
			writeAnswer(w, 403, `{"status":403,"err":"Invalid scope(s): current_user:read required"}`)
		case busy:
			writeAnswer(w, 429, `{"status":429,"err":"Rate limit exceeded"}`, "Retry-After", "120")
		default:
			writeAnswer(w, 403, `{"status":403,"err":"Invalid token"}`)
		}
	})
	runProviderCases(t, figma, p.URL+"/v1", []providerCase{
		{name: "live", rule: "figma-pat", secret: live, want: liveAs("ann@acme.test", "Figma user ann (the files and projects it can open)")},
		{name: "revoked", rule: "figma-pat", secret: dead, want: invalidBecause("Invalid token")},
		{name: "expired", rule: "figma-pat", secret: expired, want: invalidBecause("Token expired")},
		{name: "no user scope", rule: "figma-pat", secret: unscoped, want: unknownBecause("current_user:read")},
		{name: "rate limited", rule: "figma-pat", secret: busy, want: unknownBecause("rate limited")},
	})
}
