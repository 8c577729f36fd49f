package verify

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestMailjet(t *testing.T) {
	t.Parallel()
	apiKey, secretKey, stray := synth(alphaHex, 32), synth(alphaHex, 32), synth(alphaHex, 32)
	basic := base64.StdEncoding.EncodeToString([]byte(apiKey + ":" + secretKey))
	deadBasic := base64.StdEncoding.EncodeToString([]byte(stray + ":" + secretKey))
	sms, deadSMS, busySMS := synth(alphaB62, 32), synth(alphaB62, 32), synth(alphaB62, 32)
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v4/sms" {
			expectCall(t, r, "GET", "/v4/sms?Limit=1")
			switch r.Header.Get("Authorization") {
			case "Bearer " + sms:
				writeAnswer(w, 200, `{"Data":[],"Count":0}`)
			case "Bearer " + busySMS:
				writeAnswer(w, 429, `{"ErrorMessage":"Too many requests"}`, "Retry-After", "120")
			default:
				writeAnswer(w, 401, `{"ErrorIdentifier":"1","StatusCode":401,"ErrorMessage":"Invalid token"}`)
			}
			return
		}
		expectCall(t, r, "GET", "/v3/REST/user")
		user, pass, _ := r.BasicAuth()
		if user == apiKey && pass == secretKey {
			writeAnswer(w, 200, `{"Count":1,"Data":[{"ID":42,"Email":"news@acme.test","Username":"acme"}],"Total":1}`)
			return
		}
		writeAnswer(w, 401, `{"ErrorMessage":"API key authentication/authorization failure. You may be unauthorized to access the API or your API key may be suspended."}`)
	})
	acme := liveAs("news@acme.test", "Mailjet account news@acme.test: sends mail, reads contacts")
	runProviderCases(t, mailjet, p.URL, []providerCase{
		{name: "basic auth value", rule: "mailjet-basic-auth", secret: basic, want: acme},
		{name: "dead basic auth value", rule: "mailjet-basic-auth", secret: deadBasic, want: invalidBecause("authorization failure")},
		{name: "not base64 of a pair", rule: "mailjet-basic-auth", secret: base64.StdEncoding.EncodeToString([]byte(apiKey)), want: unknownBecause("not base64")},
		// The secret key beside the API key and a stray value: each is
		// tried in both orders until one answers.
		{name: "secret key with its API key", rule: "mailjet-secret", secret: secretKey,
			others: []finding.Finding{mkFinding("mailjet-secret", stray), mkFinding("mailjet-secret", apiKey)}, want: acme},
		{name: "API key with its secret key", rule: "mailjet-secret", secret: apiKey, others: []finding.Finding{mkFinding("mailjet-secret", secretKey)}, want: acme},
		{name: "no pair", rule: "mailjet-secret", secret: apiKey, others: []finding.Finding{mkFinding("mailjet-secret", stray)}, want: invalidBecause("authorization failure")},
		{name: "alone", rule: "mailjet-secret", secret: apiKey, want: unknownBecause("no other Mailjet key")},
		{name: "SMS token", rule: "mailjet-sms-token", secret: sms, want: liveAs("", "Mailjet SMS API: sends SMS billed to the account")},
		{name: "dead SMS token", rule: "mailjet-sms-token", secret: deadSMS, want: invalidBecause("Invalid token")},
		{name: "rate limited", rule: "mailjet-sms-token", secret: busySMS, want: unknownBecause("rate limited")},
	})
}
