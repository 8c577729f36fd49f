package verify

import (
	"net/http"
	"strings"
	"testing"
)

func TestTelegram(t *testing.T) {
	t.Parallel()
	tok := func() string { return synth(alphaDigits, 10) + ":AA" + synth(alphaB62, 33) }
	live, dead, malformed, busy := tok(), tok(), tok(), tok()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.URL.Path, "/bot")
		if r.Method != "GET" || !ok || !strings.HasSuffix(token, "/getMe") {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		switch strings.TrimSuffix(token, "/getMe") {
		case live:
			writeAnswer(w, 200, `{"ok":true,"result":{"id":8420859936,"is_bot":true,"first_name":"Deploy","username":"acme_deploy_bot","can_join_groups":true}}`)
		case malformed:
			writeAnswer(w, 404, `{"ok":false,"error_code":404,"description":"Not Found"}`)
		case busy:
			writeAnswer(w, 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 120","parameters":{"retry_after":120}}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
		}
	})
	runProviderCases(t, telegram, p.URL, []providerCase{
		{name: "live", rule: "telegram-bot-token", secret: live, want: liveAs("@acme_deploy_bot", "Telegram bot @acme_deploy_bot (Deploy, id 8420859936): its chats and messages")},
		{name: "revoked", rule: "telegram-bot-token", secret: dead, want: invalidBecause("Telegram: Unauthorized")},
		{name: "no such bot", rule: "telegram-bot-token", secret: malformed, want: invalidBecause("Telegram: Not Found")},
		{name: "rate limited", rule: "telegram-bot-token", secret: busy, want: unknownBecause("rate limited")},
	})
}
