package verify

import (
	"context"
	"net/http"

	"github.com/leakhound/leakhound/finding"
)

// GitHub: GET /user answers for personal, OAuth and app user tokens, with
// the token's classic scopes in X-OAuth-Scopes and its expiry in
// GitHub-Authentication-Token-Expiration; an installation token can't
// read /user, but can list its installation's repositories.
var gitHub = &Verifier{
	Provider: "github",
	Rules:    []string{"github-pat", "github-oauth-token", "github-app-user-token", "github-fine-grained-pat", "github-app-installation-token"},
	Endpoint: "https://api.github.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		h := http.Header{"Authorization": {"token " + req.Secret}, "Accept": {"application/vnd.github+json"}, "X-GitHub-Api-Version": {"2022-11-28"}}
		if req.RuleID == "github-app-installation-token" {
			var body struct {
				Total int `json:"total_count"`
			}
			v, resp, ok := getJSON(ctx, call, "/installation/repositories?per_page=1", h, false, &body)
			if !ok {
				return v
			}
			v.Identity = "GitHub App installation"
			v.Reaches = plural(body.Total, "repository", "repositories") + " of the installation"
			v.Expires = parseTime(resp.Header.Get("GitHub-Authentication-Token-Expiration"), "2006-01-02 15:04:05 MST")
			return v
		}
		var user struct {
			Login string `json:"login"`
			Type  string `json:"type"`
		}
		v, resp, ok := getJSON(ctx, call, "/user", h, false, &user)
		if !ok {
			return v
		}
		v.Identity = user.Login
		v.Reaches = "GitHub " + lowerOr(user.Type, "user") + " " + user.Login
		v.Scopes = splitList(resp.Header.Get("X-OAuth-Scopes"))
		v.Expires = parseTime(resp.Header.Get("GitHub-Authentication-Token-Expiration"), "2006-01-02 15:04:05 MST", "2006-01-02 15:04:05 -0700")
		return v
	},
}
