package verify

import (
	"context"

	"github.com/leakhound/leakhound/finding"
)

// Doppler: GET /v3/me describes any Doppler token (personal, CLI,
// service, service account): its type, name and workplace. 401 is a
// rejected token.
var doppler = &Verifier{
	Provider: "doppler",
	Rules:    []string{"doppler-token"},
	Endpoint: "https://api.doppler.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		var me struct {
			Name      string `json:"name"`
			Type      string `json:"type"`
			Workplace struct {
				Name string `json:"name"`
				Slug string `json:"slug"`
			} `json:"workplace"`
		}
		v, _, ok := getJSON(ctx, call, "/v3/me", bearer(req.Secret), false, &me)
		if !ok {
			return v
		}
		v.Identity = me.Name
		kind := me.Type
		if kind == "" {
			kind = "token"
		}
		v.Reaches = "Doppler workplace " + me.Workplace.Name + " (" + kind + "): its secrets"
		return v
	},
}
