package verify

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// Shopify: an Admin API token answers only at its shop's host
// (SHOP.myshopify.com), so the shop is the {tenant}: the rule's "shop"
// group, captured when the token is the password of a shop URL (user
// the API key, host SHOP.myshopify.com). Without it the answer is
// Unknown, unless the user named the shop (--verify-endpoint
// shopify=https://SHOP.myshopify.com). GET
// /admin/oauth/access_scopes.json lists the token's scopes. Shared secrets
// (shpss_) sign webhooks and OAuth exchanges and call nothing.
var shopify = &Verifier{
	Provider: "shopify",
	Rules:    []string{"shopify-token"},
	Endpoint: "https://{tenant}.myshopify.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		if strings.HasPrefix(req.Secret, "shpss_") {
			return unknown("a Shopify app's shared secret signs webhooks and OAuth requests; it is not an API token")
		}
		shop := req.Groups["shop"]
		shopCall, err := call.Tenant(shop)
		if err != nil {
			if shop == "" {
				return unknown("no shop found with the token (SHOP.myshopify.com); name it with --verify-endpoint shopify=https://SHOP.myshopify.com")
			}
			return unknown("shop %v", err)
		}
		resp, err := shopCall.Get(ctx, "/admin/oauth/access_scopes.json", header("X-Shopify-Access-Token", req.Secret))
		if err != nil {
			return failed(err)
		}
		switch resp.Status {
		case http.StatusUnauthorized:
			return rejectedBy("Shopify", resp)
		case http.StatusNotFound:
			return unknown("Shopify has no shop %q (HTTP 404)", shop)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Shopify", resp)
		}
		var body struct {
			Scopes []struct {
				Handle string `json:"handle"`
			} `json:"access_scopes"`
		}
		if err := decodeJSON(resp, &body); err != nil {
			return unknown("%v", err)
		}
		if body.Scopes == nil {
			return unknown("Shopify's answer lists no scopes")
		}
		for _, s := range body.Scopes {
			v.Scopes = append(v.Scopes, s.Handle)
		}
		v.Identity = shop
		v.Reaches = "Shopify shop at the endpoint set"
		if shop != "" {
			v.Reaches = "Shopify shop " + shop + ".myshopify.com"
		}
		return v
	},
}
