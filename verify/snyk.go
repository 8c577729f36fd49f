package verify

import (
	"context"
	"net/http"

	"github.com/leakhound/leakhound/finding"
)

// snykSites are Snyk's other regional API hosts; a token is known only to
// its own region, so a rejection in one region says nothing of the others.
var snykSites = []string{"us2", "eu", "au"}

// Snyk: GET /rest/self names the user or service account a token belongs
// to; 401 is a rejected token.
var snyk = &Verifier{
	Provider: "snyk",
	Rules:    []string{"snyk-token"},
	Endpoint: "https://api.snyk.io",
	Sites: map[string]string{
		"us2": "https://api.us.snyk.io",
		"eu":  "https://api.eu.snyk.io",
		"au":  "https://api.au.snyk.io",
	},
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		v, site := acrossSites(call, snykSites, func(c *Call) finding.Verification {
			return snykSelf(ctx, c, req.Secret)
		})
		switch {
		case v.Status == finding.Verified && site != "":
			v.Reaches += " (" + site + " region)"
		case v.Status == finding.Invalid:
			v.Reason = "rejected in every Snyk region (" + v.Reason + ")"
		}
		return v
	},
}

// snykAPIVersion is a generally available version of Snyk's REST API,
// which every request must name.
const snykAPIVersion = "2024-10-15"

func snykSelf(ctx context.Context, call *Call, token string) finding.Verification {
	h := http.Header{"Authorization": {"token " + token}, "Accept": {"application/vnd.api+json"}}
	var body struct {
		Data struct {
			Type       string `json:"type"`
			ID         string `json:"id"`
			Attributes struct {
				Name     string `json:"name"`
				Username string `json:"username"`
				Email    string `json:"email"`
			} `json:"attributes"`
		} `json:"data"`
	}
	v, _, ok := getJSON(ctx, call, "/rest/self?version="+snykAPIVersion, h, false, &body)
	if !ok {
		return v
	}
	a := body.Data.Attributes
	for _, id := range []string{a.Email, a.Username, a.Name, body.Data.ID} {
		if id != "" {
			v.Identity = id
			break
		}
	}
	kind := "user"
	if body.Data.Type == "service_account" {
		kind = "service account"
	}
	v.Reaches = "Snyk " + kind + " " + v.Identity + ": its organizations' projects and vulnerability data"
	return v
}
