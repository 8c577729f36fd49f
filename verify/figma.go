package verify

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// Figma: GET /v1/me names the token's user. Figma answers a bad or
// expired token with 403 "Invalid token" (not 401); a live token without
// the current_user:read scope gets another 403, which says neither.
var figma = &Verifier{
	Provider: "figma",
	Rules:    []string{"figma-pat"},
	Endpoint: "https://api.figma.com/v1",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		resp, err := call.Get(ctx, "/me", header("X-Figma-Token", req.Secret))
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusUnauthorized {
			return rejectedBy("Figma", resp)
		}
		if resp.Status == http.StatusForbidden {
			m := strings.ToLower(providerMessage(resp))
			if strings.Contains(m, "invalid token") || strings.Contains(m, "expired") {
				return rejectedBy("Figma", resp)
			}
			return unclear("Figma", resp)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Figma", resp)
		}
		var me struct {
			ID     string `json:"id"`
			Email  string `json:"email"`
			Handle string `json:"handle"`
		}
		if err := decodeJSON(resp, &me); err != nil {
			return unknown("%v", err)
		}
		if me.ID == "" {
			return unknown("Figma's answer names no user")
		}
		v.Identity = firstOf(me.Email, me.Handle, me.ID)
		v.Reaches = "Figma user " + firstOf(me.Handle, me.ID) + " (the files and projects it can open)"
		return v
	},
}
