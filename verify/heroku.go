package verify

import (
	"context"
	"net/http"

	"github.com/leakhound/leakhound/finding"
)

// Heroku: GET /account (Platform API v3) names the account of an API key
// or OAuth token, HRKU- and legacy UUID alike; 401 is a rejected key.
var heroku = &Verifier{
	Provider: "heroku",
	Rules:    []string{"heroku-api-key"},
	Endpoint: "https://api.heroku.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		h := http.Header{"Authorization": {"Bearer " + req.Secret}, "Accept": {"application/vnd.heroku+json; version=3"}}
		var acct struct {
			Email string `json:"email"`
			ID    string `json:"id"`
		}
		v, _, ok := getJSON(ctx, call, "/account", h, false, &acct)
		if !ok {
			return v
		}
		v.Identity = acct.Email
		if v.Identity == "" {
			v.Identity = acct.ID
		}
		v.Reaches = "Heroku account " + v.Identity + " and its apps"
		return v
	},
}
