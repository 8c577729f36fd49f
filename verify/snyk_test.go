package verify

import (
	"context"
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestSnyk(t *testing.T) {
	t.Parallel()
	region := func(tokens map[string]string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			expectRequest(t, r, "GET", "/rest/self")
			if r.URL.Query().Get("version") == "" {
				t.Error("no API version")
			}
			auth := r.Header.Get("Authorization")
			if auth == "token busy" {
				rateLimited(w)
				return
			}
			body, ok := tokens[auth]
			if !ok {
				w.WriteHeader(http.StatusUnauthorized)
				w.Write([]byte(`{"jsonapi":{"version":"1.0"},"errors":[{"status":"401","detail":"Unauthorized"}]}`))
				return
			}
			w.Write([]byte(body))
		}
	}
	us := newProvider(t, region(map[string]string{"token us-user": `{"data":{"type":"user","id":"55a348e2","attributes":{"name":"Jo Dev","username":"jodev","email":"jo@example.com"}}}`}))
	eu := newProvider(t, region(map[string]string{"token eu-sa": `{"data":{"type":"service_account","id":"9b1c","attributes":{"name":"ci-scanner"}}}`}))
	other := newProvider(t, region(nil))
	run := func(secret string) finding.Verification {
		fs := []finding.Finding{mkFinding("snyk-token", secret)}
		if _, err := Run(context.Background(), fs, Options{Verifiers: []*Verifier{snyk},
			Endpoints: map[string]string{"snyk": us.URL, "snyk/us2": other.URL, "snyk/eu": eu.URL, "snyk/au": other.URL}}); err != nil {
			t.Fatal(err)
		}
		return fs[0].Verification
	}
	for _, tc := range []struct {
		secret string
		want   verdict
	}{
		{"us-user", verdict{status: finding.Verified, identity: "jo@example.com", reaches: "Snyk user jo@example.com"}},
		{"eu-sa", verdict{status: finding.Verified, identity: "ci-scanner", reaches: "Snyk service account ci-scanner: its organizations' projects and vulnerability data (eu region)"}},
		{"revoked", verdict{status: finding.Invalid, reason: "every Snyk region"}},
		{"busy", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, run(tc.secret), tc.want)
	}
}
