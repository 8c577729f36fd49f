package verify

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// New Relic: a user key (NRAK-) asks NerdGraph who it is (POST /graphql,
// a query, no mutation); REST API and admin keys (NRRA-, NRAA-) list the
// account's applications (GET /v2/applications.json). Each is asked on
// the US API, then the EU one: a key is known to its own region, and the
// other answers 401 or 403. License, browser and insert keys can be
// checked only by sending data, so they are not asked about.
var newRelic = &Verifier{
	Provider: "newrelic",
	Rules:    []string{"newrelic-key", "newrelic-admin-api-key", "newrelic-rest-api-key"},
	Endpoint: "https://api.newrelic.com",
	Sites:    map[string]string{"eu": "https://api.eu.newrelic.com"},
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		var check func(*Call) finding.Verification
		switch {
		case strings.HasPrefix(req.Secret, "NRAK-"):
			check = func(c *Call) finding.Verification { return newRelicUser(ctx, c, req.Secret) }
		case req.RuleID == "newrelic-key":
			return unknown("a New Relic ingest or browser key can be checked only by sending data")
		default:
			check = func(c *Call) finding.Verification { return newRelicREST(ctx, c, req.Secret) }
		}
		v, site := acrossSites(call, []string{"eu"}, check)
		region := "US"
		if site == "eu" {
			region = "EU"
		}
		switch v.Status {
		case finding.Verified:
			v.Reaches = "New Relic (" + region + ") " + v.Reaches
		case finding.Invalid:
			v.Reason = "rejected by New Relic's US and EU APIs"
		}
		return v
	},
}

func newRelicUser(ctx context.Context, call *Call, key string) finding.Verification {
	h := http.Header{"API-Key": {key}, "Content-Type": {"application/json"}}
	body := []byte(`{"query":"{ actor { user { id email name } } }"}`)
	resp, err := call.Do(ctx, http.MethodPost, "/graphql", h, body)
	if err != nil {
		return failed(err)
	}
	v, ok := byStatus(resp, true)
	if !ok {
		return v
	}
	var out struct {
		Data struct {
			Actor struct {
				User struct {
					ID    int64  `json:"id"`
					Email string `json:"email"`
					Name  string `json:"name"`
				} `json:"user"`
			} `json:"actor"`
		} `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := decodeJSON(resp, &out); err != nil {
		return unknown("%v", err)
	}
	u := out.Data.Actor.User
	if u.ID == 0 && u.Email == "" {
		if len(out.Errors) > 0 {
			return unknown("New Relic: %s", out.Errors[0].Message)
		}
		return unknown("New Relic answered without a user")
	}
	v.Identity = u.Email
	v.Reaches = "user " + u.Email + ": the accounts it can see, their data and settings"
	return v
}

func newRelicREST(ctx context.Context, call *Call, key string) finding.Verification {
	var out struct {
		Applications []struct {
			Name string `json:"name"`
		} `json:"applications"`
	}
	v, _, ok := getJSON(ctx, call, "/v2/applications.json", header("Api-Key", key), true, &out)
	if !ok {
		return v
	}
	v.Reaches = "account with " + plural(len(out.Applications), "application", "applications") + " on the first page"
	return v
}
