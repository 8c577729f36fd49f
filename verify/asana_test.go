package verify

import (
	"net/http"
	"testing"
)

func TestAsana(t *testing.T) {
	t.Parallel()
	pat := func() string {
		return "2/" + synth(alphaDigits, 16) + "/" + synth(alphaDigits, 16) + ":" + synth(alphaHex, 32)
	}
	live, dead, busy := pat(), pat(), pat()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/api/1.0/users/me")
		switch r.Header.Get("Authorization") {
		case "Bearer " + live:
			writeAnswer(w, 200, `{"data":{"gid":"12345","name":"Alice","email":"alice@acme.test","workspaces":[{"gid":"1","name":"Acme"},{"gid":"2","name":"Personal"}]}}`)
		case "Bearer " + busy:
			writeAnswer(w, 429, `{"errors":[{"message":"You have made too many requests recently."}]}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"errors":[{"message":"Not Authorized","help":"For more information on API status codes..."}]}`)
		}
	})
	runProviderCases(t, asana, p.URL+"/api/1.0", []providerCase{
		{name: "live", rule: "asana-pat", secret: live, want: liveAs("alice@acme.test", "Asana user alice@acme.test in 2 workspaces (Acme, Personal)")},
		{name: "revoked", rule: "asana-pat", secret: dead, want: invalidBecause("Not Authorized")},
		{name: "rate limited", rule: "asana-pat", secret: busy, want: unknownBecause("rate limited")},
	})
}
