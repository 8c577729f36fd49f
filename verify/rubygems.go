package verify

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// RubyGems: GET /api/v1/gems.json lists the gems of the key's owner.
// rubygems.org answers 401 to an unknown or expired key; 403 to a known
// key that may not list gems (a key scoped to pushing, say), or to one it
// invalidated because the gem it was scoped to is gone. The profile
// endpoints take a password, not a key.
var rubyGems = &Verifier{
	Provider: "rubygems",
	Rules:    []string{"rubygems-api-key", "rubygems-credentials"},
	Endpoint: "https://rubygems.org",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		h := http.Header{"Authorization": {req.Secret}, "Accept": {"application/json"}}
		resp, err := call.Get(ctx, "/api/v1/gems.json", h)
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusForbidden {
			body := strings.ToLower(string(resp.Body))
			if strings.Contains(body, "invalid api key") || strings.Contains(body, "soft") {
				return invalid("RubyGems: the key was invalidated")
			}
			return finding.Verification{Status: finding.Verified, Reaches: "RubyGems account (key without the index_rubygems scope; it may still push or yank)"}
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return v
		}
		var gems []struct {
			Name string `json:"name"`
		}
		if err := decodeJSON(resp, &gems); err != nil {
			return unknown("%v", err)
		}
		var names []string
		for i, g := range gems {
			if i == 5 {
				names = append(names, "...")
				break
			}
			names = append(names, g.Name)
		}
		v.Reaches = "RubyGems account owning " + plural(len(gems), "gem", "gems")
		if len(names) > 0 {
			v.Reaches += " (" + strings.Join(names, ", ") + ")"
		}
		return v
	},
}
