package verify

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// Atlassian API tokens (ATATT3 and the legacy 24-character ones) belong
// to an Atlassian account and sign in with Basic EMAIL:TOKEN on the
// account's Cloud sites: GET https://SITE.atlassian.net/rest/api/3/myself
// names the user. The site is the {tenant}, from a SITE.atlassian.net
// address in the same file (the part-only rule atlassian-site), and the
// email is an address in the same file (atlassian-email); up to three of
// each are tried until one answers. 401 is a dead token or the wrong
// email, which can't be told apart: when every pair gets it, the answer
// is invalid. 403 (a CAPTCHA after failed sign-ins, a token without
// access) and anything else is unknown, and nothing more is asked; 404 is
// a site that doesn't exist, and the next site is tried. Only
// *.atlassian.net hosts are ever asked (Call.Tenant takes one DNS label),
// unless the user set the endpoint (--verify-endpoint
// atlassian=https://SITE.atlassian.net), which then needs no site.
var atlassian = &Verifier{
	Provider: "atlassian",
	Rules:    []string{"atlassian-api-token", "atlassian-legacy-api-token", "jira-api-token"},
	Parts:    []string{"atlassian-site", "atlassian-email"},
	Endpoint: "https://{tenant}.atlassian.net",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		sites := partCandidates(req.Part("atlassian-site"), tenantLabel().MatchString)
		emails := partCandidates(req.Part("atlassian-email"), atlassianAccount)
		if len(sites) == 0 {
			if _, err := call.Tenant(""); err == nil {
				sites = []string{""} // the endpoint the user set
			}
		}
		switch {
		case len(sites) == 0 && len(emails) == 0:
			return unknown("an Atlassian API token signs in only with its account's email on a site: no SITE.atlassian.net address and no email address found beside it")
		case len(sites) == 0:
			return unknown("an Atlassian API token signs in only on a site: no SITE.atlassian.net address found beside it; name it with --verify-endpoint atlassian=https://SITE.atlassian.net")
		case len(emails) == 0:
			return unknown("an Atlassian API token signs in only with its account's email: no email address found beside it")
		}
		var rejected, noSite finding.Verification
		for _, site := range sites {
			siteCall, err := call.Tenant(site)
			if err != nil {
				return unknown("site %v", err)
			}
		sameSite:
			for _, email := range emails {
				v, status := atlassianMyself(ctx, siteCall, site, email, req.Secret)
				switch {
				case v.Status == finding.Invalid:
					rejected = v
				case status == http.StatusNotFound:
					noSite = v
					break sameSite
				default:
					return v
				}
			}
		}
		if rejected.Status == finding.Invalid {
			if n := len(emails); n > 1 {
				rejected.Reason += " with each of the " + plural(n, "email address", "email addresses") + " found beside it"
			}
			return rejected
		}
		return noSite
	},
}

// atlassianEmail is an address that can be a Basic auth user name.
var atlassianEmail = lazyRegexp(`^[^@\s:]{1,64}@[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?\.[a-z]{2,24}$`)

// atlassianAccount is an email address that can be an account's: git@
// addresses are SSH remotes.
func atlassianAccount(s string) bool {
	return atlassianEmail().MatchString(s) && !strings.HasPrefix(s, "git@")
}

// atlassianMyself asks the site who EMAIL:TOKEN is. status is the HTTP
// status of the answer (0 when there was none).
func atlassianMyself(ctx context.Context, call *Call, site, email, token string) (finding.Verification, int) {
	resp, err := call.Get(ctx, "/rest/api/3/myself", withHeader(basicAuth(email, token), "Accept", "application/json"))
	if err != nil {
		return failed(err), 0
	}
	where := "the endpoint set"
	if site != "" {
		where = site + ".atlassian.net"
	}
	switch resp.Status {
	case http.StatusUnauthorized:
		return rejectedBy("Atlassian", resp), resp.Status
	case http.StatusNotFound:
		return unknown("Atlassian has no site %s (HTTP 404)", where), resp.Status
	}
	v, ok := byStatus(resp, false)
	if !ok {
		return unclear("Atlassian", resp), resp.Status
	}
	var me struct {
		AccountID    string `json:"accountId"`
		EmailAddress string `json:"emailAddress"`
		DisplayName  string `json:"displayName"`
	}
	if err := decodeJSON(resp, &me); err != nil {
		return unknown("%v", err), resp.Status
	}
	if me.AccountID == "" && me.EmailAddress == "" && me.DisplayName == "" {
		return unknown("Atlassian's answer names no account"), resp.Status
	}
	v.Identity = firstOf(me.EmailAddress, me.DisplayName, me.AccountID)
	v.Reaches = "Atlassian account " + email + " on " + where + ": Jira/Confluence with the user's permissions"
	return v, resp.Status
}
