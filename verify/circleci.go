package verify

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// CircleCI: GET /api/v2/me names the user of a personal API token; 401 is
// a rejected one. A legacy 40-hex token may be a project token, which
// /me rejects too and which can't be checked without its project's slug,
// so a rejected legacy token stays unknown. CCIPRJ_ project tokens are
// not asked about for the same reason.
var circleCI = &Verifier{
	Provider: "circleci",
	Rules:    []string{"circleci-token", "circleci-legacy-token"},
	Endpoint: "https://circleci.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		h := http.Header{"Circle-Token": {req.Secret}, "Accept": {"application/json"}}
		resp, err := call.Get(ctx, "/api/v2/me", h)
		if err != nil {
			return failed(err)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			if v.Status == finding.Invalid && !strings.HasPrefix(req.Secret, "CCIPAT_") {
				return unknown("CircleCI rejected it as a personal token; a project token can't be checked without its project")
			}
			return v
		}
		var me struct {
			ID    string `json:"id"`
			Login string `json:"login"`
			Name  string `json:"name"`
		}
		if err := decodeJSON(resp, &me); err != nil {
			return unknown("%v", err)
		}
		v.Identity = me.Login
		if v.Identity == "" {
			v.Identity = me.ID
		}
		v.Reaches = "CircleCI user " + v.Identity + ": the projects it follows, their pipelines and environment variables"
		return v
	},
}
