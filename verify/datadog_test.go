package verify

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestDatadog(t *testing.T) {
	t.Parallel()
	const (
		usAPI   = "11111111111111111111111111111111"
		euAPI   = "22222222222222222222222222222222"
		busyAPI = "33333333333333333333333333333333"
		deadAPI = "44444444444444444444444444444444"
		euApp   = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		deadApp = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	)
	// site is a fake Datadog site that knows some API keys and, for its
	// org, one application key.
	site := func(org string, apiKeys []string, appKey string) *provider {
		return newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			if r.Method != "GET" {
				t.Errorf("method %s", r.Method)
			}
			api, app := r.Header.Get("DD-API-KEY"), r.Header.Get("DD-APPLICATION-KEY")
			known := false
			for _, k := range apiKeys {
				known = known || k == api
			}
			if api == busyAPI && org == "US1" {
				rateLimited(w)
				return
			}
			switch r.URL.Path {
			case "/api/v1/validate":
				if !known {
					w.WriteHeader(http.StatusForbidden)
					w.Write([]byte(`{"errors":["Forbidden"]}`))
					return
				}
				w.Write([]byte(`{"valid":true}`))
			case "/api/v2/validate_keys", "/api/v1/org":
				if !known || app != appKey || appKey == "" {
					w.WriteHeader(http.StatusForbidden)
					w.Write([]byte(`{"errors":["Forbidden"]}`))
					return
				}
				if r.URL.Path == "/api/v1/org" {
					w.Write([]byte(`{"orgs":[{"name":"` + org + `","public_id":"abc123"}]}`))
					return
				}
				w.Write([]byte(`{"status":"ok"}`))
			default:
				t.Errorf("path %s", r.URL.Path)
			}
		})
	}
	us1 := site("US1", []string{usAPI, busyAPI}, "")
	eu := site("Acme EU", []string{euAPI}, euApp)
	rest := site("other", nil, "")
	endpoints := map[string]string{"datadog": us1.URL, "datadog/eu": eu.URL}
	for _, s := range datadogSites[1:] {
		endpoints["datadog/"+s] = rest.URL
	}
	run := func(secret string, beside ...string) finding.Verification {
		fs := []finding.Finding{mkFinding("datadog-api-key", secret)}
		for _, b := range beside {
			fs = append(fs, mkFinding("datadog-api-key", b))
		}
		if _, err := Run(context.Background(), fs, Options{Verifiers: []*Verifier{datadog}, Endpoints: endpoints}); err != nil {
			t.Fatal(err)
		}
		return fs[0].Verification
	}
	for _, tc := range []struct {
		name   string
		secret string
		beside []string
		want   verdict
	}{
		{"API key on US1", usAPI, nil, verdict{status: finding.Verified, reaches: "Datadog org on US1: may submit"}},
		{"API key on EU, app key beside", euAPI, []string{euApp}, verdict{status: finding.Verified, identity: "Acme EU", reaches: "Datadog org Acme EU (EU)"}},
		{"API key nowhere", deadAPI, nil, verdict{status: finding.Invalid, reason: "every Datadog site"}},
		{"API key rate limited on US1", busyAPI, nil, verdict{status: finding.Unknown, reason: "rate limited"}},
		{"app key with its API key", euApp, []string{deadAPI, euAPI}, verdict{status: finding.Verified, identity: "Acme EU", reaches: "(EU): reads and changes"}},
		{"revoked app key", deadApp, []string{euAPI}, verdict{status: finding.Invalid, reason: "rejected the application key"}},
		{"app key, dead API key", euApp, []string{deadAPI}, verdict{status: finding.Unknown, reason: "no API key beside it is valid"}},
	} {
		checkVerdict(t, tc.name, run(tc.secret, tc.beside...), tc.want)
	}
	hits := us1.hits.Load() + eu.hits.Load() + rest.hits.Load()
	checkVerdict(t, "app key alone", run(euApp), verdict{status: finding.Unknown, reason: "none was found beside it"})
	if us1.hits.Load()+eu.hits.Load()+rest.hits.Load() != hits {
		t.Error("an application key was sent without an API key")
	}
	if strings.Contains(run(deadAPI).Reason, deadAPI) {
		t.Error("reason carries the key")
	}
}
