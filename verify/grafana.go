package verify

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// Grafana Cloud: a Cloud Access Policy token (glc_) carries its org id,
// name and region in clear. GET /api/v1/tokens (Cloud API) needs the
// accesspolicies:read scope, which few tokens have, so the answer is read
// with care: 200 and 403 mean the token authenticated; 401 means either a
// rejected token (InvalidCredentials) or a valid one missing the scope
// (a message naming the missing scope, which only an authenticated token
// can get). Service account tokens (glsa_) belong to one Grafana instance
// whose URL no rule finds, so they are not asked about.
var grafanaCloud = &Verifier{
	Provider: "grafana",
	Rules:    []string{"grafana-cloud-token"},
	Endpoint: "https://grafana.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		claims := grafanaClaims(req.Secret)
		region := "us"
		if grafanaRegion.MatchString(claims.Meta.Region) {
			region = claims.Meta.Region
		}
		resp, err := call.Get(ctx, "/api/v1/tokens?region="+url.QueryEscape(region), bearer(req.Secret))
		if err != nil {
			return failed(err)
		}
		live := finding.Verification{Status: finding.Verified, Identity: claims.Org}
		live.Reaches = "Grafana Cloud"
		if claims.Org != "" {
			live.Reaches += " org " + claims.Org
		}
		if claims.Name != "" {
			live.Reaches += " (token " + claims.Name + ")"
		}
		switch resp.Status {
		case http.StatusOK:
			live.Reaches += ": may read the org's access policies"
			return live
		case http.StatusForbidden:
			return live
		case http.StatusUnauthorized:
			var e struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			}
			decodeJSON(resp, &e)
			if strings.Contains(strings.ToLower(e.Message), "missing required scope") {
				live.Reaches += " (token without accesspolicies:read)"
				return live
			}
			return invalid("Grafana Cloud: %s", lowerOr(e.Code, "HTTP 401"))
		}
		v, _ := byStatus(resp, false)
		return v
	},
}

// grafanaRegion is what a region name looks like (prod-us-east-0).
var grafanaRegion = regexp.MustCompile(`^[a-z0-9-]{1,40}$`)

// grafanaToken is what a glc_ token says of itself: glc_<base64 JSON>.
type grafanaToken struct {
	Org  string `json:"o"`
	Name string `json:"n"`
	Meta struct {
		Region string `json:"r"`
	} `json:"m"`
}

func grafanaClaims(token string) grafanaToken {
	var t grafanaToken
	payload := strings.TrimRight(strings.TrimPrefix(token, "glc_"), "=")
	if data, err := base64.RawStdEncoding.DecodeString(payload); err == nil {
		json.Unmarshal(data, &t)
	}
	return t
}
