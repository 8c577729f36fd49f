package verify

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestAzureDevOps(t *testing.T) {
	t.Parallel()
	basic := func(pat string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(":"+pat)) }
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "GET", "/_apis/profile/profiles/me")
		if r.URL.Query().Get("api-version") == "" {
			t.Error("no api-version")
		}
		switch r.Header.Get("Authorization") {
		case basic("live"):
			w.Write([]byte(`{"displayName":"Jo Dev","publicAlias":"f1e2","emailAddress":"jo@example.com","id":"f1e2d3c4"}`))
		case basic("noprofile"):
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"$id":"1","message":"TF400813: The user 'f1e2d3c4' is not authorized to access this resource."}`))
		case basic("pat-old"):
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`Access Denied: The Personal Access Token used has expired.`))
		case basic("signin"):
			w.WriteHeader(http.StatusNonAuthoritativeInfo)
			w.Write([]byte(`<html><title>Azure DevOps Services | Sign In</title></html>`))
		case basic("busy"):
			rateLimited(w)
		default:
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
	for _, tc := range []struct {
		secret string
		want   verdict
	}{
		{"live", verdict{status: finding.Verified, identity: "jo@example.com", reaches: "Azure DevOps user jo@example.com"}},
		{"noprofile", verdict{status: finding.Verified, reaches: "without the User Profile scope"}},
		{"pat-old", verdict{status: finding.Invalid, reason: "expired"}},
		{"signin", verdict{status: finding.Invalid, reason: "sign-in page"}},
		{"revoked", verdict{status: finding.Invalid}},
		{"busy", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, verifyOne(t, azureDevOps, p.URL, "azure-devops-pat", tc.secret), tc.want)
	}
}
