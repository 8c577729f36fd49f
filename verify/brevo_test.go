package verify

import (
	"net/http"
	"testing"
)

func TestBrevo(t *testing.T) {
	t.Parallel()
	key := func() string { return "xkeysib-" + synth(alphaHex, 64) + "-" + synth(alphaB62, 16) }
	live, dead, fenced, busy := key(), key(), key(), key()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/v3/account")
		switch r.Header.Get("Api-Key") {
		case live:
			writeAnswer(w, 200, `{"email":"owner@acme.test","firstName":"Ann","lastName":"Lee","companyName":"Acme","plan":[{"type":"payAsYouGo","credits":1000}]}`)
		case fenced:
			writeAnswer(w, 401, `{"code":"unauthorized","message":"We have detected you are using an unrecognised IP address 203.0.113.9. If you performed this action make sure to add the new IP address in this link: https://app.brevo.com/security/authorised_ips"}`)
		case busy:
			writeAnswer(w, 429, `{"code":"too_many_requests","message":"The expected rate limit is exceeded."}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"code":"unauthorized","message":"Key not found"}`)
		}
	})
	runProviderCases(t, brevo, p.URL+"/v3", []providerCase{
		{name: "live", rule: "brevo-api-key", secret: live, want: liveAs("owner@acme.test", "Brevo account Acme (payAsYouGo plan): contacts, campaigns, sends mail and SMS")},
		{name: "revoked", rule: "brevo-api-key", secret: dead, want: invalidBecause("Key not found")},
		{name: "IP not allowed", rule: "brevo-api-key", secret: fenced, want: unknownBecause("from this IP address")},
		{name: "rate limited", rule: "brevo-api-key", secret: busy, want: unknownBecause("rate limited")},
	})
}
