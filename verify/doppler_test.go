package verify

import (
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestDoppler(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "GET", "/v3/me")
		switch r.Header.Get("Authorization") {
		case "Bearer dp.st.live":
			w.Write([]byte(`{"workplace":{"name":"Acme","slug":"acme"},"type":"service_token","name":"prod-deploy","success":true}`))
		case "Bearer dp.st.busy":
			rateLimited(w)
			w.Write([]byte(`{"messages":["Rate limit exceeded"],"success":false}`))
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"messages":["Invalid Auth token"],"success":false}`))
		}
	})
	for _, tc := range []struct {
		secret string
		want   verdict
	}{
		{"dp.st.live", verdict{status: finding.Verified, identity: "prod-deploy", reaches: "Doppler workplace Acme (service_token)"}},
		{"dp.st.revoked", verdict{status: finding.Invalid}},
		{"dp.st.busy", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, verifyOne(t, doppler, p.URL, "doppler-token", tc.secret), tc.want)
	}
}
