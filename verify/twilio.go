package verify

import (
	"context"
	"net/http"

	"github.com/leakhound/leakhound/finding"
)

// Twilio: an API key (SK... key SID and its secret) lists the account's
// Verify services (GET https://verify.twilio.com/v2/Services): a Standard
// key may, while the /Accounts resources of api.twilio.com need a Main
// key; listing is free, and each service names the account SID.
//
// twilio-auth-token finds both auth tokens and API key secrets. An auth
// token authenticates only with its account SID (AC...), which no rule
// reports, so without an SK key SID beside it the answer is Unknown.
var twilio = &Verifier{
	Provider: "twilio",
	Rules:    []string{"twilio-api-key", "twilio-auth-token"},
	Parts:    []string{"twilio-auth-token", "twilio-api-key"},
	Endpoint: "https://verify.twilio.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		var pairs [][2]string // key SID, secret
		if req.RuleID == "twilio-api-key" {
			for _, s := range req.Part("twilio-auth-token") {
				pairs = append(pairs, [2]string{req.Secret, s})
			}
		} else {
			for _, sid := range req.Part("twilio-api-key") {
				pairs = append(pairs, [2]string{sid, req.Secret})
			}
		}
		if len(pairs) == 0 {
			if req.RuleID == "twilio-api-key" {
				return unknown("no Twilio API key secret found beside the key SID")
			}
			return unknown("an auth token needs its account SID (AC...), which no rule reports, and an API key secret its key SID (SK...): none found beside it")
		}
		if len(pairs) > 4 {
			pairs = pairs[:4]
		}
		var last finding.Verification
		for _, p := range pairs {
			last = twilioKey(ctx, call, p[0], p[1])
			if last.Status == finding.Verified {
				return last
			}
		}
		return last
	},
}

func twilioKey(ctx context.Context, call *Call, sid, secret string) finding.Verification {
	resp, err := call.Get(ctx, "/v2/Services?PageSize=1", basicAuth(sid, secret))
	if err != nil {
		return failed(err)
	}
	if resp.Status == http.StatusUnauthorized {
		return rejectedBy("Twilio", resp)
	}
	v, ok := byStatus(resp, false)
	if !ok {
		// 403 (code 70051) is a restricted key without Verify access or
		// a suspended account: Twilio's answer doesn't say which.
		return unclear("Twilio", resp)
	}
	var body struct {
		Services []struct {
			AccountSID string `json:"account_sid"`
		} `json:"services"`
		Meta *struct{} `json:"meta"`
	}
	if err := decodeJSON(resp, &body); err != nil {
		return unknown("%v", err)
	}
	if body.Meta == nil {
		return unknown("Twilio's answer is not a list of services")
	}
	v.Identity = "API key " + sid
	v.Reaches = "Twilio account (messaging, voice, numbers, billing)"
	if len(body.Services) > 0 && body.Services[0].AccountSID != "" {
		v.Reaches = "Twilio account " + body.Services[0].AccountSID + " (messaging, voice, numbers, billing)"
	}
	return v
}
