package verify

import (
	"io"
	"net/http"
	"testing"
)

func TestDropbox(t *testing.T) {
	t.Parallel()
	tok := func() string { return "sl." + synth(alphaB62+"_-", 140) }
	live, expired, busy := tok(), tok(), tok()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "POST", "/2/users/get_current_account")
		if body, _ := io.ReadAll(r.Body); string(body) != "null" {
			t.Errorf("body %q", body)
		}
		switch r.Header.Get("Authorization") {
		case "Bearer " + live:
			writeAnswer(w, 200, `{"account_id":"dbid:AAH4","name":{"display_name":"Franz Ferdinand"},"email":"franz@acme.test","account_type":{".tag":"business"},"team":{"id":"dbtid:1","name":"Acme Inc."}}`)
		case "Bearer " + busy:
			writeAnswer(w, 429, `{"error_summary":"too_many_requests/..","error":{"reason":{".tag":"too_many_requests"},"retry_after":120}}`, "Retry-After", "120")
		case "Bearer " + expired:
			writeAnswer(w, 401, `{"error_summary":"expired_access_token/...","error":{".tag":"expired_access_token"}}`)
		default:
			writeAnswer(w, 401, `{"error_summary":"invalid_access_token/...","error":{".tag":"invalid_access_token"}}`)
		}
	})
	runProviderCases(t, dropbox, p.URL+"/2", []providerCase{
		{name: "live", rule: "dropbox-access-token", secret: live, want: liveAs("franz@acme.test", "Dropbox business account franz@acme.test of team Acme Inc.")},
		{name: "expired", rule: "dropbox-access-token", secret: expired, want: invalidBecause("expired_access_token")},
		{name: "revoked", rule: "dropbox-access-token", secret: tok(), want: invalidBecause("invalid_access_token")},
		{name: "rate limited", rule: "dropbox-access-token", secret: busy, want: unknownBecause("rate limited")},
	})
}
