package verify

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// DigitalOcean: GET /v2/account names the account and team of a personal
// access (dop_v1_) or OAuth (doo_v1_) token. A custom-scoped token without
// account:read gets 403: it authenticated, so it is live. A refresh token
// (dor_v1_) is checked only by exchanging it, which would replace the
// owner's token, so it is not asked about.
var digitalOcean = &Verifier{
	Provider: "digitalocean",
	Rules:    []string{"digitalocean-token"},
	Endpoint: "https://api.digitalocean.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		if strings.HasPrefix(req.Secret, "dor_v1_") {
			return unknown("a DigitalOcean refresh token can be checked only by exchanging it, which would revoke the owner's copy")
		}
		resp, err := call.Get(ctx, "/v2/account", bearer(req.Secret))
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusForbidden {
			return finding.Verification{Status: finding.Verified, Reaches: "DigitalOcean team (scoped token without account:read)"}
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return v
		}
		var body struct {
			Account struct {
				Email  string `json:"email"`
				UUID   string `json:"uuid"`
				Status string `json:"status"`
				Team   struct {
					Name string `json:"name"`
				} `json:"team"`
			} `json:"account"`
		}
		if err := decodeJSON(resp, &body); err != nil {
			return unknown("%v", err)
		}
		a := body.Account
		v.Identity = a.Email
		if v.Identity == "" {
			v.Identity = a.UUID
		}
		v.Reaches = "DigitalOcean account " + v.Identity
		if a.Team.Name != "" {
			v.Reaches = "DigitalOcean team " + a.Team.Name + " as " + v.Identity
		}
		if a.Status != "" && a.Status != "active" {
			v.Reaches += " (account " + a.Status + ")"
		}
		return v
	},
}
