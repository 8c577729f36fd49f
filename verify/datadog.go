package verify

import (
	"context"
	"net/http"
	"regexp"

	"github.com/leakhound/leakhound/finding"
)

// datadogSites are Datadog's regional sites besides US1 (the endpoint),
// in the order they are asked, and their names in reports.
var (
	datadogSites = []string{"eu", "us3", "us5", "ap1", "ap2", "uk1", "us1-fed", "us2-fed"}
	datadogNames = map[string]string{"": "US1", "eu": "EU", "us3": "US3", "us5": "US5", "ap1": "AP1", "ap2": "AP2", "uk1": "UK1", "us1-fed": "US1-FED", "us2-fed": "US2-FED"}
)

var (
	datadogAPIKey = regexp.MustCompile(`^[a-f0-9]{32}$`)
	datadogAppKey = regexp.MustCompile(`^[a-f0-9]{40}$`)
)

// Datadog: one rule finds both an API key (32 hex) and an application key
// (40 hex). An API key is checked with GET /api/v1/validate on each site
// until one accepts it (a key exists on one site only; every other
// answers 403). An application key is checked only with an API key of
// its org found beside it: GET /api/v2/validate_keys on the API key's
// site. With both, GET /api/v1/org names the organization.
var datadog = &Verifier{
	Provider: "datadog",
	Rules:    []string{"datadog-api-key"},
	Parts:    []string{"datadog-api-key"},
	Endpoint: "https://api.datadoghq.com",
	Sites: map[string]string{
		"eu":      "https://api.datadoghq.eu",
		"us3":     "https://api.us3.datadoghq.com",
		"us5":     "https://api.us5.datadoghq.com",
		"ap1":     "https://api.ap1.datadoghq.com",
		"ap2":     "https://api.ap2.datadoghq.com",
		"uk1":     "https://api.uk1.datadoghq.com",
		"us1-fed": "https://api.ddog-gov.com",
		"us2-fed": "https://api.us2.ddog-gov.com",
	},
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		var apiKeys, appKeys []string
		for _, s := range req.Part("datadog-api-key") {
			switch {
			case s == req.Secret:
			case datadogAPIKey.MatchString(s) && len(apiKeys) < 2:
				apiKeys = append(apiKeys, s)
			case datadogAppKey.MatchString(s) && len(appKeys) < 2:
				appKeys = append(appKeys, s)
			}
		}
		if datadogAppKey.MatchString(req.Secret) {
			return datadogApplicationKey(ctx, call, req.Secret, apiKeys)
		}
		v, site, at := datadogFindSite(ctx, call, req.Secret)
		if v.Status != finding.Verified {
			return v
		}
		v.Reaches = "Datadog org on " + datadogNames[site] + ": may submit metrics, logs and events"
		for _, app := range appKeys {
			if name := datadogOrgName(ctx, at, req.Secret, app); name != "" {
				v.Identity = name
				v.Reaches = "Datadog org " + name + " (" + datadogNames[site] + "): may submit metrics, logs and events"
				break
			}
		}
		return v
	},
}

// datadogFindSite asks each site whether it knows the API key; it returns
// the answer, the site's name and its Call.
func datadogFindSite(ctx context.Context, call *Call, apiKey string) (finding.Verification, string, *Call) {
	v, site := acrossSites(call, datadogSites, func(c *Call) finding.Verification {
		resp, err := c.Get(ctx, "/api/v1/validate", header("DD-API-KEY", apiKey))
		if err != nil {
			return failed(err)
		}
		v, ok := byStatus(resp, true)
		if !ok {
			return v
		}
		var body struct {
			Valid bool `json:"valid"`
		}
		if err := decodeJSON(resp, &body); err != nil {
			return unknown("%v", err)
		}
		if !body.Valid {
			return invalid("Datadog: the API key is not valid")
		}
		return v
	})
	switch v.Status {
	case finding.Verified:
		at := call
		if site != "" {
			at, _ = call.Site(site)
		}
		return v, site, at
	case finding.Invalid:
		v.Reason = "rejected by every Datadog site"
	}
	return v, "", nil
}

// datadogApplicationKey checks an application key with the API keys found
// beside it.
func datadogApplicationKey(ctx context.Context, call *Call, appKey string, apiKeys []string) finding.Verification {
	if len(apiKeys) == 0 {
		return unknown("a Datadog application key is checked with an API key of its org, and none was found beside it")
	}
	last := unknown("no API key beside it is valid, so the application key can't be checked")
	for _, apiKey := range apiKeys {
		kv, site, at := datadogFindSite(ctx, call, apiKey)
		if kv.Status != finding.Verified {
			if kv.Status == finding.Unknown {
				last = unknown("the API key beside it could not be checked: %s", kv.Reason)
			}
			continue
		}
		h := http.Header{"DD-API-KEY": {apiKey}, "DD-APPLICATION-KEY": {appKey}}
		resp, err := at.Get(ctx, "/api/v2/validate_keys", h)
		if err != nil {
			return failed(err)
		}
		v, ok := byStatus(resp, true)
		if !ok {
			if v.Status == finding.Invalid {
				v.Reason = "Datadog rejected the application key with a valid API key of " + datadogNames[site]
			}
			return v
		}
		v.Reaches = "Datadog org on " + datadogNames[site] + ": reads and changes what its user may (dashboards, monitors, logs)"
		if name := datadogOrgName(ctx, at, apiKey, appKey); name != "" {
			v.Identity = name
			v.Reaches = "Datadog org " + name + " (" + datadogNames[site] + "): reads and changes what its user may (dashboards, monitors, logs)"
		}
		return v
	}
	return last
}

// datadogOrgName names the org of a key pair, or "" when Datadog won't
// say (an application key scoped without org access).
func datadogOrgName(ctx context.Context, call *Call, apiKey, appKey string) string {
	resp, err := call.Get(ctx, "/api/v1/org", http.Header{"DD-API-KEY": {apiKey}, "DD-APPLICATION-KEY": {appKey}})
	if err != nil || resp.Status != http.StatusOK {
		return ""
	}
	var body struct {
		Orgs []struct {
			Name     string `json:"name"`
			PublicID string `json:"public_id"`
		} `json:"orgs"`
	}
	if decodeJSON(resp, &body) != nil || len(body.Orgs) == 0 {
		return ""
	}
	return body.Orgs[0].Name
}
