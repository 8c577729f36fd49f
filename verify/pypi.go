package verify

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// pypiTestPrefix starts the tokens of TestPyPI (the macaroon's location,
// test.pypi.org), which only test.pypi.org knows.
const pypiTestPrefix = "pypi-AgENdGVzdC5weXBpLm9yZw"

// pypiProbeProject is the project the probe names. Nothing is ever
// uploaded to it: the probe's form fails validation before PyPI looks a
// project up (let alone creates one).
const pypiProbeProject = "leakhound-verify-probe"

// PyPI has no token introspection endpoint; the documented cheap check is
// an upload that cannot succeed. POST /legacy/ with Basic __token__:TOKEN
// and a form of :action, protocol_version, name and version, with neither
// metadata_version nor a content part: Warehouse checks the token first
// and answers 403 "Invalid or non-existent authentication information" to
// a deleted or unknown one; a live token gets past that to the form's
// validation (metadata_version is required, then the file), which answers
// 400 before any project is looked up or created, so nothing is ever
// published or registered. The answer names no account, and the token's
// scope (every project of its owner, or one) can't be read without an
// upload. Tokens of TestPyPI go to test.pypi.org.
//
// Warehouse finds a token by its identifier at this step and checks its
// signature only when it checks the upload permission, after the form: a
// live token's identifier with a forged signature would pass as live.
var pyPI = &Verifier{
	Provider: "pypi",
	Rules:    []string{"pypi-token"},
	Endpoint: "https://upload.pypi.org",
	Sites:    map[string]string{"test": "https://test.pypi.org"},
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		index := "PyPI"
		if strings.HasPrefix(req.Secret, pypiTestPrefix) {
			index = "TestPyPI"
			var err error
			if call, err = call.Site("test"); err != nil {
				return unknown("%v", err)
			}
		}
		body, contentType, err := pypiProbe()
		if err != nil {
			return unknown("build the upload form: %v", err)
		}
		h := withHeader(basicAuth("__token__", req.Secret), "Content-Type", contentType)
		resp, err := call.Do(ctx, http.MethodPost, "/legacy/", h, body)
		if err != nil {
			return failed(err)
		}
		msg := pypiMessage(resp)
		switch {
		case resp.Status == http.StatusForbidden && strings.Contains(strings.ToLower(msg), "non-existent authentication"):
			return invalid("%s rejected the token (HTTP 403): %s", index, msg)
		case resp.Status == http.StatusBadRequest,
			resp.Status == http.StatusForbidden && strings.Contains(msg, "isn't allowed to upload"):
			// Past authentication: the form (or the project) was refused.
			return finding.Verification{Status: finding.Verified, Reaches: index + " API token: publishes packages of its owner's projects"}
		case resp.Status == http.StatusTooManyRequests:
			return unknown("rate limited by %s (HTTP 429)", index)
		case msg != "":
			return unknown("unexpected answer from %s: HTTP %d: %s", index, resp.Status, msg)
		}
		return unknown("unexpected answer from %s: HTTP %d", index, resp.Status)
	},
}

// pypiProbe writes the probe's multipart form: no metadata_version and no
// content part, so it can never be a valid upload.
func pypiProbe() (body []byte, contentType string, err error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range [][2]string{
		{":action", "file_upload"},
		{"protocol_version", "1"},
		{"name", pypiProbeProject},
		{"version", "0.0.0"},
	} {
		if err := w.WriteField(f[0], f[1]); err != nil {
			return nil, "", err
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

var (
	htmlTitle = regexp.MustCompile(`(?is)<title>(.*?)</title>`)
	htmlTag   = regexp.MustCompile(`<[^>]*>`)
)

// pypiMessage is the text of Warehouse's answer: its error pages say
// what went wrong in the title ("403 Invalid or non-existent
// authentication information. ..."), other answers in plain text or
// JSON.
func pypiMessage(resp *Response) string {
	if m := providerMessage(resp); m != "" {
		return m
	}
	text := string(resp.Body)
	if m := htmlTitle.FindStringSubmatch(text); m != nil {
		text = m[1]
	} else {
		text = htmlTag.ReplaceAllString(text, " ")
	}
	return clipMessage(text)
}
