package verify

import (
	"context"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// npm: GET /-/whoami names the account any token (npm_ classic or
// granular, read-only or publish, or a legacy UUID) belongs to; the
// registry says 401 to a revoked or unknown one. An .npmrc line is asked
// about only when it sets the _authToken of registry.npmjs.org (the rule's
// named groups say which): sending another registry's token, or a
// password, to npmjs.org would leak it.
var npm = &Verifier{
	Provider: "npm",
	Rules:    []string{"npm-access-token", "npmrc-auth"},
	Endpoint: "https://registry.npmjs.org",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		if req.RuleID == "npmrc-auth" {
			if reg := strings.ToLower(req.Groups["registry"]); reg != "registry.npmjs.org" {
				return unknown("the .npmrc line is for registry %q, not npmjs.org, so it is not sent there", lowerOr(reg, "(none)"))
			}
			if req.Groups["field"] != "authToken" {
				return unknown("the .npmrc line sets %s, not a token", req.Groups["field"])
			}
		}
		resp, err := call.Get(ctx, "/-/whoami", bearer(req.Secret))
		if err != nil {
			return failed(err)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return v
		}
		var who struct {
			Username string `json:"username"`
		}
		if err := decodeJSON(resp, &who); err != nil || who.Username == "" {
			return unknown("answer is not the JSON expected (HTTP %d)", resp.Status)
		}
		v.Identity = who.Username
		v.Reaches = "npm account " + who.Username + " and the packages it may publish"
		return v
	},
}
