package verify

import (
	"net/http"
	"testing"
	"time"

	"github.com/leakhound/leakhound/finding"
)

func TestGoogleOAuth(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "GET", "/tokeninfo")
		switch r.URL.Query().Get("access_token") {
		case "ya29.live":
			w.Write([]byte(`{"azp":"4071.apps.googleusercontent.com","aud":"4071.apps.googleusercontent.com","sub":"1098","scope":"https://www.googleapis.com/auth/drive.readonly openid email","exp":"1924992000","expires_in":"3210","email":"jo@example.com","email_verified":"true","access_type":"offline"}`))
		case "ya29.busy":
			rateLimited(w)
		default:
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"invalid_token","error_description":"Invalid Value"}`))
		}
	})
	for _, tc := range []struct {
		secret string
		want   verdict
	}{
		{"ya29.live", verdict{status: finding.Verified, identity: "jo@example.com", scopes: []string{"https://www.googleapis.com/auth/drive.readonly", "openid", "email"},
			expires: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), reaches: "Google account jo@example.com through OAuth client 4071.apps.googleusercontent.com"}},
		{"ya29.expired", verdict{status: finding.Invalid, reason: "invalid_token"}},
		{"ya29.busy", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, verifyOne(t, googleOAuth, p.URL, "google-oauth-access-token", tc.secret), tc.want)
	}
}
