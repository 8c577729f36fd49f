package verify

import (
	"context"
	"net/http"

	"github.com/leakhound/leakhound/finding"
)

// Mailgun: GET /v3/domains (Basic api:KEY) lists the account's sending
// domains. One account spans both regions, so its key authenticates at the
// US host; the domains listed are the US ones. 403 is Mailgun's "valid
// credentials, no access": a key that may send but not list (a domain
// sending key). The public validation key (pubkey-) is left out: the only
// calls it makes are metered validations.
var mailgun = &Verifier{
	Provider: "mailgun",
	Rules:    []string{"mailgun-api-key"},
	Endpoint: "https://api.mailgun.net",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		resp, err := call.Get(ctx, "/v3/domains?limit=1", basicAuth("api", req.Secret))
		if err != nil {
			return failed(err)
		}
		switch resp.Status {
		case http.StatusUnauthorized:
			return rejectedBy("Mailgun", resp)
		case http.StatusForbidden:
			return finding.Verification{Status: finding.Verified, Reaches: "Mailgun account (key without permission to list domains, e.g. a domain sending key)"}
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Mailgun", resp)
		}
		var body struct {
			TotalCount *int `json:"total_count"`
			Items      []struct {
				Name string `json:"name"`
			} `json:"items"`
		}
		if err := decodeJSON(resp, &body); err != nil {
			return unknown("%v", err)
		}
		if body.TotalCount == nil {
			return unknown("Mailgun's answer is not a list of domains")
		}
		v.Reaches = "Mailgun account with " + plural(*body.TotalCount, "US sending domain", "US sending domains")
		if len(body.Items) > 0 {
			v.Identity = body.Items[0].Name
			v.Reaches += " (" + body.Items[0].Name + ")"
		}
		v.Reaches += ": sends mail as them"
		return v
	},
}
