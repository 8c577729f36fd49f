package verify

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// Azure DevOps: GET /_apis/profile/profiles/me on the organization-free
// app.vssps.visualstudio.com names the user of a personal access token
// (Basic auth, empty user name). A PAT it does not know gets 401, or 203
// with the sign-in page; a PAT without the profile scope gets 401 with
// TF400813, which names the user it authenticated as, so it is live.
var azureDevOps = &Verifier{
	Provider: "azuredevops",
	Rules:    []string{"azure-devops-pat", "azure-devops-pat-v2"},
	Endpoint: "https://app.vssps.visualstudio.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		h := http.Header{
			"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(":"+req.Secret))},
			"Accept":        {"application/json"},
		}
		resp, err := call.Get(ctx, "/_apis/profile/profiles/me?api-version=7.1", h)
		if err != nil {
			return failed(err)
		}
		switch resp.Status {
		case http.StatusNonAuthoritativeInfo:
			return invalid("Azure DevOps answered with its sign-in page")
		case http.StatusUnauthorized:
			body := string(resp.Body)
			if strings.Contains(body, "TF400813") {
				return finding.Verification{Status: finding.Verified, Reaches: "Azure DevOps (PAT without the User Profile scope)"}
			}
			if strings.Contains(strings.ToLower(body), "expired") {
				return invalid("Azure DevOps: the personal access token has expired")
			}
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return v
		}
		var p struct {
			DisplayName  string `json:"displayName"`
			EmailAddress string `json:"emailAddress"`
			ID           string `json:"id"`
		}
		if err := decodeJSON(resp, &p); err != nil {
			return unknown("%v", err)
		}
		v.Identity = p.EmailAddress
		if v.Identity == "" {
			v.Identity = p.ID
		}
		v.Reaches = "Azure DevOps user " + v.Identity + ": the organizations and scopes the PAT was given"
		return v
	},
}
