package verify

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// OpenAI: GET /v1/models is free and open to every project and user key;
// the answer's openai-organization header names the organization. Admin
// keys (sk-admin-) can't read models and list the organization's projects
// instead. A restricted key without the models permission is answered 401
// "insufficient permissions": live, narrower. A 429 insufficient_quota is
// a live key whose organization has no credit left.
var openAI = &Verifier{
	Provider: "openai",
	Rules:    []string{"openai-api-key"},
	Endpoint: "https://api.openai.com/v1",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		admin := strings.HasPrefix(req.Secret, "sk-admin-")
		path := "/models"
		if admin {
			path = "/organization/projects?limit=1"
		}
		resp, err := call.Get(ctx, path, bearer(req.Secret))
		if err != nil {
			return failed(err)
		}
		org := resp.Header.Get("openai-organization")
		reaches := "OpenAI API"
		if org != "" {
			reaches = "OpenAI organization " + org
		}
		if p := resp.Header.Get("openai-project"); p != "" {
			reaches += ", project " + p
		}
		var body struct {
			Error struct {
				Message string `json:"message"`
				Code    string `json:"code"`
				Type    string `json:"type"`
			} `json:"error"`
			Data []struct {
				Name string `json:"name"`
			} `json:"data"`
		}
		switch {
		case resp.Status >= 200 && resp.Status < 300:
			if err := decodeJSON(resp, &body); err != nil {
				return unknown("%v", err)
			}
			v := finding.Verification{Status: finding.Verified, Identity: org, Reaches: reaches}
			if admin {
				v.Reaches += " (admin key: members, projects, API keys, usage)"
			}
			return v
		case resp.Status == http.StatusUnauthorized:
			_ = decodeJSON(resp, &body)
			if strings.Contains(body.Error.Message, "insufficient permissions") {
				return finding.Verification{Status: finding.Verified, Identity: org, Reaches: reaches + " (restricted key without the models permission)"}
			}
			return rejectedBy("OpenAI", resp)
		case resp.Status == http.StatusTooManyRequests:
			_ = decodeJSON(resp, &body)
			if body.Error.Code == "insufficient_quota" || body.Error.Type == "insufficient_quota" {
				return finding.Verification{Status: finding.Verified, Identity: org, Reaches: reaches + " (no quota left: billing exhausted)"}
			}
		}
		return unclear("OpenAI", resp)
	},
}
