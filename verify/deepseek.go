package verify

import (
	"context"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// DeepSeek: GET /user/balance is read-only and says what the key can
// spend.
var deepSeek = &Verifier{
	Provider: "deepseek",
	Rules:    []string{"deepseek-api-key"},
	Endpoint: "https://api.deepseek.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		resp, err := call.Get(ctx, "/user/balance", bearer(req.Secret))
		if err != nil {
			return failed(err)
		}
		if resp.Status == 401 {
			return rejectedBy("DeepSeek", resp)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("DeepSeek", resp)
		}
		var bal struct {
			IsAvailable *bool `json:"is_available"`
			Balances    []struct {
				Currency string `json:"currency"`
				Total    string `json:"total_balance"`
			} `json:"balance_infos"`
		}
		if err := decodeJSON(resp, &bal); err != nil {
			return unknown("%v", err)
		}
		if bal.IsAvailable == nil {
			return unknown("DeepSeek's answer has no balance")
		}
		var parts []string
		for _, b := range bal.Balances {
			parts = append(parts, b.Total+" "+b.Currency)
		}
		v.Reaches = "DeepSeek account"
		if len(parts) > 0 {
			v.Reaches += ", balance " + strings.Join(parts, ", ")
		}
		if !*bal.IsAvailable {
			v.Reaches += " (balance too low to make calls)"
		}
		return v
	},
}
