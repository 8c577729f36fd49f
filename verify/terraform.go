package verify

import (
	"context"
	"net/http"

	"github.com/leakhound/leakhound/finding"
)

// HCP Terraform (Terraform Cloud): GET /api/v2/account/details names the
// user a token acts as; a team or organization token acts as a service
// account user, named after its team or organization. Tokens of the EU
// instance are asked there when the US one rejects them; Terraform
// Enterprise is reached with --verify-endpoint terraform=URL.
var terraform = &Verifier{
	Provider: "terraform",
	Rules:    []string{"terraform-cloud-token"},
	Endpoint: "https://app.terraform.io",
	Sites:    map[string]string{"eu": "https://app.eu.terraform.io"},
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		v, site := acrossSites(call, []string{"eu"}, func(c *Call) finding.Verification {
			return terraformAccount(ctx, c, req.Secret)
		})
		switch {
		case v.Status == finding.Verified && site == "eu":
			v.Reaches = "HCP Terraform (EU) as " + v.Reaches
		case v.Status == finding.Verified:
			v.Reaches = "HCP Terraform as " + v.Reaches
		case v.Status == finding.Invalid:
			v.Reason = "rejected by every HCP Terraform instance asked (" + v.Reason + ")"
		}
		return v
	},
}

func terraformAccount(ctx context.Context, call *Call, token string) finding.Verification {
	h := http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/vnd.api+json"}}
	var body struct {
		Data struct {
			ID         string `json:"id"`
			Attributes struct {
				Username         string `json:"username"`
				Email            string `json:"email"`
				IsServiceAccount bool   `json:"is-service-account"`
			} `json:"attributes"`
		} `json:"data"`
	}
	v, _, ok := getJSON(ctx, call, "/api/v2/account/details", h, false, &body)
	if !ok {
		return v
	}
	a := body.Data.Attributes
	v.Identity = a.Username
	if v.Identity == "" {
		v.Identity = body.Data.ID
	}
	v.Reaches = "user " + v.Identity + ": its workspaces, state and variables"
	if a.IsServiceAccount {
		v.Reaches = "service account " + v.Identity + " (a team or organization token): its workspaces, state and variables"
	}
	return v
}
