package verify

import (
	"net/http"
	"testing"
	"time"

	"github.com/leakhound/leakhound/finding"
)

func TestCloudflare(t *testing.T) {
	t.Parallel()
	const acct = "023e105f4ecef8ad9ca31a8372d0c353"
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "GET" {
			t.Errorf("method %s", r.Method)
		}
		auth := r.Header.Get("Authorization")
		reject := func() {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"success":false,"errors":[{"code":1000,"message":"Invalid API Token"}],"result":null}`))
		}
		switch r.URL.Path {
		case "/user/tokens/verify":
			switch auth {
			case "Bearer user-live":
				w.Write([]byte(`{"success":true,"result":{"id":"ed17574386854bf78a67040be0a770b0","status":"active","expires_on":"2030-06-01T00:00:00Z"}}`))
			case "Bearer user-disabled":
				w.Write([]byte(`{"success":true,"result":{"id":"ed17","status":"disabled"}}`))
			case "Bearer busy":
				rateLimited(w)
				w.Write([]byte(`{"success":false,"errors":[{"code":971,"message":"Please wait and consider throttling your request speed"}]}`))
			default:
				reject()
			}
		case "/accounts":
			if r.URL.Query().Get("per_page") == "" {
				t.Error("accounts listed without a page size")
			}
			if auth != "Bearer user-live" && auth != "Bearer account-live" {
				w.WriteHeader(http.StatusForbidden)
				w.Write([]byte(`{"success":false,"errors":[{"code":9109,"message":"Invalid access token"}]}`))
				return
			}
			w.Write([]byte(`{"success":true,"result":[{"id":"` + acct + `","name":"Acme Corp"}]}`))
		case "/accounts/" + acct + "/tokens/verify":
			if auth != "Bearer account-live" {
				reject()
				return
			}
			w.Write([]byte(`{"success":true,"result":{"id":"f267e341","status":"active"}}`))
		default:
			t.Errorf("path %s", r.URL.Path)
		}
	})
	for _, tc := range []struct {
		secret string
		want   verdict
	}{
		{"user-live", verdict{status: finding.Verified, identity: "Acme Corp", reaches: "Cloudflare accounts Acme Corp (user token)", expires: time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)}},
		{"account-live", verdict{status: finding.Verified, identity: "Acme Corp", reaches: "account-owned token"}},
		{"user-disabled", verdict{status: finding.Invalid, reason: "disabled"}},
		{"revoked", verdict{status: finding.Invalid}},
		{"busy", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, verifyOne(t, cloudflare, p.URL, "cloudflare-api-token", tc.secret), tc.want)
	}
	hits := p.hits.Load()
	checkVerdict(t, "global key", verifyOne(t, cloudflare, p.URL, "cloudflare-api-token", "ef7ca31b39d6d7d423c6e9ed6be6141f55fe3"), verdict{status: finding.Unknown, reason: "email"})
	if p.hits.Load() != hits {
		t.Error("a global key was sent without its email")
	}
}
