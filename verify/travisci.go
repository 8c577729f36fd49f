package verify

import (
	"context"
	"net/http"

	"github.com/leakhound/leakhound/finding"
)

// Travis CI: GET /user (API v3) names the user of an API token. Travis
// answers 403 with error_type login_required or access_denied to a token
// it does not know; travis-ci.org is shut down, so only .com is asked.
var travisCI = &Verifier{
	Provider: "travisci",
	Rules:    []string{"travis-ci-token"},
	Endpoint: "https://api.travis-ci.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		h := http.Header{"Authorization": {"token " + req.Secret}, "Travis-API-Version": {"3"}}
		resp, err := call.Get(ctx, "/user", h)
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusForbidden {
			var e struct {
				Type string `json:"error_type"`
			}
			decodeJSON(resp, &e)
			switch e.Type {
			case "login_required", "access_denied":
				return invalid("Travis CI: %s", e.Type)
			}
			return unknown("unexpected answer: HTTP 403 %s", e.Type)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return v
		}
		var user struct {
			Login string `json:"login"`
			Name  string `json:"name"`
		}
		if err := decodeJSON(resp, &user); err != nil {
			return unknown("%v", err)
		}
		v.Identity = user.Login
		v.Reaches = "Travis CI user " + user.Login + ": builds and settings of its repositories"
		return v
	},
}
