package verify

import (
	"net/http"
	"testing"
	"time"

	"github.com/leakhound/leakhound/finding"
)

func TestMapbox(t *testing.T) {
	t.Parallel()
	tok := func(kind string) string { return kind + ".eyJ" + synth(alphaB62, 60) + "." + synth(alphaB62, 22) }
	secret, public, temp, revoked, expired, busy := tok("sk"), tok("pk"), tok("tk"), tok("sk"), tok("tk"), tok("sk")
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/tokens/v2")
		switch r.URL.Query().Get("access_token") {
		case secret:
			writeAnswer(w, 200, `{"code":"TokenValid","token":{"usage":"sk","user":"acme","authorization":"cijucimbe000brbkt48d0dhcx","scopes":["styles:read","tokens:write"]}}`)
		case public:
			writeAnswer(w, 200, `{"code":"TokenValid","token":{"usage":"pk","user":"acme","authorization":"cijucimbe000brbkt48d0dhcy"}}`)
		case temp:
			writeAnswer(w, 200, `{"code":"TokenValid","token":{"usage":"tk","user":"acme","expires":"2031-09-15T19:27:53.000Z","scopes":["styles:read"],"client":"api"}}`)
		case revoked:
			writeAnswer(w, 200, `{"code":"TokenRevoked","token":{"usage":"sk","user":"acme"}}`)
		case expired:
			writeAnswer(w, 200, `{"code":"TokenExpired","token":{"usage":"tk","user":"acme","expires":"2016-09-15T19:27:53.000Z"}}`)
		case busy:
			writeAnswer(w, 429, `{"message":"Too Many Requests"}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"message":"Not Authorized - Invalid Token"}`)
		}
	})
	tempLive := liveAs("acme", "Mapbox account acme (temporary token)", "styles:read")
	tempLive.Expires = time.Date(2031, 9, 15, 19, 27, 53, 0, time.UTC)
	runProviderCases(t, mapbox, p.URL, []providerCase{
		{name: "secret token", rule: "mapbox-secret-token", secret: secret, want: liveAs("acme", "Mapbox account acme (secret token)", "styles:read", "tokens:write")},
		{name: "public token", rule: "mapbox-public-token", secret: public, want: liveAs("acme", "Mapbox account acme (public token)")},
		{name: "temporary token", rule: "mapbox-temporary-token", secret: temp, want: tempLive},
		{name: "revoked", rule: "mapbox-secret-token", secret: revoked, want: invalidBecause("TokenRevoked")},
		{name: "expired", rule: "mapbox-temporary-token", secret: expired, want: invalidBecause("TokenExpired")},
		{name: "unknown to Mapbox", rule: "mapbox-secret-token", secret: tok("sk"), want: invalidBecause("Invalid Token")},
		{name: "rate limited", rule: "mapbox-secret-token", secret: busy, want: finding.Verification{Status: finding.Unknown, Reason: "rate limited"}},
	})
}
