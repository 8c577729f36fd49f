package verify

import (
	"context"
	"net/http"

	"github.com/leakhound/leakhound/finding"
)

// Stripe: GET /v1/balance is the cheapest read a secret or restricted key
// can make. A restricted key without that permission gets 403 with a
// permission error: the key is live, its scope narrower.
var stripe = &Verifier{
	Provider: "stripe",
	Rules:    []string{"stripe-live-secret-key", "stripe-test-secret-key"},
	Endpoint: "https://api.stripe.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		h := http.Header{"Authorization": {"Bearer " + req.Secret}}
		resp, err := call.Get(ctx, "/v1/balance", h)
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusForbidden {
			return finding.Verification{Status: finding.Verified, Reaches: "Stripe account (restricted key without balance read)"}
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return v
		}
		var bal struct {
			Livemode bool `json:"livemode"`
		}
		if err := decodeJSON(resp, &bal); err != nil {
			return unknown("%v", err)
		}
		v.Reaches = "Stripe account, test mode"
		if bal.Livemode {
			v.Reaches = "Stripe account, live mode: payments, payouts and customer data"
		}
		return v
	},
}
