package verify

import (
	"context"
	"net/http"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// Google API keys (AIza..., and the AQ. keys Google AI Studio issues for
// Gemini): listing the Gemini API's models is free and
// needs only a key, and Google's answer says what the key is even where
// the key may not call that API: API_KEY_INVALID for a deleted or unknown
// key; SERVICE_DISABLED (with the key's project) or a restriction (other
// APIs, referrers, IP addresses, apps) for a key that exists, which makes
// it live. The key travels in X-Goog-Api-Key, not in the URL.
var googleAPIKey = &Verifier{
	Provider: "googleapikey",
	Rules:    []string{"gcp-api-key", "google-maps-key-in-url", "google-gemini-api-key"},
	Endpoint: "https://generativelanguage.googleapis.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		resp, err := call.Get(ctx, "/v1beta/models?pageSize=1", header("X-Goog-Api-Key", req.Secret))
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusOK {
			return finding.Verification{Status: finding.Verified, Reaches: "Google API key with the Gemini API enabled: model calls billed to its project"}
		}
		var body struct {
			Error struct {
				Message string `json:"message"`
				Status  string `json:"status"`
				Details []struct {
					Reason   string            `json:"reason"`
					Metadata map[string]string `json:"metadata"`
				} `json:"details"`
			} `json:"error"`
		}
		decodeJSON(resp, &body)
		reason, project := "", ""
		for _, d := range body.Error.Details {
			if d.Reason != "" {
				reason = d.Reason
				project = strings.TrimPrefix(d.Metadata["consumer"], "projects/")
				break
			}
		}
		live := func(note string) finding.Verification {
			v := finding.Verification{Status: finding.Verified, Reaches: "Google API key (" + note + ")"}
			if project != "" {
				v.Identity = "project " + project
				v.Reaches = "Google Cloud project " + project + " API key (" + note + ")"
			}
			return v
		}
		switch reason {
		case "API_KEY_INVALID", "API_KEY_EXPIRED":
			return invalid("Google: %s", reason)
		case "CONSUMER_SUSPENDED":
			return invalid("Google: the key's project is suspended")
		case "SERVICE_DISABLED":
			return live("Gemini API not enabled; the APIs it may call are not known")
		case "API_KEY_SERVICE_BLOCKED":
			return live("restricted to other APIs")
		case "API_KEY_HTTP_REFERRER_BLOCKED":
			return live("restricted to some referrers, which a caller can claim")
		case "API_KEY_IP_ADDRESS_BLOCKED":
			return live("restricted to some IP addresses")
		case "API_KEY_ANDROID_APP_BLOCKED", "API_KEY_IOS_APP_BLOCKED":
			return live("restricted to some mobile apps, whose identity a caller can claim")
		case "BILLING_DISABLED":
			return live("its project's billing is disabled")
		}
		if resp.Status == http.StatusTooManyRequests {
			return unknown("rate limited (HTTP 429 %s)", reason)
		}
		// Anything else (a 401 saying the API wants OAuth, a server
		// error) says nothing of the key.
		return unknown("Google: HTTP %d %s %s", resp.Status, body.Error.Status, reason)
	},
}
