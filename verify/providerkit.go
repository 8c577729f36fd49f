package verify

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// basicAuth is an Authorization: Basic header for user and password.
func basicAuth(user, password string) http.Header {
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))}}
}

// withHeader adds name: value to h and returns it.
func withHeader(h http.Header, name, value string) http.Header {
	h.Set(name, value)
	return h
}

// maxMessage caps a provider's error text quoted in a reason.
const maxMessage = 160

// providerMessage returns the error text of a provider's answer, for a
// reason: the first of the common JSON error shapes that is present
// ({"error": "..."}, {"error": {"message" | "type"}}, {"errors": "..."},
// {"errors": [{"message" | "detail" | "code"}]}, {"message"}, {"detail"},
// {"title"}, ...), or "".
// Providers name the reason there (revoked, expired, missing scope).
func providerMessage(resp *Response) string {
	var body struct {
		Message      string          `json:"message"`
		ErrorMessage string          `json:"ErrorMessage"`
		Description  string          `json:"description"`
		Detail       string          `json:"detail"`
		Title        string          `json:"title"`
		Err          string          `json:"err"`
		ErrorField   json.RawMessage `json:"error"`
		Errors       json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(resp.Body, &body) != nil {
		return ""
	}
	var plain string
	var nested struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Tag     string `json:".tag"`
	}
	var list []struct {
		Message string `json:"message"`
		Detail  string `json:"detail"`
		Code    any    `json:"code"`
	}
	var msg string
	switch {
	case json.Unmarshal(body.ErrorField, &plain) == nil && plain != "":
		msg = plain
	case json.Unmarshal(body.ErrorField, &nested) == nil && (nested.Message != "" || nested.Type != "" || nested.Tag != ""):
		msg = firstOf(nested.Message, nested.Type, nested.Tag)
	case json.Unmarshal(body.Errors, &plain) == nil && plain != "":
		msg = plain
	case json.Unmarshal(body.Errors, &list) == nil && len(list) > 0:
		msg = firstOf(list[0].Message, list[0].Detail, codeText(list[0].Code))
	default:
		msg = firstOf(body.Message, body.ErrorMessage, body.Description, body.Detail, body.Title, body.Err)
	}
	return clipMessage(msg)
}

// clipMessage is a provider's message as a reason quotes it: whitespace
// runs made one space, at most maxMessage bytes.
func clipMessage(msg string) string {
	msg = strings.Join(strings.Fields(msg), " ")
	if len(msg) > maxMessage {
		msg = msg[:maxMessage] + "..."
	}
	return msg
}

// maxPartCandidates caps how many of the values part-only rules found
// beside a secret (tenant and client ids, sites, email addresses) a
// verifier tries, each.
const maxPartCandidates = 3

// partCandidates are the first maxPartCandidates distinct values found
// that are valid, trimmed and lowercased.
func partCandidates(found []string, valid func(string) bool) []string {
	var out []string
	for _, s := range found {
		s = strings.ToLower(strings.TrimSpace(s))
		if valid(s) && !slices.Contains(out, s) {
			out = append(out, s)
			if len(out) == maxPartCandidates {
				break
			}
		}
	}
	return out
}

// codeText writes an error code that may be a number or a string.
func codeText(c any) string {
	switch c := c.(type) {
	case string:
		return c
	case float64:
		return strconv.FormatFloat(c, 'f', -1, 64)
	}
	return ""
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// rejectedBy is the provider's no, in its own words when it gave any.
func rejectedBy(provider string, resp *Response) finding.Verification {
	if m := providerMessage(resp); m != "" {
		return invalid("%s rejected the credential (HTTP %d): %s", provider, resp.Status, m)
	}
	return invalid("%s rejected the credential (HTTP %d)", provider, resp.Status)
}

// unclear is an answer that says neither yes nor no, with the provider's
// words when it gave any.
func unclear(provider string, resp *Response) finding.Verification {
	if resp.Status == http.StatusTooManyRequests {
		return unknown("rate limited by %s (HTTP 429)", provider)
	}
	if m := providerMessage(resp); m != "" {
		return unknown("unexpected answer from %s: HTTP %d: %s", provider, resp.Status, m)
	}
	return unknown("unexpected answer from %s: HTTP %d", provider, resp.Status)
}

// modelList checks a key of an OpenAI-compatible inference API by listing
// its models (GET <endpoint>/models): free, read-only, and open to every
// key, though it names no account. 401 is a dead key.
func modelList(name string) func(ctx context.Context, call *Call, req Request) finding.Verification {
	return func(ctx context.Context, call *Call, req Request) finding.Verification {
		resp, err := call.Get(ctx, "/models", bearer(req.Secret))
		if err != nil {
			return failed(err)
		}
		if resp.Status == 401 {
			return rejectedBy(name, resp)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear(name, resp)
		}
		// Together answers a bare array, the others {"data": [...]}.
		var list struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		var bare []struct {
			ID string `json:"id"`
		}
		n := 0
		if decodeJSON(resp, &list) == nil {
			n = len(list.Data)
		} else if err := decodeJSON(resp, &bare); err == nil {
			n = len(bare)
		} else {
			return unknown("%v", err)
		}
		v.Reaches = name + " API (" + plural(n, "model", "models") + " available to the key)"
		return v
	}
}
