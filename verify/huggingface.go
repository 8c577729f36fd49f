package verify

import (
	"context"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// Hugging Face: GET /api/whoami-v2 names the token's user, its
// organizations and the token's role (read, write, or fine-grained
// permissions).
var huggingFace = &Verifier{
	Provider: "huggingface",
	Rules:    []string{"huggingface-token"},
	Endpoint: "https://huggingface.co",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		resp, err := call.Get(ctx, "/api/whoami-v2", bearer(req.Secret))
		if err != nil {
			return failed(err)
		}
		if resp.Status == 401 {
			return rejectedBy("Hugging Face", resp)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Hugging Face", resp)
		}
		var who struct {
			Type string `json:"type"`
			Name string `json:"name"`
			Orgs []struct {
				Name string `json:"name"`
			} `json:"orgs"`
			Auth struct {
				AccessToken struct {
					DisplayName string `json:"displayName"`
					Role        string `json:"role"`
					FineGrained struct {
						Global []string `json:"global"`
						Scoped []struct {
							Entity struct {
								Type string `json:"type"`
								Name string `json:"name"`
							} `json:"entity"`
							Permissions []string `json:"permissions"`
						} `json:"scoped"`
					} `json:"fineGrained"`
				} `json:"accessToken"`
			} `json:"auth"`
		}
		if err := decodeJSON(resp, &who); err != nil {
			return unknown("%v", err)
		}
		if who.Name == "" {
			return unknown("Hugging Face's answer names no account")
		}
		tok := who.Auth.AccessToken
		v.Identity = who.Name
		if tok.Role != "" && tok.Role != "fineGrained" {
			v.Scopes = []string{tok.Role}
		}
		v.Scopes = append(v.Scopes, tok.FineGrained.Global...)
		for _, s := range tok.FineGrained.Scoped {
			for _, p := range s.Permissions {
				v.Scopes = append(v.Scopes, s.Entity.Type+" "+s.Entity.Name+": "+p)
			}
		}
		v.Reaches = "Hugging Face " + lowerOr(who.Type, "user") + " " + who.Name
		var orgs []string
		for _, o := range who.Orgs {
			orgs = append(orgs, o.Name)
		}
		if len(orgs) > 0 {
			v.Reaches += " (organizations " + strings.Join(orgs, ", ") + ")"
		}
		return v
	},
}
