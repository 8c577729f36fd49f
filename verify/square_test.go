package verify

import (
	"net/http"
	"testing"
)

func TestSquare(t *testing.T) {
	t.Parallel()
	tok := func() string { return "EAAA" + synth(alphaB62, 60) }
	live, legacy, narrow, expired, busy := tok(), "sq0atp-"+synth(alphaB62, 22), tok(), tok(), tok()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/v2/merchants/me")
		switch r.Header.Get("Authorization") {
		case "Bearer " + live, "Bearer " + legacy:
			writeAnswer(w, 200, `{"merchant":{"id":"DM7VKY8Q63GNP","business_name":"Acme Coffee","country":"US","language_code":"en-US","currency":"USD","status":"ACTIVE"}}`)
		case "Bearer " + narrow:
			writeAnswer(w, 403, `{"errors":[{"category":"AUTHENTICATION_ERROR","code":"INSUFFICIENT_SCOPES","detail":"The merchant has not given your application sufficient permissions to do that."}]}`)
		case "Bearer " + expired:
			writeAnswer(w, 401, `{"errors":[{"category":"AUTHENTICATION_ERROR","code":"ACCESS_TOKEN_EXPIRED","detail":"The access token has expired."}]}`)
		case "Bearer " + busy:
			writeAnswer(w, 429, `{"errors":[{"category":"RATE_LIMIT_ERROR","code":"RATE_LIMITED","detail":"Rate limited."}]}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"errors":[{"category":"AUTHENTICATION_ERROR","code":"UNAUTHORIZED","detail":"This request could not be authorized."}]}`)
		}
	})
	acme := liveAs("DM7VKY8Q63GNP", "Square merchant Acme Coffee (US): payments, customers, orders")
	runProviderCases(t, square, p.URL, []providerCase{
		{name: "live", rule: "square-access-token", secret: live, want: acme},
		{name: "legacy sq0atp- token", rule: "square-access-token", secret: legacy, want: acme},
		{name: "without merchant scope", rule: "square-access-token", secret: narrow, want: liveAs("", "Square merchant (token without MERCHANT_PROFILE_READ)")},
		{name: "expired", rule: "square-access-token", secret: expired, want: invalidBecause("The access token has expired.")},
		{name: "revoked", rule: "square-access-token", secret: tok(), want: invalidBecause("could not be authorized")},
		{name: "rate limited", rule: "square-access-token", secret: busy, want: unknownBecause("rate limited")},
	})
}
