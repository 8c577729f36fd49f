package verify

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// Pulumi: GET /api/user names the user (or the organization or team a
// token stands for) and the organizations it belongs to; 401 is a
// rejected token.
var pulumi = &Verifier{
	Provider: "pulumi",
	Rules:    []string{"pulumi-access-token"},
	Endpoint: "https://api.pulumi.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		h := http.Header{"Authorization": {"token " + req.Secret}, "Accept": {"application/vnd.pulumi+8"}}
		var user struct {
			GithubLogin   string `json:"githubLogin"`
			Name          string `json:"name"`
			Email         string `json:"email"`
			Organizations []struct {
				GithubLogin string `json:"githubLogin"`
			} `json:"organizations"`
		}
		v, _, ok := getJSON(ctx, call, "/api/user", h, false, &user)
		if !ok {
			return v
		}
		v.Identity = user.GithubLogin
		if v.Identity == "" {
			v.Identity = user.Name
		}
		v.Reaches = "Pulumi Cloud user " + v.Identity
		var orgs []string
		for _, o := range user.Organizations {
			orgs = append(orgs, o.GithubLogin)
		}
		if len(orgs) > 0 {
			v.Reaches += ", organizations " + strings.Join(orgs, ", ") + ": stacks, state and their secrets"
		}
		return v
	},
}
