package verify

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// Anthropic: an API key lists models (GET /v1/models, free); an Admin API
// key (sk-ant-admin01-) reads its organization (GET
// /v1/organizations/me), which names it. 401 authentication_error is a
// dead key; 403 permission_error a live key that may not make the call.
var anthropic = &Verifier{
	Provider: "anthropic",
	Rules:    []string{"anthropic-api-key"},
	Endpoint: "https://api.anthropic.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		h := http.Header{"X-Api-Key": {req.Secret}, "Anthropic-Version": {"2023-06-01"}}
		admin := strings.HasPrefix(req.Secret, "sk-ant-admin")
		path, call403 := "/v1/models?limit=1", "to list models"
		if admin {
			path, call403 = "/v1/organizations/me", "to read its organization"
		}
		resp, err := call.Get(ctx, path, h)
		if err != nil {
			return failed(err)
		}
		org := resp.Header.Get("anthropic-organization-id")
		switch {
		case resp.Status >= 200 && resp.Status < 300:
			var body struct {
				ID   string `json:"id"`
				Name string `json:"name"`
				Data []any  `json:"data"`
			}
			if err := decodeJSON(resp, &body); err != nil {
				return unknown("%v", err)
			}
			if admin {
				if body.ID == "" {
					return unknown("Anthropic's answer names no organization")
				}
				return finding.Verification{Status: finding.Verified, Identity: firstOf(body.Name, body.ID),
					Reaches: "Anthropic organization " + firstOf(body.Name, body.ID) + " (admin key: members, workspaces, API keys)"}
			}
			v := finding.Verification{Status: finding.Verified, Identity: org, Reaches: "Anthropic API"}
			if org != "" {
				v.Reaches = "Anthropic organization " + org
			}
			return v
		case resp.Status == http.StatusUnauthorized:
			return rejectedBy("Anthropic", resp)
		case resp.Status == http.StatusForbidden:
			return finding.Verification{Status: finding.Verified, Identity: org, Reaches: "Anthropic API (key without permission " + call403 + ")"}
		}
		return unclear("Anthropic", resp)
	},
}
