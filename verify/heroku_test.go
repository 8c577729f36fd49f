package verify

import (
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestHeroku(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "GET", "/account")
		if r.Header.Get("Accept") != "application/vnd.heroku+json; version=3" {
			t.Errorf("Accept %q", r.Header.Get("Accept"))
		}
		switch r.Header.Get("Authorization") {
		case "Bearer HRKU-live":
			w.Write([]byte(`{"email":"dev@example.com","id":"01234567-89ab-cdef-0123-456789abcdef"}`))
		case "Bearer HRKU-busy":
			rateLimited(w)
			w.Write([]byte(`{"id":"rate_limit","message":"Your account reached the API rate limit"}`))
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"id":"unauthorized","message":"Invalid credentials provided."}`))
		}
	})
	for _, tc := range []struct {
		secret string
		want   verdict
	}{
		{"HRKU-live", verdict{status: finding.Verified, identity: "dev@example.com", reaches: "Heroku account dev@example.com"}},
		{"HRKU-revoked", verdict{status: finding.Invalid}},
		{"HRKU-busy", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, verifyOne(t, heroku, p.URL, "heroku-api-key", tc.secret), tc.want)
	}
}
