package verify

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// Brevo (Sendinblue): GET /v3/account names the account and its plan. An
// account may allow API calls only from listed IP addresses; Brevo then
// refuses with 401 and says so, which leaves the key's state unknown. SMTP
// keys (xsmtpsib-) are left out: they authenticate to the SMTP relay
// only.
var brevo = &Verifier{
	Provider: "brevo",
	Rules:    []string{"brevo-api-key"},
	Endpoint: "https://api.brevo.com/v3",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		h := withHeader(header("Api-Key", req.Secret), "Accept", "application/json")
		resp, err := call.Get(ctx, "/account", h)
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusUnauthorized {
			if m := providerMessage(resp); strings.Contains(strings.ToLower(m), "ip address") {
				return unknown("Brevo refused the call from this IP address (the account allows API calls from listed addresses only): %s", m)
			}
			return rejectedBy("Brevo", resp)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Brevo", resp)
		}
		var acct struct {
			Email       string `json:"email"`
			CompanyName string `json:"companyName"`
			Plan        []struct {
				Type string `json:"type"`
			} `json:"plan"`
		}
		if err := decodeJSON(resp, &acct); err != nil {
			return unknown("%v", err)
		}
		if acct.Email == "" {
			return unknown("Brevo's answer names no account")
		}
		v.Identity = acct.Email
		v.Reaches = "Brevo account " + firstOf(acct.CompanyName, acct.Email)
		if len(acct.Plan) > 0 && acct.Plan[0].Type != "" {
			v.Reaches += " (" + acct.Plan[0].Type + " plan)"
		}
		v.Reaches += ": contacts, campaigns, sends mail and SMS"
		return v
	},
}
