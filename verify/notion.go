package verify

import (
	"context"
	"net/http"

	"github.com/leakhound/leakhound/finding"
)

// Notion: GET /v1/users/me returns the integration's bot user and the
// workspace that installed it.
var notion = &Verifier{
	Provider: "notion",
	Rules:    []string{"notion-token"},
	Endpoint: "https://api.notion.com/v1",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		h := withHeader(bearer(req.Secret), "Notion-Version", "2022-06-28")
		resp, err := call.Get(ctx, "/users/me", h)
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusUnauthorized {
			return rejectedBy("Notion", resp)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Notion", resp)
		}
		var me struct {
			ID   string `json:"id"`
			Name string `json:"name"`
			Type string `json:"type"`
			Bot  struct {
				WorkspaceName string `json:"workspace_name"`
				Owner         struct {
					Type string `json:"type"`
				} `json:"owner"`
			} `json:"bot"`
		}
		if err := decodeJSON(resp, &me); err != nil {
			return unknown("%v", err)
		}
		if me.ID == "" {
			return unknown("Notion's answer names no user")
		}
		v.Identity = firstOf(me.Name, me.ID)
		v.Reaches = "Notion integration " + v.Identity
		if me.Bot.WorkspaceName != "" {
			v.Reaches += " in workspace " + me.Bot.WorkspaceName
		}
		v.Reaches += " (pages and databases shared with it)"
		return v
	},
}
