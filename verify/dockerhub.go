package verify

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/leakhound/leakhound/finding"
)

// Docker Hub: a personal or organization access token authenticates only
// with its user or organization name, which the rule reads from a docker
// login line that passes both (-u and -p). POST /v2/auth/token exchanges the
// pair for a short-lived access token (not used) and answers 401 to a
// revoked token or a wrong name.
var dockerHub = &Verifier{
	Provider: "dockerhub",
	Rules:    []string{"dockerhub-token"},
	Endpoint: "https://hub.docker.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		name := req.Groups["username"]
		if name == "" {
			return unknown("a Docker Hub token is checked with its user or organization name, which was not found beside it")
		}
		body, err := json.Marshal(map[string]string{"identifier": name, "secret": req.Secret})
		if err != nil {
			return unknown("%v", err)
		}
		h := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}
		resp, err := call.Do(ctx, http.MethodPost, "/v2/auth/token", h, body)
		if err != nil {
			return failed(err)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return v
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := decodeJSON(resp, &tok); err != nil || tok.AccessToken == "" {
			return unknown("answer is not the JSON expected (HTTP %d)", resp.Status)
		}
		v.Identity = name
		v.Reaches = "Docker Hub account " + name + ": its repositories, as the token's scopes allow"
		return v
	},
}
