package verify

import (
	"net/http"
	"testing"
)

func TestDiscord(t *testing.T) {
	t.Parallel()
	bot := func() string { return "M" + synth(alphaB62, 25) + "." + synth(alphaB62, 6) + "." + synth(alphaB62, 38) }
	live, dead, busy := bot(), bot(), bot()
	hookID, hookToken, goneToken := synth(alphaDigits, 18), synth(alphaB62, 68), synth(alphaB62, 68)
	hook := "https://discordapp.com/api/webhooks/" + hookID + "/" + hookToken
	gone := "https://discord.com/api/webhooks/" + hookID + "/" + goneToken
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v10/webhooks/" + hookID + "/" + hookToken:
			expectCall(t, r, "GET", r.URL.Path)
			if r.Header.Get("Authorization") != "" {
				t.Error("a webhook read sent an Authorization header")
			}
			writeAnswer(w, 200, `{"type":1,"id":"`+hookID+`","name":"Deploys","channel_id":"199737254929760256","guild_id":"199737254929760257","application_id":null}`)
			return
		case "/api/v10/webhooks/" + hookID + "/" + goneToken:
			writeAnswer(w, 404, `{"message":"Unknown Webhook","code":10015}`)
			return
		}
		expectCall(t, r, "GET", "/api/v10/users/@me")
		switch r.Header.Get("Authorization") {
		case "Bot " + live:
			writeAnswer(w, 200, `{"id":"80351110224678912","username":"acme-bot","discriminator":"0","bot":true}`)
		case "Bot " + busy:
			writeAnswer(w, 429, `{"message":"You are being rate limited.","retry_after":120,"global":false}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"message":"401: Unauthorized","code":0}`)
		}
	})
	runProviderCases(t, discord, p.URL+"/api/v10", []providerCase{
		{name: "bot token", rule: "discord-bot-token", secret: live, want: liveAs("acme-bot", "Discord bot acme-bot (id 80351110224678912): the servers it was added to")},
		{name: "revoked bot token", rule: "discord-bot-token", secret: dead, want: invalidBecause("401: Unauthorized")},
		{name: "rate limited", rule: "discord-bot-token", secret: busy, want: unknownBecause("rate limited")},
		{name: "webhook", rule: "discord-webhook-url", secret: hook, want: liveAs("Deploys", "Discord webhook Deploys: posts to channel 199737254929760256 of server 199737254929760257")},
		{name: "deleted webhook", rule: "discord-webhook-url", secret: gone, want: invalidBecause("Unknown Webhook")},
		{name: "not a webhook URL", rule: "discord-webhook-url", secret: "https://discord.com/api/webhooks/1/x", want: unknownBecause("not a Discord webhook URL")},
	})
}
