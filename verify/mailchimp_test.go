package verify

import (
	"context"
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestMailchimp(t *testing.T) {
	t.Parallel()
	key := func() string { return synth(alphaHex, 32) + "-us21" }
	live, dead, disabled, busy := key(), key(), key(), key()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/3.0/")
		_, pass, _ := r.BasicAuth()
		switch pass {
		case live:
			writeAnswer(w, 200, `{"account_id":"8d3a3db4d97663a9074efcc16","login_id":"53384","account_name":"Acme Shop","email":"ops@acme.test","username":"acmeops","role":"owner","total_subscribers":1200}`)
		case disabled:
			writeAnswer(w, 403, `{"type":"https://mailchimp.com/developer/marketing/docs/errors/","title":"User Disabled","status":403,"detail":"This account has been disabled."}`)
		case busy:
			writeAnswer(w, 429, `{"title":"Too Many Requests","status":429,"detail":"You have exceeded the limit of 10 simultaneous connections."}`, "Retry-After", "120")
		default:
			writeAnswer(w, 401, `{"type":"https://mailchimp.com/developer/marketing/docs/errors/","title":"API Key Invalid","status":401,"detail":"Your API key may be invalid, or you've attempted to access the wrong datacenter."}`)
		}
	})
	runProviderCases(t, mailchimp, p.URL+"/3.0", []providerCase{
		{name: "live", rule: "mailchimp-api-key", secret: live, want: liveAs("acmeops", `Mailchimp account "Acme Shop" (1200 subscribers, data center us21)`)},
		{name: "revoked", rule: "mailchimp-api-key", secret: dead, want: invalidBecause("Your API key may be invalid")},
		{name: "account disabled", rule: "mailchimp-api-key", secret: disabled, want: invalidBecause("This account has been disabled.")},
		{name: "rate limited", rule: "mailchimp-api-key", secret: busy, want: unknownBecause("rate limited")},
	})
}

// TestMailchimpDataCenter: the key's suffix names the API host, one label
// under api.mailchimp.com; a key without one is not sent anywhere.
func TestMailchimpDataCenter(t *testing.T) {
	t.Parallel()
	c, err := newCallers([]*Verifier{mailchimp}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	key := synth(alphaHex, 32) + "-us21"
	dc, err := c["mailchimp"].call(key).Tenant(mailchimpDataCenter(key))
	if err != nil {
		t.Fatal(err)
	}
	if u, err := dc.resolve("/"); err != nil || u.String() != "https://us21.api.mailchimp.com/3.0/" {
		t.Errorf("%v %v", u, err)
	}
	// No endpoint override here: the official host is used, and the check
	// must end before any request.
	fs := []finding.Finding{mkFinding("mailchimp-api-key", synth(alphaHex, 32))}
	if _, err := Run(context.Background(), fs, Options{Verifiers: []*Verifier{mailchimp}}); err != nil {
		t.Fatal(err)
	}
	if got := fs[0].Verification; got.Status != finding.Unknown || got.Reason == "" {
		t.Errorf("key without a data center: %+v", got)
	}
}
