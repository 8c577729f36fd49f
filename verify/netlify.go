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
		resp, err := call.Get(ctx, "/api/v1/user", bearer(req.Secret))
		if err != nil {
			return failed(err)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return v
		}
		var user struct {
			Email    string `json:"email"`
			FullName string `json:"full_name"`
			ID       string `json:"id"`
		}
		if err := decodeJSON(resp, &user); err != nil {
			return unknown("%v", err)
		}
		v.Identity = user.Email
		if v.Identity == "" {
			v.Identity = user.ID
		}
		v.Reaches = "Netlify account " + v.Identity + ": its sites, deploys and environment variables"
		return v
	},
}
