package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// GitHubRevocable reports whether GitHub's credential revocation API takes
// a token of this kind: classic and fine-grained personal access tokens,
// OAuth app tokens, and GitHub App user and refresh tokens.
func GitHubRevocable(token string) bool {
	for _, p := range []string{"ghp_", "github_pat_", "gho_", "ghu_", "ghr_"} {
		if strings.HasPrefix(token, p) {
			return true
		}
	}
	return false
}

// maxRevokeBatch is how many credentials GitHub takes per request.
const maxRevokeBatch = 1000

// RevokeGitHub submits tokens to GitHub's credential revocation API
// (POST /credentials/revoke, unauthenticated: it exists for credentials
// found exposed that the caller does not own; GitHub notifies the owners).
// endpoint "" is https://api.github.com; an override may be http and
// private (GitHub Enterprise Server, tests). It returns how many tokens
// GitHub accepted.
func RevokeGitHub(ctx context.Context, tokens []string, endpoint string) (int, error) {
	overridden := endpoint != ""
	if !overridden {
		endpoint = "https://api.github.com"
	}
	base, err := url.Parse(endpoint)
	if err != nil || base.Host == "" || (base.Scheme != "https" && !(overridden && base.Scheme == "http")) {
		return 0, fmt.Errorf("GitHub API URL %q is not an https:// URL", endpoint)
	}
	call := &Call{client: newHTTPClient(30*time.Second, overridden), base: base, overridden: overridden,
		limits: &hostLimits{perHost: 1, sem: map[string]chan struct{}{}}}
	done := 0
	for start := 0; start < len(tokens); start += maxRevokeBatch {
		batch := tokens[start:min(start+maxRevokeBatch, len(tokens))]
		body, err := json.Marshal(map[string][]string{"credentials": batch})
		if err != nil {
			return done, err
		}
		h := http.Header{"Accept": {"application/vnd.github+json"}, "X-GitHub-Api-Version": {"2022-11-28"}, "Content-Type": {"application/json"}}
		resp, err := call.Do(ctx, http.MethodPost, "/credentials/revoke", h, body)
		if err != nil {
			return done, scrubAll(err, batch)
		}
		if resp.Status != http.StatusAccepted && resp.Status != http.StatusOK {
			var e struct {
				Message string `json:"message"`
			}
			json.Unmarshal(resp.Body, &e)
			return done, fmt.Errorf("GitHub refused the revocation (HTTP %d): %s", resp.Status, scrubAll(fmt.Errorf("%s", e.Message), batch))
		}
		done += len(batch)
	}
	return done, nil
}

// scrubAll removes every token of batch from an error's text.
func scrubAll(err error, batch []string) error {
	msg := err.Error()
	for _, t := range batch {
		msg = strings.ReplaceAll(msg, t, "[secret]")
	}
	return fmt.Errorf("%s", msg)
}
