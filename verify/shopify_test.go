package verify

import (
	"context"
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

func TestShopify(t *testing.T) {
	t.Parallel()
	tok := func(kind string) string { return kind + "_" + synth(alphaHex, 32) }
	live, private, dead, busy := tok("shpat"), tok("shppa"), tok("shpat"), tok("shpat")
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/admin/oauth/access_scopes.json")
		switch r.Header.Get("X-Shopify-Access-Token") {
		case live, private:
			writeAnswer(w, 200, `{"access_scopes":[{"handle":"read_products"},{"handle":"write_orders"}]}`)
		case busy:
			writeAnswer(w, 429, `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`)
		}
	})
	shop := map[string]string{"shop": "acme-outlet"}
	runProviderCases(t, shopify, p.URL, []providerCase{
		{name: "live", rule: "shopify-token", secret: live, groups: shop, want: liveAs("acme-outlet", "Shopify shop acme-outlet.myshopify.com", "read_products", "write_orders")},
		{name: "private app password", rule: "shopify-token", secret: private, groups: shop, want: liveAs("acme-outlet", "Shopify shop acme-outlet.myshopify.com", "read_products", "write_orders")},
		// The user set the endpoint (here the fake) to their shop.
		{name: "shop from the endpoint", rule: "shopify-token", secret: live, want: liveAs("", "Shopify shop at the endpoint set", "read_products", "write_orders")},
		{name: "revoked", rule: "shopify-token", secret: dead, groups: shop, want: invalidBecause("Invalid API key or access token")},
		{name: "shared secret", rule: "shopify-token", secret: tok("shpss"), groups: shop, want: unknownBecause("not an API token")},
		{name: "rate limited", rule: "shopify-token", secret: busy, groups: shop, want: unknownBecause("rate limited")},
	})
}

// TestShopifyShop: the built-in rule captures the shop of a token written
// as a shop URL's password, and the verifier asks that shop's host only;
// without a shop (and without an endpoint override) nothing is sent.
func TestShopifyShop(t *testing.T) {
	t.Parallel()
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := detectors.New(&rules.Config{Rules: []rules.Rule{*cfg.Rule("shopify-token")}})
	if err != nil {
		t.Fatal(err)
	}
	token := "shppa_" + synth(alphaHex, 32)
	line := "SHOP_URL=https://" + synth(alphaHex, 32) + ":" + token + "@Acme-Outlet.myshopify.com/admin/api/2024-01/orders.json\n"
	fs := eng.Detect(finding.Chunk{Origin: finding.Origin{Path: "config/app.env"}, Data: []byte(line)})
	if len(fs) != 1 || fs[0].Secret != token || fs[0].Groups["shop"] != "Acme-Outlet" {
		t.Fatalf("findings %+v", fs)
	}

	c, err := newCallers([]*Verifier{shopify}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := c["shopify"].call(token).Tenant(fs[0].Groups["shop"])
	if err != nil {
		t.Fatal(err)
	}
	if u, err := sc.resolve("/admin/oauth/access_scopes.json"); err != nil || u.String() != "https://acme-outlet.myshopify.com/admin/oauth/access_scopes.json" {
		t.Errorf("%v %v", u, err)
	}

	alone := []finding.Finding{mkFinding("shopify-token", token)}
	if _, err := Run(context.Background(), alone, Options{Verifiers: []*Verifier{shopify}}); err != nil {
		t.Fatal(err)
	}
	if got := alone[0].Verification; got.Status != finding.Unknown || got.Reason == "" {
		t.Errorf("token without a shop: %+v", got)
	}
}
