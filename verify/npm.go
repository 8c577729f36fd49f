package verify

import (
	"context"

	"github.com/leakhound/leakhound/finding"
)

// npm: GET /-/whoami names the account any npm_ token (classic or
// granular, read-only or publish) belongs to; the registry says 401 to a
// revoked or unknown one. Tokens in an .npmrc may be for another registry,
// so only the npm_ rule is verified here: sending a private registry's
// token to npmjs.org would leak it.
var npm = &Verifier{
	Provider: "npm",
	Rules:    []string{"npm-access-token"},
	Endpoint: "https://registry.npmjs.org",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
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
