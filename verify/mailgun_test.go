package verify

import (
	"net/http"
	"testing"
)

func TestMailgun(t *testing.T) {
	t.Parallel()
	live, sending, dead, busy := "key-"+synth(alphaHex, 32), synth(alphaHex, 32)+"-"+synth(alphaHex, 8)+"-"+synth(alphaHex, 8), "key-"+synth(alphaHex, 32), "key-"+synth(alphaHex, 32)
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/v3/domains?limit=1")
		user, pass, _ := r.BasicAuth()
		if user != "api" {
			t.Errorf("basic user %q", user)
		}
		switch pass {
		case live:
			writeAnswer(w, 200, `{"total_count":3,"items":[{"name":"mg.acme.test","state":"active","type":"custom"}]}`)
		case sending:
			writeAnswer(w, 403, `{"message":"Forbidden"}`)
		case busy:
			writeAnswer(w, 429, `{"message":"Too many requests"}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"message":"Invalid private key"}`)
		}
	})
	runProviderCases(t, mailgun, p.URL, []providerCase{
		{name: "live", rule: "mailgun-api-key", secret: live, want: liveAs("mg.acme.test", "Mailgun account with 3 US sending domains (mg.acme.test): sends mail as them")},
		{name: "sending key", rule: "mailgun-api-key", secret: sending, want: liveAs("", "Mailgun account (key without permission to list domains, e.g. a domain sending key)")},
		{name: "revoked", rule: "mailgun-api-key", secret: dead, want: invalidBecause("Invalid private key")},
		{name: "rate limited", rule: "mailgun-api-key", secret: busy, want: unknownBecause("rate limited")},
	})
}
