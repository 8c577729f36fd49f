package verify

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// linearQuery reads who the key acts as and in which workspace; a GraphQL
// query writes nothing.
const linearQuery = `{"query":"{ viewer { id name email } organization { name urlKey } }"}`

// Linear: one GraphQL query (POST /graphql) names the viewer and the
// workspace. A personal API key goes in Authorization as it is, an OAuth
// token after "Bearer". Linear answers a bad key with an
// AUTHENTICATION_ERROR in the GraphQL errors, whatever the HTTP status.
var linear = &Verifier{
	Provider: "linear",
	Rules:    []string{"linear-api-key", "linear-oauth-token"},
	Endpoint: "https://api.linear.app",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		auth := req.Secret
		if req.RuleID == "linear-oauth-token" {
			auth = "Bearer " + req.Secret
		}
		h := http.Header{"Authorization": {auth}, "Content-Type": {"application/json"}}
		resp, err := call.Do(ctx, "POST", "/graphql", h, []byte(linearQuery))
		if err != nil {
			return failed(err)
		}
		var body struct {
			Data *struct {
				Viewer struct {
					ID    string `json:"id"`
					Name  string `json:"name"`
					Email string `json:"email"`
				} `json:"viewer"`
				Organization struct {
					Name   string `json:"name"`
					URLKey string `json:"urlKey"`
				} `json:"organization"`
			} `json:"data"`
			Errors []struct {
				Message    string `json:"message"`
				Extensions struct {
					Code string `json:"code"`
					Type string `json:"type"`
				} `json:"extensions"`
			} `json:"errors"`
		}
		jsonErr := decodeJSON(resp, &body)
		for _, e := range body.Errors {
			kind := strings.ToLower(e.Extensions.Code + " " + e.Extensions.Type)
			switch {
			case strings.Contains(kind, "authentication"):
				return invalid("Linear: %s", firstOf(e.Message, "authentication error"))
			case strings.Contains(kind, "ratelimited"):
				return unknown("rate limited by Linear")
			}
		}
		if resp.Status == http.StatusUnauthorized {
			return rejectedBy("Linear", resp)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Linear", resp)
		}
		if jsonErr != nil {
			return unknown("%v", jsonErr)
		}
		if body.Data == nil || body.Data.Viewer.ID == "" {
			if len(body.Errors) > 0 {
				return unknown("Linear: %s", body.Errors[0].Message)
			}
			return unknown("Linear's answer names no user")
		}
		d := body.Data
		v.Identity = firstOf(d.Viewer.Email, d.Viewer.Name, d.Viewer.ID)
		v.Reaches = "Linear workspace " + firstOf(d.Organization.Name, d.Organization.URLKey, "(unnamed)")
		if d.Organization.URLKey != "" && d.Organization.Name != "" {
			v.Reaches += " (linear.app/" + d.Organization.URLKey + ")"
		}
		return v
	},
}
