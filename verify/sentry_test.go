package verify

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

// sentryOrgToken builds an organization token naming org and region.
func sentryOrgToken(org, region string) string {
	payload := `{"iat":1718093321.4,"url":"https://sentry.io","region_url":"` + region + `","org":"` + org + `"}`
	return "sntrys_" + strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(payload)), "=") + "_c2VjcmV0LXBhcnQtb2YtdGhlLXRva2Vu"
}

func TestSentry(t *testing.T) {
	t.Parallel()
	usOrg, deOrg, selfHosted := sentryOrgToken("acme", "https://us.sentry.io"), sentryOrgToken("acme-eu", "https://de.sentry.io"), sentryOrgToken("corp", "https://sentry.corp.example")
	answer := func(tokens map[string]string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			expectRequest(t, r, "GET", "/api/0/")
			auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			if auth == "sntryu_busy" {
				rateLimited(w)
				w.Write([]byte(`{"detail":"You are attempting to use this endpoint too frequently."}`))
				return
			}
			body, ok := tokens[auth]
			if !ok {
				w.WriteHeader(http.StatusUnauthorized)
				w.Write([]byte(`{"detail":"Invalid token"}`))
				return
			}
			w.Write([]byte(body))
		}
	}
	main := newProvider(t, answer(map[string]string{
		"sntryu_live": `{"version":"0","auth":{"scopes":["org:read","project:releases"]},"user":{"id":"1","username":"jo","email":"jo@example.com"}}`,
	}))
	us := newProvider(t, answer(map[string]string{usOrg: `{"version":"0","auth":{"scopes":["org:ci"]},"user":null}`}))
	de := newProvider(t, answer(map[string]string{deOrg: `{"version":"0","auth":{"scopes":["org:ci"]},"user":null}`}))
	run := func(rule, secret string) finding.Verification {
		fs := []finding.Finding{mkFinding(rule, secret)}
		if _, err := Run(context.Background(), fs, Options{Verifiers: []*Verifier{sentry},
			Endpoints: map[string]string{"sentry/us": us.URL, "sentry/de": de.URL}}); err != nil {
			t.Fatal(err)
		}
		return fs[0].Verification
	}
	// The main endpoint is official (sentry.io) in run: only the org
	// tokens, which go to the overridden regions, can be run there.
	for _, tc := range []struct {
		rule, secret string
		want         verdict
	}{
		{"sentry-org-token", usOrg, verdict{status: finding.Verified, identity: "acme", scopes: []string{"org:ci"}, reaches: "Sentry organization acme"}},
		{"sentry-org-token", deOrg, verdict{status: finding.Verified, identity: "acme-eu", reaches: "Sentry organization acme-eu"}},
		{"sentry-org-token", sentryOrgToken("gone", "https://us.sentry.io"), verdict{status: finding.Invalid}},
		{"sentry-org-token", selfHosted, verdict{status: finding.Unknown, reason: "self-hosted Sentry at sentry.corp.example"}},
	} {
		checkVerdict(t, tc.secret[:12], run(tc.rule, tc.secret), tc.want)
	}
	for _, tc := range []struct {
		rule, secret string
		want         verdict
	}{
		{"sentry-user-token", "sntryu_live", verdict{status: finding.Verified, identity: "jo@example.com", scopes: []string{"org:read", "project:releases"}, reaches: "Sentry user jo@example.com"}},
		{"sentry-user-token", "sntryu_revoked", verdict{status: finding.Invalid, reason: "401"}},
		{"sentry-auth-token", "sntryu_busy", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, verifyOne(t, sentry, main.URL, tc.rule, tc.secret), tc.want)
	}
	if main.hits.Load() != 3 {
		t.Errorf("sentry.io asked %d times, want 3 (organization tokens go to their region)", main.hits.Load())
	}
}
