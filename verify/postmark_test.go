package verify

import (
	"net/http"
	"testing"
)

func TestPostmark(t *testing.T) {
	t.Parallel()
	uuid := func() string {
		return synth(alphaHex, 8) + "-" + synth(alphaHex, 4) + "-" + synth(alphaHex, 4) + "-" + synth(alphaHex, 4) + "-" + synth(alphaHex, 12)
	}
	server, account, dead, busy := uuid(), uuid(), uuid(), uuid()
	bad := `{"ErrorCode":10,"Message":"The Server Token you provided in the X-Postmark-Server-Token request header was invalid."}`
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "application/json" {
			t.Errorf("Accept %q", r.Header.Get("Accept"))
		}
		if r.URL.Path == "/servers" {
			expectCall(t, r, "GET", "/servers?count=1&offset=0")
			if r.Header.Get("X-Postmark-Account-Token") == account {
				writeAnswer(w, 200, `{"TotalCount":4,"Servers":[{"ID":1,"Name":"Production"}]}`)
				return
			}
			writeAnswer(w, 401, `{"ErrorCode":10,"Message":"The Account Token you provided in the X-Postmark-Account-Token request header was invalid."}`)
			return
		}
		expectCall(t, r, "GET", "/server")
		switch r.Header.Get("X-Postmark-Server-Token") {
		case server:
			writeAnswer(w, 200, `{"ID":1,"Name":"Staging Testing","ApiTokens":[],"Color":"red"}`)
		case busy:
			writeAnswer(w, 429, `{"ErrorCode":429,"Message":"Rate limit exceeded"}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, bad)
		}
	})
	runProviderCases(t, postmark, p.URL, []providerCase{
		{name: "server token", rule: "postmark-server-token", secret: server, want: liveAs("Staging Testing", `Postmark server "Staging Testing" (id 1): sends mail as it`)},
		{name: "account token", rule: "postmark-server-token", secret: account, want: liveAs("account token", "Postmark account with 4 servers (account token: servers, domains, sender signatures)")},
		{name: "revoked", rule: "postmark-server-token", secret: dead, want: invalidBecause("as a server token and as an account token")},
		{name: "rate limited", rule: "postmark-server-token", secret: busy, want: unknownBecause("rate limited")},
	})
}
