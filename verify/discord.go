package verify

import (
	"context"
	"net/http"
	"regexp"

	"github.com/leakhound/leakhound/finding"
)

// discordWebhook takes a webhook URL apart: its id and token. Only those
// two go to the request; the URL's host (discord.com, discordapp.com,
// ptb., canary.) is never used.
var discordWebhook = regexp.MustCompile(`/api/webhooks/(\d{17,20})/([A-Za-z0-9_-]{60,68})$`)

// Discord: a bot token reads its own user (GET /users/@me with the "Bot"
// scheme). A webhook URL is read with its token (GET
// /webhooks/{id}/{token}): that posts nothing, needs no other credential,
// and names the webhook, its server and channel. 401 and 404 (unknown
// webhook) mean dead.
var discord = &Verifier{
	Provider: "discord",
	Rules:    []string{"discord-bot-token", "discord-webhook-url"},
	Endpoint: "https://discord.com/api/v10",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		if req.RuleID == "discord-webhook-url" {
			m := discordWebhook.FindStringSubmatch(req.Secret)
			if m == nil {
				return unknown("not a Discord webhook URL")
			}
			resp, err := call.Get(ctx, "/webhooks/"+m[1]+"/"+m[2], nil)
			if err != nil {
				return failed(err)
			}
			if resp.Status == http.StatusUnauthorized || resp.Status == http.StatusNotFound {
				return rejectedBy("Discord", resp)
			}
			v, ok := byStatus(resp, false)
			if !ok {
				return unclear("Discord", resp)
			}
			var hook struct {
				ID        string `json:"id"`
				Name      string `json:"name"`
				ChannelID string `json:"channel_id"`
				GuildID   string `json:"guild_id"`
			}
			if err := decodeJSON(resp, &hook); err != nil {
				return unknown("%v", err)
			}
			if hook.ID == "" {
				return unknown("Discord's answer names no webhook")
			}
			v.Identity = firstOf(hook.Name, hook.ID)
			v.Reaches = "Discord webhook " + v.Identity + ": posts to channel " + hook.ChannelID
			if hook.GuildID != "" {
				v.Reaches += " of server " + hook.GuildID
			}
			return v
		}
		resp, err := call.Get(ctx, "/users/@me", header("Authorization", "Bot "+req.Secret))
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusUnauthorized {
			return rejectedBy("Discord", resp)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Discord", resp)
		}
		var me struct {
			ID       string `json:"id"`
			Username string `json:"username"`
			Bot      bool   `json:"bot"`
		}
		if err := decodeJSON(resp, &me); err != nil {
			return unknown("%v", err)
		}
		if me.ID == "" {
			return unknown("Discord's answer names no user")
		}
		v.Identity = firstOf(me.Username, me.ID)
		v.Reaches = "Discord bot " + v.Identity + " (id " + me.ID + "): the servers it was added to"
		return v
	},
}
