package verify

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/leakhound/leakhound/finding"
)

// Telegram: getMe names the bot and changes nothing. The token is part of
// the path (/bot<token>/getMe), as the Bot API wants; errors and reasons
// never carry it (Call scrubs the secret). 404 is Telegram's answer to a
// token that no bot has.
var telegram = &Verifier{
	Provider: "telegram",
	Rules:    []string{"telegram-bot-token"},
	Endpoint: "https://api.telegram.org",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		resp, err := call.Get(ctx, "/bot"+url.PathEscape(req.Secret)+"/getMe", nil)
		if err != nil {
			return failed(err)
		}
		var body struct {
			OK          bool   `json:"ok"`
			Description string `json:"description"`
			Result      struct {
				ID        int64  `json:"id"`
				IsBot     bool   `json:"is_bot"`
				FirstName string `json:"first_name"`
				Username  string `json:"username"`
			} `json:"result"`
		}
		switch resp.Status {
		case http.StatusUnauthorized, http.StatusNotFound:
			_ = decodeJSON(resp, &body)
			return invalid("Telegram: %s", firstOf(body.Description, http.StatusText(resp.Status)))
		case http.StatusOK:
		default:
			return unclear("Telegram", resp)
		}
		if err := decodeJSON(resp, &body); err != nil {
			return unknown("%v", err)
		}
		if !body.OK || body.Result.ID == 0 {
			return unknown("Telegram: %s", firstOf(body.Description, "answer names no bot"))
		}
		r := body.Result
		return finding.Verification{Status: finding.Verified, Identity: "@" + r.Username,
			Reaches: "Telegram bot @" + r.Username + " (" + r.FirstName + ", id " + strconv.FormatInt(r.ID, 10) + "): its chats and messages"}
	},
}
