package verify

import (
	"context"
	"net/http"

	"github.com/leakhound/leakhound/finding"
)

// Intercom: GET /me names the admin a token acts as and its workspace.
// Workspaces hosted in the EU or Australia answer only at their regional
// host (api.eu.intercom.io, api.au.intercom.io), so a rejection from the
// US host says so; --verify-endpoint intercom=URL asks another region.
var intercom = &Verifier{
	Provider: "intercom",
	Rules:    []string{"intercom-access-token"},
	Endpoint: "https://api.intercom.io",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		h := withHeader(bearer(req.Secret), "Accept", "application/json")
		resp, err := call.Get(ctx, "/me", h)
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusUnauthorized {
			v := rejectedBy("Intercom", resp)
			v.Reason += " (asked the US region; an EU or AU workspace's token is refused there)"
			return v
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Intercom", resp)
		}
		var me struct {
			Type  string `json:"type"`
			ID    string `json:"id"`
			Email string `json:"email"`
			Name  string `json:"name"`
			App   struct {
				IDCode string `json:"id_code"`
				Name   string `json:"name"`
				Region string `json:"region"`
			} `json:"app"`
		}
		if err := decodeJSON(resp, &me); err != nil {
			return unknown("%v", err)
		}
		if me.ID == "" {
			return unknown("Intercom's answer names no admin")
		}
		v.Identity = firstOf(me.Email, me.Name, me.ID)
		v.Reaches = "Intercom workspace " + firstOf(me.App.Name, me.App.IDCode, "(unnamed)")
		if me.App.IDCode != "" && me.App.Name != "" {
			v.Reaches += " (" + me.App.IDCode + ")"
		}
		v.Reaches += ": its contacts and conversations"
		return v
	},
}
