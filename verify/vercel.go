package verify

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/leakhound/leakhound/finding"
)

// Vercel: GET /v5/user/tokens/current describes the token itself (its
// name, kind, the user or teams it is scoped to, its expiry); GET /v2/user
// names its user. Vercel answers 403 with invalidToken set for a token it
// does not know, and 403 without it for one that may not make the call.
var vercel = &Verifier{
	Provider: "vercel",
	Rules:    []string{"vercel-token", "vercel-personal-access-token", "vercel-integration-token", "vercel-app-access-token"},
	Endpoint: "https://api.vercel.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		resp, err := call.Get(ctx, "/v5/user/tokens/current", bearer(req.Secret))
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusForbidden {
			var e struct {
				Error struct {
					Code         string `json:"code"`
					InvalidToken bool   `json:"invalidToken"`
				} `json:"error"`
			}
			decodeJSON(resp, &e)
			if e.Error.InvalidToken {
				return invalid("Vercel: the token is not valid")
			}
			return finding.Verification{Status: finding.Verified, Reaches: "Vercel account (token may not read its own metadata)"}
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return v
		}
		var body struct {
			Token struct {
				Name      string `json:"name"`
				Type      string `json:"type"`
				ExpiresAt int64  `json:"expiresAt"`
				Scopes    []struct {
					Type   string `json:"type"`
					TeamID string `json:"teamId"`
				} `json:"scopes"`
			} `json:"token"`
		}
		if err := decodeJSON(resp, &body); err != nil {
			return unknown("%v", err)
		}
		tok := body.Token
		var teams []string
		for _, s := range tok.Scopes {
			scope := s.Type
			if s.TeamID != "" {
				scope += ":" + s.TeamID
				teams = append(teams, s.TeamID)
			}
			v.Scopes = append(v.Scopes, scope)
		}
		if tok.ExpiresAt > 0 {
			v.Expires = time.UnixMilli(tok.ExpiresAt).UTC()
		}
		// The user's name is worth a second call; its failure changes
		// nothing about the token being live.
		if resp, err := call.Get(ctx, "/v2/user", bearer(req.Secret)); err == nil && resp.Status == http.StatusOK {
			var u struct {
				User struct {
					Username string `json:"username"`
					Email    string `json:"email"`
				} `json:"user"`
			}
			if decodeJSON(resp, &u) == nil {
				v.Identity = u.User.Username
			}
		}
		v.Reaches = "Vercel account"
		if v.Identity != "" {
			v.Reaches += " " + v.Identity
		}
		if len(teams) > 0 {
			v.Reaches += ", teams " + strings.Join(teams, ", ")
		}
		v.Reaches += fmt.Sprintf(": projects, deployments and environment variables (token %q)", tok.Name)
		return v
	},
}
