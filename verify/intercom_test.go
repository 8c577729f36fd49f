package verify

import (
	"net/http"
	"testing"
)

func TestIntercom(t *testing.T) {
	t.Parallel()
	tok := func() string { return synth(alphaB62, 59) + "=" }
	live, dead, busy := tok(), tok(), tok()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/me")
		switch r.Header.Get("Authorization") {
		case "Bearer " + live:
			writeAnswer(w, 200, `{"type":"admin","id":"991267","email":"ciaran@acme.test","name":"Ciaran","app":{"type":"app","id_code":"abc123de","name":"Acme Support","region":"US"}}`)
		case "Bearer " + busy:
			writeAnswer(w, 429, `{"type":"error.list","errors":[{"code":"rate_limit_exceeded","message":"Rate Limit Exceeded"}]}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"type":"error.list","request_id":"r1","errors":[{"code":"unauthorized","message":"Access Token Invalid"}]}`)
		}
	})
	runProviderCases(t, intercom, p.URL, []providerCase{
		{name: "live", rule: "intercom-access-token", secret: live, want: liveAs("ciaran@acme.test", "Intercom workspace Acme Support (abc123de): its contacts and conversations")},
		{name: "revoked", rule: "intercom-access-token", secret: dead, want: invalidBecause("Access Token Invalid (asked the US region")},
		{name: "rate limited", rule: "intercom-access-token", secret: busy, want: unknownBecause("rate limited")},
	})
}
