package verify

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// Asana: GET /users/me names the token's user and its workspaces.
var asana = &Verifier{
	Provider: "asana",
	Rules:    []string{"asana-pat"},
	Endpoint: "https://app.asana.com/api/1.0",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		resp, err := call.Get(ctx, "/users/me", bearer(req.Secret))
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusUnauthorized {
			return rejectedBy("Asana", resp)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Asana", resp)
		}
		var me struct {
			Data struct {
				GID        string `json:"gid"`
				Name       string `json:"name"`
				Email      string `json:"email"`
				Workspaces []struct {
					Name string `json:"name"`
				} `json:"workspaces"`
			} `json:"data"`
		}
		if err := decodeJSON(resp, &me); err != nil {
			return unknown("%v", err)
		}
		d := me.Data
		if d.GID == "" {
			return unknown("Asana's answer names no user")
		}
		v.Identity = firstOf(d.Email, d.Name, d.GID)
		var ws []string
		for _, w := range d.Workspaces {
			ws = append(ws, w.Name)
		}
		v.Reaches = "Asana user " + v.Identity
		if len(ws) > 0 {
			v.Reaches += " in " + plural(len(ws), "workspace", "workspaces") + " (" + strings.Join(ws, ", ") + ")"
		}
		return v
	},
}
