package verify

import (
	"context"

	"github.com/leakhound/leakhound/finding"
)

// Replicate: GET /v1/account names the user or organization a token
// belongs to.
var replicate = &Verifier{
	Provider: "replicate",
	Rules:    []string{"replicate-api-token"},
	Endpoint: "https://api.replicate.com/v1",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		resp, err := call.Get(ctx, "/account", bearer(req.Secret))
		if err != nil {
			return failed(err)
		}
		if resp.Status == 401 {
			return rejectedBy("Replicate", resp)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Replicate", resp)
		}
		var acct struct {
			Type     string `json:"type"`
			Username string `json:"username"`
			Name     string `json:"name"`
		}
		if err := decodeJSON(resp, &acct); err != nil {
			return unknown("%v", err)
		}
		if acct.Username == "" {
			return unknown("Replicate's answer names no account")
		}
		v.Identity = acct.Username
		v.Reaches = "Replicate " + lowerOr(acct.Type, "account") + " " + acct.Username
		return v
	},
}
