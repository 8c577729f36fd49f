package verify

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// Sentry: GET /api/0/ returns the scopes of the token that authenticated
// it and, for a user token, the user; 401 is a rejected token. An
// organization token (sntrys_) carries its organization and region in
// clear, so it is asked in its own region (us.sentry.io, de.sentry.io);
// one that names a self-hosted Sentry is not sent to sentry.io at all.
var sentry = &Verifier{
	Provider: "sentry",
	Rules:    []string{"sentry-user-token", "sentry-org-token", "sentry-auth-token"},
	Endpoint: "https://sentry.io",
	Sites:    map[string]string{"us": "https://us.sentry.io", "de": "https://de.sentry.io"},
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		org := sentryOrgClaims(req.Secret)
		if org != nil && !call.overridden {
			switch host := org.host(); host {
			case "sentry.io", "":
			case "us.sentry.io", "de.sentry.io":
				site, err := call.Site(strings.TrimSuffix(host, ".sentry.io"))
				if err != nil {
					return unknown("%v", err)
				}
				call = site
			default:
				return unknown("the token names a self-hosted Sentry at %s; check it with --verify-endpoint sentry=URL", host)
			}
		}
		resp, err := call.Get(ctx, "/api/0/", bearer(req.Secret))
		if err != nil {
			return failed(err)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			if v.Status == finding.Invalid && org == nil && !call.overridden {
				v.Reason += "; a self-hosted Sentry's token is checked with --verify-endpoint sentry=URL"
			}
			return v
		}
		var body struct {
			Auth *struct {
				Scopes []string `json:"scopes"`
			} `json:"auth"`
			User *struct {
				Username string `json:"username"`
				Email    string `json:"email"`
			} `json:"user"`
		}
		if err := decodeJSON(resp, &body); err != nil {
			return unknown("%v", err)
		}
		if body.Auth == nil {
			return unknown("Sentry answered without authenticating the token")
		}
		v.Scopes = body.Auth.Scopes
		switch {
		case body.User != nil:
			v.Identity = body.User.Email
			if v.Identity == "" {
				v.Identity = body.User.Username
			}
			v.Reaches = "Sentry user " + v.Identity + " and its organizations"
		case org != nil && org.Org != "":
			v.Identity = org.Org
			v.Reaches = "Sentry organization " + org.Org + " (organization token)"
		default:
			v.Reaches = "Sentry organization (organization or integration token)"
		}
		return v
	},
}

// sentryOrg is what an organization token says of itself:
// sntrys_<base64 JSON>_<secret>.
type sentryOrg struct {
	URL       string `json:"url"`
	RegionURL string `json:"region_url"`
	Org       string `json:"org"`
}

// host is the host of the Sentry the token belongs to.
func (o *sentryOrg) host() string {
	raw := o.RegionURL
	if raw == "" {
		raw = o.URL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return strings.ToLower(u.Hostname())
}

func sentryOrgClaims(token string) *sentryOrg {
	rest, ok := strings.CutPrefix(token, "sntrys_")
	if !ok {
		return nil
	}
	payload, _, _ := strings.Cut(rest, "_")
	data, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(payload, "="))
	if err != nil {
		return nil
	}
	var o sentryOrg
	if json.Unmarshal(data, &o) != nil {
		return nil
	}
	return &o
}
