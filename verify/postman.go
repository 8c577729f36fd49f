package verify

import (
	"context"
	"net/http"

	"github.com/leakhound/leakhound/finding"
)

// Postman: GET /me names the key's user and team. Collection access keys
// (PMAT-) are left out: they open one collection, whose id no rule finds.
var postman = &Verifier{
	Provider: "postman",
	Rules:    []string{"postman-api-key"},
	Endpoint: "https://api.getpostman.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		resp, err := call.Get(ctx, "/me", header("X-Api-Key", req.Secret))
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusUnauthorized {
			return rejectedBy("Postman", resp)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Postman", resp)
		}
		var me struct {
			User struct {
				ID         int64  `json:"id"`
				Username   string `json:"username"`
				Email      string `json:"email"`
				TeamName   string `json:"teamName"`
				TeamDomain string `json:"teamDomain"`
			} `json:"user"`
		}
		if err := decodeJSON(resp, &me); err != nil {
			return unknown("%v", err)
		}
		u := me.User
		if u.ID == 0 && u.Username == "" {
			return unknown("Postman's answer names no user")
		}
		v.Identity = firstOf(u.Email, u.Username)
		v.Reaches = "Postman user " + firstOf(u.Username, u.Email)
		if u.TeamName != "" {
			v.Reaches += " of team " + u.TeamName
		}
		v.Reaches += " (workspaces, collections and their environment secrets)"
		return v
	},
}
