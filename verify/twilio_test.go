package verify

import (
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestTwilio(t *testing.T) {
	t.Parallel()
	sid, secret, other := "SK"+synth(alphaHex, 32), synth(alphaB62, 32), synth(alphaB62, 32)
	busySID := "SK" + synth(alphaHex, 32)
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/v2/Services?PageSize=1")
		user, pass, _ := r.BasicAuth()
		switch {
		case user == sid && pass == secret:
			writeAnswer(w, 200, `{"services":[{"sid":"VA1","account_sid":"AC0123456789abcdef0123456789abcdef","friendly_name":"Login"}],"meta":{"page":0,"page_size":1,"key":"services"}}`)
		case user == busySID:
			writeAnswer(w, 429, `{"code":20429,"message":"Too Many Requests","status":429}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}`)
		}
	})
	live := liveAs("API key "+sid, "Twilio account AC0123456789abcdef0123456789abcdef (messaging, voice, numbers, billing)")
	runProviderCases(t, twilio, p.URL, []providerCase{
		{name: "secret with its key SID", rule: "twilio-auth-token", secret: secret, others: []finding.Finding{mkFinding("twilio-api-key", sid)}, want: live},
		{name: "key SID with its secret among others", rule: "twilio-api-key", secret: sid,
			others: []finding.Finding{mkFinding("twilio-auth-token", other), mkFinding("twilio-auth-token", secret)}, want: live},
		{name: "wrong secret", rule: "twilio-auth-token", secret: other, others: []finding.Finding{mkFinding("twilio-api-key", sid)}, want: invalidBecause("Authenticate")},
		{name: "auth token alone", rule: "twilio-auth-token", secret: other, want: unknownBecause("needs its account SID")},
		{name: "key SID alone", rule: "twilio-api-key", secret: sid, want: unknownBecause("no Twilio API key secret")},
		{name: "rate limited", rule: "twilio-api-key", secret: busySID, others: []finding.Finding{mkFinding("twilio-auth-token", secret)}, want: unknownBecause("rate limited")},
	})
}
