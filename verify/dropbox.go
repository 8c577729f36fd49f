package verify

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// Dropbox: users/get_current_account (an RPC, so POST with a null body)
// names the account; every app may call it. Short-lived tokens (sl.) live
// four hours, so most leaked ones answer expired_access_token.
var dropbox = &Verifier{
	Provider: "dropbox",
	Rules:    []string{"dropbox-access-token"},
	Endpoint: "https://api.dropboxapi.com/2",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		h := withHeader(bearer(req.Secret), "Content-Type", "application/json")
		resp, err := call.Do(ctx, "POST", "/users/get_current_account", h, []byte("null"))
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusUnauthorized {
			return rejectedBy("Dropbox", resp)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Dropbox", resp)
		}
		var acct struct {
			AccountID string `json:"account_id"`
			Email     string `json:"email"`
			Name      struct {
				DisplayName string `json:"display_name"`
			} `json:"name"`
			AccountType struct {
				Tag string `json:".tag"`
			} `json:"account_type"`
			Team *struct {
				Name string `json:"name"`
			} `json:"team"`
		}
		if err := decodeJSON(resp, &acct); err != nil {
			return unknown("%v", err)
		}
		if acct.AccountID == "" {
			return unknown("Dropbox's answer names no account")
		}
		v.Identity = firstOf(acct.Email, acct.Name.DisplayName, acct.AccountID)
		v.Reaches = strings.TrimSpace("Dropbox " + acct.AccountType.Tag + " account " + v.Identity)
		if acct.Team != nil && acct.Team.Name != "" {
			v.Reaches += " of team " + acct.Team.Name
		}
		return v
	},
}
