package verify

import (
	"context"
	"net/http"
	"slices"

	"github.com/leakhound/leakhound/finding"
)

// SendGrid: GET /v3/scopes lists the key's own scopes and needs none. The
// username (GET /v3/user/username) needs a scope the key may lack, so it
// is asked only when the key has it, and its failure changes nothing.
var sendGrid = &Verifier{
	Provider: "sendgrid",
	Rules:    []string{"sendgrid-api-key"},
	Endpoint: "https://api.sendgrid.com/v3",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		h := bearer(req.Secret)
		resp, err := call.Get(ctx, "/scopes", h)
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusUnauthorized {
			return rejectedBy("SendGrid", resp)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("SendGrid", resp)
		}
		var body struct {
			Scopes []string `json:"scopes"`
		}
		if err := decodeJSON(resp, &body); err != nil {
			return unknown("%v", err)
		}
		if body.Scopes == nil {
			return unknown("SendGrid's answer has no scopes")
		}
		v.Scopes = body.Scopes
		v.Reaches = "SendGrid account"
		if slices.Contains(body.Scopes, "user.username.read") {
			if resp, err := call.Get(ctx, "/user/username", h); err == nil && resp.Status == http.StatusOK {
				var u struct {
					Username string `json:"username"`
				}
				if decodeJSON(resp, &u) == nil && u.Username != "" {
					v.Identity = u.Username
					v.Reaches += " " + u.Username
				}
			}
		}
		if slices.Contains(body.Scopes, "mail.send") {
			v.Reaches += ": can send mail as the account"
		}
		return v
	},
}
