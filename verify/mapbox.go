package verify

import (
	"context"
	"net/http"
	"net/url"

	"github.com/leakhound/leakhound/finding"
)

// Mapbox: the Tokens API retrieves the token it is called with (GET
// /tokens/v2?access_token=), needs no scope, and says in "code" whether
// the token is valid, expired or revoked, with its user and scopes. The
// token goes in the query, as Mapbox wants; Call keeps queries out of
// errors.
var mapbox = &Verifier{
	Provider: "mapbox",
	Rules:    []string{"mapbox-secret-token", "mapbox-public-token", "mapbox-temporary-token"},
	Endpoint: "https://api.mapbox.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		resp, err := call.Get(ctx, "/tokens/v2?access_token="+url.QueryEscape(req.Secret), nil)
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusUnauthorized {
			return rejectedBy("Mapbox", resp)
		}
		if _, ok := byStatus(resp, false); !ok {
			return unclear("Mapbox", resp)
		}
		var body struct {
			Code  string `json:"code"`
			Token struct {
				Usage   string   `json:"usage"`
				User    string   `json:"user"`
				Scopes  []string `json:"scopes"`
				Expires string   `json:"expires"`
			} `json:"token"`
		}
		if err := decodeJSON(resp, &body); err != nil {
			return unknown("%v", err)
		}
		switch body.Code {
		case "TokenValid":
		case "TokenExpired", "TokenRevoked", "TokenInvalid", "TokenMalformed":
			return invalid("Mapbox: %s", body.Code)
		default:
			return unknown("Mapbox: unexpected token code %q", body.Code)
		}
		t := body.Token
		kind := map[string]string{"pk": "public", "sk": "secret", "tk": "temporary"}[t.Usage]
		return finding.Verification{Status: finding.Verified, Identity: t.User, Scopes: t.Scopes,
			Expires: parseTime(t.Expires),
			Reaches: "Mapbox account " + firstOf(t.User, "(unnamed)") + " (" + firstOf(kind, "unknown") + " token)"}
	},
}
