package verify

import (
	"context"

	"github.com/leakhound/leakhound/finding"
)

// Slack: auth.test answers for bot, user and legacy tokens with the
// workspace and the user the token acts as, and its scopes in
// X-OAuth-Scopes. Slack answers HTTP 200 with ok=false for bad tokens.
var slack = &Verifier{
	Provider: "slack",
	Rules:    []string{"slack-bot-token", "slack-user-token", "slack-legacy-token"},
	Endpoint: "https://slack.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		resp, err := call.Do(ctx, "POST", "/api/auth.test", bearer(req.Secret), nil)
		if err != nil {
			return failed(err)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return v
		}
		var body struct {
			OK     bool   `json:"ok"`
			Error  string `json:"error"`
			Team   string `json:"team"`
			User   string `json:"user"`
			URL    string `json:"url"`
			BotID  string `json:"bot_id"`
			TeamID string `json:"team_id"`
		}
		if err := decodeJSON(resp, &body); err != nil {
			return unknown("%v", err)
		}
		if !body.OK {
			switch body.Error {
			case "invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired", "no_permission":
				return invalid("Slack: %s", body.Error)
			case "ratelimited":
				return unknown("rate limited")
			}
			return unknown("Slack: %s", body.Error)
		}
		v.Identity = body.User
		v.Reaches = "Slack workspace " + body.Team
		if body.URL != "" {
			v.Reaches += " (" + body.URL + ")"
		}
		v.Scopes = splitList(resp.Header.Get("X-OAuth-Scopes"))
		return v
	},
}
