package verify

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// Mailchimp: a key ends in its data center ("-us21"), which is also the
// API host's first label (us21.api.mailchimp.com): the {tenant}. The API
// root (GET /3.0/) names the account. 401 is a bad key (or another data
// center's); 403 "User Disabled" a disabled account.
var mailchimp = &Verifier{
	Provider: "mailchimp",
	Rules:    []string{"mailchimp-api-key"},
	Endpoint: "https://{tenant}.api.mailchimp.com/3.0",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		dc := mailchimpDataCenter(req.Secret)
		dcCall, err := call.Tenant(dc)
		if err != nil {
			return unknown("no Mailchimp data center in the key: %v", err)
		}
		resp, err := dcCall.Get(ctx, "/", basicAuth("leakhound", req.Secret))
		if err != nil {
			return failed(err)
		}
		switch resp.Status {
		case http.StatusUnauthorized:
			return rejectedBy("Mailchimp", resp)
		case http.StatusForbidden:
			if strings.Contains(strings.ToLower(providerMessage(resp)), "disabled") {
				return rejectedBy("Mailchimp", resp)
			}
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Mailchimp", resp)
		}
		var acct struct {
			AccountID   string `json:"account_id"`
			AccountName string `json:"account_name"`
			LoginID     string `json:"login_id"`
			Username    string `json:"username"`
			Email       string `json:"email"`
			Subscribers int    `json:"total_subscribers"`
		}
		if err := decodeJSON(resp, &acct); err != nil {
			return unknown("%v", err)
		}
		if acct.AccountID == "" {
			return unknown("Mailchimp's answer names no account")
		}
		v.Identity = firstOf(acct.Username, acct.Email, acct.LoginID)
		v.Reaches = "Mailchimp account " + strconv.Quote(firstOf(acct.AccountName, acct.AccountID)) +
			" (" + plural(acct.Subscribers, "subscriber", "subscribers") + ", data center " + dc + ")"
		return v
	},
}

// mailchimpDataCenter is what follows a key's last '-' ("us21"), or "".
func mailchimpDataCenter(key string) string {
	i := strings.LastIndexByte(key, '-')
	if i < 0 {
		return ""
	}
	return key[i+1:]
}
