package verify

import (
	"net/http"
	"testing"
)

func TestSendGrid(t *testing.T) {
	t.Parallel()
	key := func() string { return "SG." + synth(alphaB62, 22) + "." + synth(alphaB62, 43) }
	full, sendOnly, dead, busy := key(), key(), key(), key()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if r.URL.Path == "/v3/user/username" {
			expectCall(t, r, "GET", "/v3/user/username")
			if auth != "Bearer "+full {
				t.Errorf("username asked with a key that lacks the scope")
			}
			writeAnswer(w, 200, `{"username":"acme-mail","user_id":1}`)
			return
		}
		expectCall(t, r, "GET", "/v3/scopes")
		switch auth {
		case "Bearer " + full:
			writeAnswer(w, 200, `{"scopes":["mail.send","user.username.read","templates.read"]}`)
		case "Bearer " + sendOnly:
			writeAnswer(w, 200, `{"scopes":["mail.send"]}`)
		case "Bearer " + busy:
			writeAnswer(w, 429, `{"errors":[{"field":null,"message":"too many requests"}]}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"errors":[{"field":null,"message":"The provided authorization grant is invalid, expired, or revoked"}]}`)
		}
	})
	runProviderCases(t, sendGrid, p.URL+"/v3", []providerCase{
		{name: "full access", rule: "sendgrid-api-key", secret: full, want: liveAs("acme-mail", "SendGrid account acme-mail: can send mail as the account", "mail.send", "user.username.read", "templates.read")},
		{name: "send only", rule: "sendgrid-api-key", secret: sendOnly, want: liveAs("", "SendGrid account: can send mail as the account", "mail.send")},
		{name: "revoked", rule: "sendgrid-api-key", secret: dead, want: invalidBecause("invalid, expired, or revoked")},
		{name: "rate limited", rule: "sendgrid-api-key", secret: busy, want: unknownBecause("rate limited")},
	})
}
