package verify

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestAtlassian(t *testing.T) {
	t.Parallel()
	token := "ATATT3" + synth(alphaB62, 186)
	legacy, hidden := synth(alphaB62, 24), "ATATT3"+synth(alphaB62, 186)
	dead, busy, captcha, noSuchSite := "ATATT3"+synth(alphaB62, 186), "ATATT3"+synth(alphaB62, 186), "ATATT3"+synth(alphaB62, 186), "ATATT3"+synth(alphaB62, 186)
	const email = "ops@acme.test"
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/rest/api/3/myself")
		if a := r.Header.Get("Accept"); a != "application/json" {
			t.Errorf("Accept %q", a)
		}
		user, pass, ok := r.BasicAuth()
		if !ok || !strings.Contains(user, "@") {
			t.Errorf("basic auth user %q (%v), want an email address", user, ok)
		}
		switch {
		case pass == busy:
			writeAnswer(w, 429, `{"errorMessages":["Rate limit exceeded."]}`, "Retry-After", "120")
		case pass == captcha:
			w.Header().Set("X-Seraph-LoginReason", "AUTHENTICATION_DENIED")
			writeAnswer(w, 403, `{"errorMessages":["Basic authentication with passwords is deprecated."]}`)
		case pass == noSuchSite:
			writeAnswer(w, 404, `{"errorMessages":["Site temporarily unavailable"]}`)
		case user != email:
			writeAnswer(w, 401, `{"message":"Client must be authenticated to access this resource.","status-code":401}`)
		case pass == token || pass == legacy:
			writeAnswer(w, 200, `{"self":"https://acme.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g","accountId":"5b10a2844c20165700ede21g","accountType":"atlassian","emailAddress":"Ops@acme.test","displayName":"Acme Ops","active":true,"timeZone":"Europe/Paris"}`)
		case pass == hidden:
			writeAnswer(w, 200, `{"accountId":"5b10a2844c20165700ede21g","accountType":"atlassian","displayName":"Acme Ops","active":true}`)
		default:
			writeAnswer(w, 401, `{"message":"Client must be authenticated to access this resource.","status-code":401}`)
		}
	})
	parts := func(sites, emails []string) []finding.Finding {
		return partFindings("atlassian-site", sites, "atlassian-email", emails)
	}
	acme := parts([]string{"acme"}, []string{email})
	live := liveAs("Ops@acme.test", "Atlassian account ops@acme.test on acme.atlassian.net: Jira/Confluence with the user's permissions")
	runProviderCases(t, atlassian, p.URL, []providerCase{
		{name: "live token", rule: "atlassian-api-token", secret: token, others: acme, want: live},
		{name: "legacy token", rule: "atlassian-legacy-api-token", secret: legacy, others: acme, want: live},
		{name: "jira legacy token", rule: "jira-api-token", secret: legacy, others: acme, want: live},
		{name: "email hidden by the profile's privacy", rule: "atlassian-api-token", secret: hidden, others: acme,
			want: liveAs("Acme Ops", "Atlassian account ops@acme.test on acme.atlassian.net: Jira/Confluence with the user's permissions")},
		// Another address (and an SSH remote) before the account's: each
		// is tried until one signs in.
		{name: "second email", rule: "atlassian-api-token", secret: token,
			others: parts([]string{"acme"}, []string{"git@github.com", "jane@elsewhere.test", "OPS@acme.test"}), want: live},
		{name: "dead token", rule: "atlassian-api-token", secret: dead, others: acme, want: invalidBecause("Atlassian rejected the credential (HTTP 401): Client must be authenticated")},
		{name: "dead with every email", rule: "atlassian-api-token", secret: dead, others: parts([]string{"acme"}, []string{"jane@elsewhere.test", email}),
			want: invalidBecause("with each of the 2 email addresses found beside it")},
		{name: "CAPTCHA or no access", rule: "atlassian-api-token", secret: captcha, others: acme, want: unknownBecause("unexpected answer from Atlassian: HTTP 403")},
		{name: "no such site", rule: "atlassian-api-token", secret: noSuchSite, others: acme, want: unknownBecause("Atlassian has no site acme.atlassian.net (HTTP 404)")},
		{name: "rate limited", rule: "atlassian-api-token", secret: busy, others: acme, want: unknownBecause("rate limited by Atlassian")},
		{name: "no email", rule: "atlassian-api-token", secret: token, others: parts([]string{"acme"}, []string{"not-an-email", "git@bitbucket.org"}), want: unknownBecause("no email address found")},
		// The user set the endpoint (here the fake) to their site.
		{name: "site from the endpoint", rule: "atlassian-api-token", secret: token, others: parts(nil, []string{email}),
			want: liveAs("Ops@acme.test", "Atlassian account ops@acme.test on the endpoint set: Jira/Confluence with the user's permissions")},
	})
}

// TestAtlassianSite: the site found is the one host asked,
// SITE.atlassian.net; a site that is not one DNS label is never asked;
// without a site or an email (and without an endpoint override) nothing is
// sent anywhere.
func TestAtlassianSite(t *testing.T) {
	t.Parallel()
	c, err := newCallers([]*Verifier{atlassian}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	call := c["atlassian"].call("s")
	sc, err := call.Tenant("Acme-Eng")
	if err != nil {
		t.Fatal(err)
	}
	if u, err := sc.resolve("/rest/api/3/myself"); err != nil || u.String() != "https://acme-eng.atlassian.net/rest/api/3/myself" {
		t.Errorf("%v %v", u, err)
	}
	for _, bad := range []string{"evil.example/x", "acme.evil", "127.0.0.1", "acme_eng", "acme:443"} {
		if got := partCandidates([]string{bad}, tenantLabel().MatchString); len(got) != 0 {
			t.Errorf("site %q taken: %q", bad, got)
		}
	}
	token := "ATATT3" + synth(alphaB62, 186)
	for name, tc := range map[string]struct {
		parts []finding.Finding
		want  string
	}{
		"no site":           {[]finding.Finding{mkFinding("atlassian-email", "ops@acme.test")}, "no SITE.atlassian.net address found"},
		"site not a label":  {[]finding.Finding{mkFinding("atlassian-site", "acme.evil"), mkFinding("atlassian-email", "ops@acme.test")}, "no SITE.atlassian.net address found"},
		"no email":          {[]finding.Finding{mkFinding("atlassian-site", "acme")}, "no email address found"},
		"neither":           {nil, "no SITE.atlassian.net address and no email address"},
		"email without @":   {[]finding.Finding{mkFinding("atlassian-site", "acme"), mkFinding("atlassian-email", "ops.acme.test")}, "no email address found"},
		"email with colons": {[]finding.Finding{mkFinding("atlassian-site", "acme"), mkFinding("atlassian-email", "a:b@acme.test")}, "no email address found"},
	} {
		fs := append([]finding.Finding{mkFinding("atlassian-api-token", token)}, tc.parts...)
		if _, err := Run(context.Background(), fs, Options{Verifiers: []*Verifier{atlassian}}); err != nil {
			t.Fatal(err)
		}
		checkVerdict(t, name, fs[0].Verification, verdict{status: finding.Unknown, reason: tc.want})
	}
}

// TestAtlassianFromFile: in a scan, the site and the email come from the
// part-only rules that find them beside the token.
func TestAtlassianFromFile(t *testing.T) {
	t.Parallel()
	token := "ATATT3" + synth(alphaB62, 186)
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectCall(t, r, "GET", "/rest/api/3/myself")
		if user, pass, _ := r.BasicAuth(); user != "ops@acme.test" || pass != token {
			writeAnswer(w, 401, `{"message":"Client must be authenticated to access this resource."}`)
			return
		}
		writeAnswer(w, 200, `{"accountId":"5b10a2844c20165700ede21g","emailAddress":"ops@acme.test","displayName":"Acme Ops"}`)
	})
	content := "# CI settings\nJIRA_URL=https://acme-eng.atlassian.net\nJIRA_EMAIL=ops@acme.test\nJIRA_API_TOKEN=" + token + "\n"
	fs := detectRule(t, "atlassian-api-token", "ci/jira.env", content)
	if len(fs) != 1 {
		t.Fatalf("%d findings of the token, want 1", len(fs))
	}
	got := verifyFinding(t, atlassian, p.URL, fs[0])
	checkVerdict(t, "jira.env", got, verdict{status: finding.Verified, identity: "ops@acme.test", reaches: "on acme-eng.atlassian.net"})
}
