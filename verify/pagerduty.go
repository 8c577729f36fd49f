package verify

import (
	"context"
	"net/http"

	"github.com/leakhound/leakhound/finding"
)

// PagerDuty: GET /abilities answers any REST API key, general or
// personal, read-only or not, and lists what the account may do; 401 is a
// rejected key. GET /users/me then names the user of a personal (user)
// token; a general access key has no user, so its failure is no verdict.
var pagerDuty = &Verifier{
	Provider: "pagerduty",
	Rules:    []string{"pagerduty-api-key"},
	Endpoint: "https://api.pagerduty.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		h := http.Header{"Authorization": {"Token token=" + req.Secret}, "Accept": {"application/vnd.pagerduty+json;version=2"}}
		resp, err := call.Get(ctx, "/abilities", h)
		if err != nil {
			return failed(err)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return v
		}
		v.Reaches = "PagerDuty account (general access REST API key): incidents, services, schedules and users"
		if resp, err := call.Get(ctx, "/users/me", h); err == nil && resp.Status == http.StatusOK {
			var me struct {
				User struct {
					Email string `json:"email"`
					Name  string `json:"name"`
					Role  string `json:"role"`
				} `json:"user"`
			}
			if decodeJSON(resp, &me) == nil && me.User.Email != "" {
				v.Identity = me.User.Email
				v.Reaches = "PagerDuty account as " + me.User.Email
				if me.User.Role != "" {
					v.Reaches += " (role " + me.User.Role + ")"
				}
			}
		}
		return v
	},
}
