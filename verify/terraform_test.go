package verify

import (
	"context"
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestTerraform(t *testing.T) {
	t.Parallel()
	account := func(valid map[string]string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			expectRequest(t, r, "GET", "/api/v2/account/details")
			auth := r.Header.Get("Authorization")
			if auth == "Bearer busy.atlasv1.x" {
				rateLimited(w)
				return
			}
			user, ok := valid[auth]
			if !ok {
				w.WriteHeader(http.StatusUnauthorized)
				w.Write([]byte(`{"errors":[{"status":"401","title":"unauthorized"}]}`))
				return
			}
			w.Write([]byte(`{"data":{"id":"user-V3R563qtJNcExAkN","type":"users","attributes":{"username":"` + user + `","is-service-account":` +
				map[bool]string{true: "true", false: "false"}[user == "api-team_owners"] + `}}}`))
		}
	}
	us := newProvider(t, account(map[string]string{"Bearer us.atlasv1.x": "jodev", "Bearer team.atlasv1.x": "api-team_owners"}))
	eu := newProvider(t, account(map[string]string{"Bearer eu.atlasv1.x": "eudev"}))
	run := func(secret string) finding.Verification {
		fs := []finding.Finding{mkFinding("terraform-cloud-token", secret)}
		if _, err := Run(context.Background(), fs, Options{Verifiers: []*Verifier{terraform},
			Endpoints: map[string]string{"terraform": us.URL, "terraform/eu": eu.URL}}); err != nil {
			t.Fatal(err)
		}
		return fs[0].Verification
	}
	for _, tc := range []struct {
		secret string
		want   verdict
	}{
		{"us.atlasv1.x", verdict{status: finding.Verified, identity: "jodev", reaches: "HCP Terraform as user jodev"}},
		{"team.atlasv1.x", verdict{status: finding.Verified, identity: "api-team_owners", reaches: "service account api-team_owners"}},
		{"eu.atlasv1.x", verdict{status: finding.Verified, identity: "eudev", reaches: "HCP Terraform (EU)"}},
		{"revoked.atlasv1.x", verdict{status: finding.Invalid, reason: "every HCP Terraform instance"}},
		{"busy.atlasv1.x", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, run(tc.secret), tc.want)
	}
}
