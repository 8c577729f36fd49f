package verify

import (
	"context"

	"github.com/leakhound/leakhound/finding"
)

// Perplexity: every other call of its API runs a (billed) model; listing
// the key's asynchronous requests (GET /async/chat/completions) is free
// and read-only, though it names no account.
var perplexity = &Verifier{
	Provider: "perplexity",
	Rules:    []string{"perplexity-api-key"},
	Endpoint: "https://api.perplexity.ai",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		resp, err := call.Get(ctx, "/async/chat/completions", bearer(req.Secret))
		if err != nil {
			return failed(err)
		}
		if resp.Status == 401 {
			return rejectedBy("Perplexity", resp)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Perplexity", resp)
		}
		var body map[string]any
		if err := decodeJSON(resp, &body); err != nil {
			return unknown("%v", err)
		}
		v.Reaches = "Perplexity API (billed to the key's account)"
		return v
	},
}
