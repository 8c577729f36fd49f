package verify

import (
	"context"
	"net/http"
	"regexp"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// Cloudflare: GET /user/tokens/verify describes a user API token (its
// status and expiry). An account-owned token is not known there, so a
// token it rejects is asked to list its accounts (GET /accounts, which any
// valid token may call) and verified at /accounts/{id}/tokens/verify. A
// global API key (37 hex) works only with its account's email, which no
// rule finds, so it is not asked about.
var cloudflare = &Verifier{
	Provider: "cloudflare",
	Rules:    []string{"cloudflare-api-token"},
	Endpoint: "https://api.cloudflare.com/client/v4",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		if cloudflareGlobalKey.MatchString(req.Secret) {
			return unknown("a Cloudflare global API key is checked only with its account's email, which was not found")
		}
		h := bearer(req.Secret)
		v, rejected := cloudflareVerify(ctx, call, "/user/tokens/verify", h)
		if rejected {
			// Perhaps an account-owned token.
			accounts, av := cloudflareAccounts(ctx, call, h)
			if av.Status != finding.Verified {
				return av
			}
			if len(accounts) == 0 {
				return unknown("Cloudflare: the user endpoint rejected the token and it lists no account")
			}
			v, _ = cloudflareVerify(ctx, call, "/accounts/"+accounts[0].ID+"/tokens/verify", h)
			if v.Status == finding.Verified {
				v.Reaches = "Cloudflare account " + accounts[0].Name + " (account-owned token)"
				v.Identity = accounts[0].Name
			}
			return v
		}
		if v.Status != finding.Verified {
			return v
		}
		v.Reaches = "Cloudflare (user token)"
		if accounts, av := cloudflareAccounts(ctx, call, h); av.Status == finding.Verified && len(accounts) > 0 {
			var names []string
			for _, a := range accounts {
				names = append(names, a.Name)
			}
			v.Identity = names[0]
			v.Reaches = "Cloudflare accounts " + strings.Join(names, ", ") + " (user token)"
		}
		return v
	},
}

var (
	cloudflareGlobalKey = regexp.MustCompile(`^[a-f0-9]{37}$`)
	cloudflareAccountID = regexp.MustCompile(`^[a-f0-9]{32}$`)
)

// cloudflareErrors is Cloudflare's error envelope.
type cloudflareErrors struct {
	Success bool `json:"success"`
	Errors  []struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (e cloudflareErrors) String() string {
	var out []string
	for _, x := range e.Errors {
		out = append(out, x.Message)
	}
	return strings.Join(out, "; ")
}

// cloudflareVerify asks a tokens/verify endpoint: a token that is not
// active (disabled, expired) is as dead as an unknown one. rejected says
// the endpoint did not know the token at all (401 or 403).
func cloudflareVerify(ctx context.Context, call *Call, path string, h http.Header) (v finding.Verification, rejected bool) {
	resp, err := call.Get(ctx, path, h)
	if err != nil {
		return failed(err), false
	}
	v, ok := byStatus(resp, true)
	if !ok {
		var e cloudflareErrors
		if v.Status == finding.Invalid && decodeJSON(resp, &e) == nil && len(e.Errors) > 0 {
			v.Reason = "Cloudflare: " + e.String()
		}
		return v, v.Status == finding.Invalid
	}
	var body struct {
		Result struct {
			ID        string `json:"id"`
			Status    string `json:"status"`
			ExpiresOn string `json:"expires_on"`
		} `json:"result"`
	}
	if err := decodeJSON(resp, &body); err != nil {
		return unknown("%v", err), false
	}
	if body.Result.Status != "active" {
		return invalid("Cloudflare says the token is %s", lowerOr(body.Result.Status, "not active")), false
	}
	v.Expires = parseTime(body.Result.ExpiresOn)
	return v, false
}

type cloudflareAccount struct{ ID, Name string }

// cloudflareAccounts lists the accounts a token reaches (a few).
func cloudflareAccounts(ctx context.Context, call *Call, h http.Header) ([]cloudflareAccount, finding.Verification) {
	resp, err := call.Get(ctx, "/accounts?per_page=5", h)
	if err != nil {
		return nil, failed(err)
	}
	v, ok := byStatus(resp, true)
	if !ok {
		return nil, v
	}
	var body struct {
		Result []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"result"`
	}
	if err := decodeJSON(resp, &body); err != nil {
		return nil, unknown("%v", err)
	}
	var out []cloudflareAccount
	for _, a := range body.Result {
		// The id goes into a path: take only what Cloudflare ids look like.
		if cloudflareAccountID.MatchString(a.ID) {
			out = append(out, cloudflareAccount{a.ID, a.Name})
		}
	}
	return out, v
}
