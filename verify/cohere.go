package verify

import (
	"context"

	"github.com/leakhound/leakhound/finding"
)

// Cohere: POST /v1/check-api-key exists to say whether a key is valid and
// active, and names its organization and owner; it generates nothing.
var cohere = &Verifier{
	Provider: "cohere",
	Rules:    []string{"cohere-api-key"},
	Endpoint: "https://api.cohere.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		resp, err := call.Do(ctx, "POST", "/v1/check-api-key", bearer(req.Secret), nil)
		if err != nil {
			return failed(err)
		}
		if resp.Status == 401 {
			return rejectedBy("Cohere", resp)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Cohere", resp)
		}
		var body struct {
			Valid          *bool  `json:"valid"`
			OrganizationID string `json:"organization_id"`
			OwnerID        string `json:"owner_id"`
		}
		if err := decodeJSON(resp, &body); err != nil {
			return unknown("%v", err)
		}
		if body.Valid == nil {
			return unknown("Cohere's answer does not say whether the key is valid")
		}
		if !*body.Valid {
			return invalid("Cohere says the key is not valid or not active")
		}
		v.Identity = body.OwnerID
		v.Reaches = "Cohere API"
		if body.OrganizationID != "" {
			v.Reaches = "Cohere organization " + body.OrganizationID
		}
		return v
	},
}
