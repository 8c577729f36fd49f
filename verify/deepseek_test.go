package verify

import (
	"net/http"
	"testing"
)

func TestDeepSeek(t *testing.T) {
	t.Parallel()
	key := func() string { return "sk-" + synth(alphaHex, 32) }
	live, empty, dead, busy := key(), key(), key(), key()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/user/balance")
		switch r.Header.Get("Authorization") {
		case "Bearer " + live:
			writeAnswer(w, 200, `{"is_available":true,"balance_infos":[{"currency":"CNY","total_balance":"110.00","granted_balance":"10.00","topped_up_balance":"100.00"}]}`)
		case "Bearer " + empty:
			writeAnswer(w, 200, `{"is_available":false,"balance_infos":[{"currency":"USD","total_balance":"0.00"}]}`)
		case "Bearer " + busy:
			writeAnswer(w, 429, `{"error":{"message":"Rate Limit Reached","type":"rate_limit_reached_error"}}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"error":{"message":"Authentication Fails, Your api key is invalid","type":"authentication_error","code":"invalid_request_error"}}`)
		}
	})
	runProviderCases(t, deepSeek, p.URL, []providerCase{
		{name: "live", rule: "deepseek-api-key", secret: live, want: liveAs("", "DeepSeek account, balance 110.00 CNY")},
		{name: "no balance", rule: "deepseek-api-key", secret: empty, want: liveAs("", "DeepSeek account, balance 0.00 USD (balance too low to make calls)")},
		{name: "revoked", rule: "deepseek-api-key", secret: dead, want: invalidBecause("Your api key is invalid")},
		{name: "rate limited", rule: "deepseek-api-key", secret: busy, want: unknownBecause("rate limited")},
	})
}
