package verify

import (
	"context"
	"net/http"

	"github.com/leakhound/leakhound/finding"
)

// Square: GET /v2/merchants/me reads the merchant a token acts for. 401
// (UNAUTHORIZED, ACCESS_TOKEN_EXPIRED, ACCESS_TOKEN_REVOKED) is a dead
// token; a sandbox token is refused by production too, and would say the
// same. 403 INSUFFICIENT_SCOPES is a live token without MERCHANT_PROFILE_READ.
// The OAuth application secret (sq0csp-) is left out: it works only with
// its application id, which no rule finds.
var square = &Verifier{
	Provider: "square",
	Rules:    []string{"square-access-token"},
	Endpoint: "https://connect.squareup.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		h := withHeader(bearer(req.Secret), "Accept", "application/json")
		resp, err := call.Get(ctx, "/v2/merchants/me", h)
		if err != nil {
			return failed(err)
		}
		var body struct {
			Errors []struct {
				Code string `json:"code"`
			} `json:"errors"`
			Merchant struct {
				ID           string `json:"id"`
				BusinessName string `json:"business_name"`
				Country      string `json:"country"`
				Status       string `json:"status"`
			} `json:"merchant"`
		}
		switch resp.Status {
		case http.StatusUnauthorized:
			return rejectedBy("Square", resp)
		case http.StatusForbidden:
			_ = decodeJSON(resp, &body)
			if len(body.Errors) > 0 && body.Errors[0].Code == "INSUFFICIENT_SCOPES" {
				return finding.Verification{Status: finding.Verified, Reaches: "Square merchant (token without MERCHANT_PROFILE_READ)"}
			}
			return unclear("Square", resp)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Square", resp)
		}
		if err := decodeJSON(resp, &body); err != nil {
			return unknown("%v", err)
		}
		m := body.Merchant
		if m.ID == "" {
			return unknown("Square's answer names no merchant")
		}
		v.Identity = m.ID
		v.Reaches = "Square merchant " + firstOf(m.BusinessName, m.ID)
		if m.Country != "" {
			v.Reaches += " (" + m.Country + ")"
		}
		v.Reaches += ": payments, customers, orders"
		return v
	},
}
