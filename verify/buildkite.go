package verify

import (
	"context"
	"fmt"

	"github.com/leakhound/leakhound/finding"
)

// Buildkite: GET /v2/access-token describes the API access token itself:
// its scopes and the user it belongs to; 401 is a rejected token. Agent
// tokens are not asked about: the agent API's calls register or ping an
// agent, which changes the owner's fleet.
var buildkite = &Verifier{
	Provider: "buildkite",
	Rules:    []string{"buildkite-token"},
	Endpoint: "https://api.buildkite.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		var tok struct {
			Scopes      []string `json:"scopes"`
			Description string   `json:"description"`
			User        struct {
				Name  string `json:"name"`
				Email string `json:"email"`
			} `json:"user"`
		}
		v, _, ok := getJSON(ctx, call, "/v2/access-token", bearer(req.Secret), false, &tok)
		if !ok {
			return v
		}
		v.Identity = tok.User.Email
		if v.Identity == "" {
			v.Identity = tok.User.Name
		}
		v.Scopes = tok.Scopes
		v.Reaches = "Buildkite organizations of " + v.Identity
		if tok.Description != "" {
			v.Reaches += fmt.Sprintf(" (token %q)", tok.Description)
		}
		return v
	},
}
