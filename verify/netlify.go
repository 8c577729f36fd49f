package verify

import (
	"context"

	"github.com/leakhound/leakhound/finding"
)

// Netlify: GET /api/v1/user names the owner of a personal access token;
// 401 is a rejected token.
var netlify = &Verifier{
	Provider: "netlify",
	Rules:    []string{"netlify-token"},
	Endpoint: "https://api.netlify.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		var user struct {
			Email    string `json:"email"`
			FullName string `json:"full_name"`
			ID       string `json:"id"`
		}
		v, _, ok := getJSON(ctx, call, "/api/v1/user", bearer(req.Secret), false, &user)
		if !ok {
			return v
		}
		v.Identity = user.Email
		if v.Identity == "" {
			v.Identity = user.ID
		}
		v.Reaches = "Netlify account " + v.Identity + ": its sites, deploys and environment variables"
		return v
	},
}
