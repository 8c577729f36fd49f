package verify

import (
	"context"
	"encoding/base64"
	"net/http"

	"github.com/leakhound/leakhound/finding"
)

// Bitbucket: an app password authenticates only with its user name, which
// the rule reads from a clone URL (the user name before the password).
// GET /2.0/user names the account; 401 is a rejected pair; 403 is a pair
// that authenticated but may not read the account, so it is live.
var bitbucket = &Verifier{
	Provider: "bitbucket",
	Rules:    []string{"bitbucket-app-password"},
	Endpoint: "https://api.bitbucket.org",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		user := req.Groups["username"]
		if user == "" {
			return unknown("a Bitbucket app password is checked with its user name, which was not found beside it")
		}
		h := http.Header{
			"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+req.Secret))},
			"Accept":        {"application/json"},
		}
		resp, err := call.Get(ctx, "/2.0/user", h)
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusForbidden {
			return finding.Verification{Status: finding.Verified, Identity: user, Reaches: "Bitbucket user " + user + " (app password without account read)"}
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return v
		}
		var u struct {
			Username    string `json:"username"`
			DisplayName string `json:"display_name"`
		}
		if err := decodeJSON(resp, &u); err != nil {
			return unknown("%v", err)
		}
		v.Identity = u.Username
		if v.Identity == "" {
			v.Identity = user
		}
		v.Scopes = splitList(resp.Header.Get("X-OAuth-Scopes"))
		v.Reaches = "Bitbucket user " + v.Identity + ": its workspaces and repositories, as the app password's permissions allow"
		return v
	},
}
