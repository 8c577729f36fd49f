package verify

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestNewRelic(t *testing.T) {
	t.Parallel()
	region := func(userKeys map[string]string, restKeys []string) *provider {
		return newProvider(t, func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/graphql":
				expectRequest(t, r, "POST", "/graphql")
				body, _ := io.ReadAll(r.Body)
				if !strings.Contains(string(body), "actor") || strings.Contains(string(body), "mutation") {
					t.Errorf("query %s", body)
				}
				key := r.Header.Get("API-Key")
				if key == "NRAK-BUSY" {
					rateLimited(w)
					return
				}
				email, ok := userKeys[key]
				if !ok {
					w.WriteHeader(http.StatusUnauthorized)
					w.Write([]byte(`{"errors":[{"message":"Invalid API key"}]}`))
					return
				}
				w.Write([]byte(`{"data":{"actor":{"user":{"id":1001,"email":"` + email + `","name":"Jo"}}}}`))
			case "/v2/applications.json":
				expectRequest(t, r, "GET", "/v2/applications.json")
				for _, k := range restKeys {
					if r.Header.Get("Api-Key") == k {
						w.Write([]byte(`{"applications":[{"id":1,"name":"checkout"},{"id":2,"name":"search"}]}`))
						return
					}
				}
				w.WriteHeader(http.StatusForbidden)
				w.Write([]byte(`{"error":{"title":"The API key provided is invalid"}}`))
			default:
				t.Errorf("path %s", r.URL.Path)
			}
		})
	}
	us := region(map[string]string{"NRAK-US": "jo@example.com"}, []string{"NRRA-US"})
	eu := region(map[string]string{"NRAK-EU": "eu@example.com"}, []string{"NRAA-EU"})
	run := func(rule, secret string) finding.Verification {
		fs := []finding.Finding{mkFinding(rule, secret)}
		if _, err := Run(context.Background(), fs, Options{Verifiers: []*Verifier{newRelic},
			Endpoints: map[string]string{"newrelic": us.URL, "newrelic/eu": eu.URL}}); err != nil {
			t.Fatal(err)
		}
		return fs[0].Verification
	}
	for _, tc := range []struct {
		rule, secret string
		want         verdict
	}{
		{"newrelic-key", "NRAK-US", verdict{status: finding.Verified, identity: "jo@example.com", reaches: "New Relic (US) user jo@example.com"}},
		{"newrelic-key", "NRAK-EU", verdict{status: finding.Verified, identity: "eu@example.com", reaches: "New Relic (EU)"}},
		{"newrelic-rest-api-key", "NRRA-US", verdict{status: finding.Verified, reaches: "account with 2 applications"}},
		{"newrelic-admin-api-key", "NRAA-EU", verdict{status: finding.Verified, reaches: "New Relic (EU)"}},
		{"newrelic-key", "NRAK-GONE", verdict{status: finding.Invalid, reason: "US and EU"}},
		{"newrelic-rest-api-key", "NRRA-GONE", verdict{status: finding.Invalid}},
		{"newrelic-key", "NRAK-BUSY", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, run(tc.rule, tc.secret), tc.want)
	}
	hits := us.hits.Load() + eu.hits.Load()
	checkVerdict(t, "license key", run("newrelic-key", "0123456789abcdef0123456789abcdef0123NRAL"), verdict{status: finding.Unknown, reason: "sending data"})
	if us.hits.Load()+eu.hits.Load() != hits {
		t.Error("an ingest key was sent")
	}
}
