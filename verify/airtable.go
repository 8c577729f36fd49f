package verify

import (
	"context"
	"net/http"

	"github.com/leakhound/leakhound/finding"
)

// Airtable: GET /v0/meta/whoami names the token's user and its scopes.
// Legacy API keys (key...) were switched off in February 2024: Airtable
// rejects them, and they are reported invalid. OAuth tokens are left out:
// their rule also finds refresh tokens, which are no bearer credential, so
// a rejection would call a live refresh token dead.
var airtable = &Verifier{
	Provider: "airtable",
	Rules:    []string{"airtable-pat", "airtable-legacy-api-key"},
	Endpoint: "https://api.airtable.com/v0",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		resp, err := call.Get(ctx, "/meta/whoami", bearer(req.Secret))
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusUnauthorized {
			return rejectedBy("Airtable", resp)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Airtable", resp)
		}
		var me struct {
			ID     string   `json:"id"`
			Email  string   `json:"email"`
			Scopes []string `json:"scopes"`
		}
		if err := decodeJSON(resp, &me); err != nil {
			return unknown("%v", err)
		}
		if me.ID == "" {
			return unknown("Airtable's answer names no user")
		}
		v.Identity = firstOf(me.Email, me.ID)
		v.Scopes = me.Scopes
		v.Reaches = "Airtable user " + v.Identity + " (the bases the token was granted)"
		return v
	},
}
