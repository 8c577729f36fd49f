package verify

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// Fly.io: GET /v1/apps?org_slug=personal (Machines API) lists the apps of
// the personal organization. 401 is a rejected token; 403 is a valid
// token without access to that organization (an organization or deploy
// token), so it is live too. A macaroon token (FlyV1 fm2_...) carries its
// own scheme; an older fo1_ token is a bearer token.
var flyIO = &Verifier{
	Provider: "flyio",
	Rules:    []string{"flyio-token"},
	Endpoint: "https://api.machines.dev",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		auth := "Bearer " + req.Secret
		if strings.HasPrefix(req.Secret, "FlyV1 ") {
			auth = req.Secret
		}
		resp, err := call.Get(ctx, "/v1/apps?org_slug=personal", http.Header{"Authorization": {auth}, "Accept": {"application/json"}})
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusForbidden {
			return finding.Verification{Status: finding.Verified, Reaches: "Fly.io organization or app (token without access to the personal organization)"}
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return v
		}
		var body struct {
			TotalApps int `json:"total_apps"`
			Apps      []struct {
				Name string `json:"name"`
			} `json:"apps"`
		}
		if err := decodeJSON(resp, &body); err != nil {
			return unknown("%v", err)
		}
		n := max(body.TotalApps, len(body.Apps))
		v.Reaches = "Fly.io personal organization with " + plural(n, "app", "apps") + ": machines, secrets and deploys"
		return v
	},
}
