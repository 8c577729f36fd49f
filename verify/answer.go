package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/leakhound/leakhound/finding"
)

// bearer is an Authorization: Bearer header.
func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// header is a one-header http.Header.
func header(name, value string) http.Header {
	h := http.Header{}
	h.Set(name, value)
	return h
}

// unknown is an answer that says neither yes nor no.
func unknown(format string, args ...any) finding.Verification {
	return finding.Verification{Status: finding.Unknown, Reason: fmt.Sprintf(format, args...)}
}

// invalid is a provider's no.
func invalid(format string, args ...any) finding.Verification {
	return finding.Verification{Status: finding.Invalid, Reason: fmt.Sprintf(format, args...)}
}

// failed turns a request error into Unknown.
func failed(err error) finding.Verification {
	return unknown("request failed: %v", err)
}

// byStatus reads the common shape of an answer: 2xx live, 401 (and 403
// where the provider uses it for bad keys) rejected, 429 rate limited,
// anything else unknown. ok is true only for a 2xx.
func byStatus(resp *Response, forbiddenIsInvalid bool) (v finding.Verification, ok bool) {
	switch {
	case resp.Status >= 200 && resp.Status < 300:
		return finding.Verification{Status: finding.Verified}, true
	case resp.Status == http.StatusUnauthorized:
		return invalid("the provider rejected the credential (HTTP 401)"), false
	case resp.Status == http.StatusForbidden && forbiddenIsInvalid:
		return invalid("the provider rejected the credential (HTTP 403)"), false
	case resp.Status == http.StatusTooManyRequests:
		return unknown("rate limited (HTTP 429)"), false
	}
	return unknown("unexpected answer: HTTP %d", resp.Status), false
}

// decodeJSON reads a JSON answer into v; a body that is not JSON is an
// unexpected answer.
func decodeJSON(resp *Response, v any) error {
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return fmt.Errorf("answer is not the JSON expected (HTTP %d)", resp.Status)
	}
	return nil
}

// splitList splits a comma-separated header list ("repo, gist").
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseTime reads a provider's timestamp in the first layout that fits.
func parseTime(s string, layouts ...string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	if len(layouts) == 0 {
		layouts = []string{time.RFC3339, "2006-01-02"}
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// getJSON is the commonest check: GET path with h and, for a 2xx answer,
// decode the JSON body into into. ok is false when the answer was not a
// live one (or not the JSON expected): v then says why. On success v is
// Verified, for the caller to add what the answer tells.
func getJSON(ctx context.Context, call *Call, path string, h http.Header, forbiddenIsInvalid bool, into any) (v finding.Verification, resp *Response, ok bool) {
	resp, err := call.Get(ctx, path, h)
	if err != nil {
		return failed(err), nil, false
	}
	if v, ok = byStatus(resp, forbiddenIsInvalid); !ok {
		return v, resp, false
	}
	if err := decodeJSON(resp, into); err != nil {
		return unknown("%v", err), resp, false
	}
	return v, resp, true
}
