package verify

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/leakhound/leakhound/finding"
)

// Google OAuth access tokens (ya29.): Google's tokeninfo endpoint says
// whether a token is still valid and, for a live one, its scopes, expiry
// and (with an email scope) the account. An expired or revoked token gets
// 400 invalid_token. Access tokens live an hour, so most leaked ones are
// dead; a live one is an account's data for that hour.
var googleOAuth = &Verifier{
	Provider: "googleoauth",
	Rules:    []string{"google-oauth-access-token"},
	Endpoint: "https://oauth2.googleapis.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		resp, err := call.Get(ctx, "/tokeninfo?access_token="+url.QueryEscape(req.Secret), nil)
		if err != nil {
			return failed(err)
		}
		if resp.Status == 400 {
			var e struct {
				Error string `json:"error"`
			}
			decodeJSON(resp, &e)
			if e.Error == "invalid_token" || e.Error == "invalid_request" {
				return invalid("Google: the token is expired or revoked (%s)", e.Error)
			}
			return unknown("Google: HTTP 400 %s", e.Error)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return v
		}
		var info struct {
			Scope     string `json:"scope"`
			Exp       string `json:"exp"`
			ExpiresIn string `json:"expires_in"`
			Email     string `json:"email"`
			Azp       string `json:"azp"`
		}
		if err := decodeJSON(resp, &info); err != nil {
			return unknown("%v", err)
		}
		v.Scopes = strings.Fields(info.Scope)
		if n, err := strconv.ParseInt(info.Exp, 10, 64); err == nil {
			v.Expires = time.Unix(n, 0).UTC()
		} else if n, err := strconv.Atoi(info.ExpiresIn); err == nil {
			v.Expires = time.Now().Add(time.Duration(n) * time.Second).UTC().Truncate(time.Second)
		}
		v.Identity = info.Email
		v.Reaches = "Google account"
		if info.Email != "" {
			v.Reaches += " " + info.Email
		}
		v.Reaches += " through OAuth client " + info.Azp + ", within its scopes, until it expires"
		return v
	},
}
