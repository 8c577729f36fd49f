package verify

import (
	"context"
	"fmt"

	"github.com/leakhound/leakhound/finding"
)

// GitLab: GET /api/v4/personal_access_tokens/self describes the token
// (scopes, expiry, owner id, revoked or not); /api/v4/user names its owner.
// Self-managed instances are reached with --verify-endpoint gitlab=URL.
var gitLab = &Verifier{
	Provider: "gitlab",
	Rules:    []string{"gitlab-pat"},
	Endpoint: "https://gitlab.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		h := header("PRIVATE-TOKEN", req.Secret)
		var tok struct {
			Name      string   `json:"name"`
			Scopes    []string `json:"scopes"`
			ExpiresAt string   `json:"expires_at"`
			Revoked   bool     `json:"revoked"`
			Active    bool     `json:"active"`
			UserID    int      `json:"user_id"`
		}
		v, _, ok := getJSON(ctx, call, "/api/v4/personal_access_tokens/self", h, false, &tok)
		if !ok {
			return v
		}
		if tok.Revoked || !tok.Active {
			return invalid("GitLab says the token is revoked or inactive")
		}
		v.Scopes = tok.Scopes
		v.Expires = parseTime(tok.ExpiresAt)
		v.Identity = fmt.Sprintf("user id %d", tok.UserID)
		// The owner's name is worth a second call; its failure changes
		// nothing about the token being live.
		if resp, err := call.Get(ctx, "/api/v4/user", h); err == nil && resp.Status == 200 {
			var user struct {
				Username string `json:"username"`
			}
			if decodeJSON(resp, &user) == nil && user.Username != "" {
				v.Identity = user.Username
			}
		}
		v.Reaches = fmt.Sprintf("GitLab account %s (token %q)", v.Identity, tok.Name)
		return v
	},
}
