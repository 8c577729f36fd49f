package verify

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"github.com/leakhound/leakhound/finding"
)

// pypiErrorPage is Warehouse's error page: the message is its title.
func pypiErrorPage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(status)
	io.WriteString(w, "<html>\n <head>\n  <title>"+msg+"</title>\n </head>\n <body>\n  <h1>"+msg+"</h1>\n  Access was denied to this resource.<br/><br/>\n </body>\n</html>")
}

// checkPyPIProbe reports a request that is not the upload probe: POST
// /legacy/ with Basic __token__, and a multipart form of exactly the four
// probe fields, with no file content and no metadata_version (either
// would let the upload go further than authentication).
func checkPyPIProbe(t *testing.T, r *http.Request) (token string) {
	t.Helper()
	expectCall(t, r, "POST", "/legacy/")
	user, token, ok := r.BasicAuth()
	if !ok || user != "__token__" {
		t.Errorf("auth user %q (basic %v), want __token__", user, ok)
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		t.Errorf("content type %q, want multipart/form-data", r.Header.Get("Content-Type"))
		return token
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	got := map[string]string{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("multipart body: %v", err)
			return token
		}
		if part.FileName() != "" {
			t.Errorf("the probe carries a file (%q in field %q)", part.FileName(), part.FormName())
		}
		data, _ := io.ReadAll(part)
		if _, dup := got[part.FormName()]; dup {
			t.Errorf("field %q sent twice", part.FormName())
		}
		got[part.FormName()] = string(data)
	}
	want := map[string]string{":action": "file_upload", "protocol_version": "1", "name": "leakhound-verify-probe", "version": "0.0.0"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("field %s = %q, want %q", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected field %q (content, metadata_version and file fields must never be sent)", k)
		}
	}
	return token
}

func TestPyPI(t *testing.T) {
	t.Parallel()
	tok := func() string { return "pypi-AgEIcHlwaS5vcmc" + synth(alphaB62, 150) }
	live, scoped, dead, busy, readOnly := tok(), tok(), tok(), tok(), tok()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		switch checkPyPIProbe(t, r) {
		case live:
			pypiErrorPage(w, 400, "400 '' is an invalid value for Metadata-Version. Error: This field is required. See https://packaging.python.org/specifications/core-metadata for more information.")
		case scoped:
			pypiErrorPage(w, 403, "403 The user 'octo' isn't allowed to upload to project 'leakhound-verify-probe'. See https://pypi.org/help/#project-name for more information.")
		case busy:
			w.Header().Set("Retry-After", "120")
			pypiErrorPage(w, 429, "429 Too Many Requests")
		case readOnly:
			pypiErrorPage(w, 403, "403 Read-only mode: Uploads are temporarily disabled.")
		default:
			pypiErrorPage(w, 403, "403 Invalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth for more information.")
		}
	})
	reaches := "PyPI API token: publishes packages of its owner's projects"
	runProviderCases(t, pyPI, p.URL, []providerCase{
		{name: "live token", rule: "pypi-token", secret: live, want: liveAs("", reaches)},
		{name: "token scoped to another project", rule: "pypi-token", secret: scoped, want: liveAs("", reaches)},
		{name: "dead token", rule: "pypi-token", secret: dead, want: invalidBecause("Invalid or non-existent authentication information")},
		{name: "rate limited", rule: "pypi-token", secret: busy, want: unknownBecause("rate limited by PyPI")},
		{name: "read-only mode", rule: "pypi-token", secret: readOnly, want: unknownBecause("HTTP 403: 403 Read-only mode")},
	})
}

// TestPyPITestIndex: a TestPyPI token goes to test.pypi.org (the "test"
// site), never to pypi.org, and the other way round.
func TestPyPITestIndex(t *testing.T) {
	t.Parallel()
	testTok := pypiTestPrefix + synth(alphaB62, 150)
	prodTok := "pypi-AgEIcHlwaS5vcmc" + synth(alphaB62, 150)
	prod := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		if checkPyPIProbe(t, r) != prodTok {
			t.Error("pypi.org got a TestPyPI token")
		}
		pypiErrorPage(w, 400, "400 Upload payload does not have a file.")
	})
	test := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		if checkPyPIProbe(t, r) != testTok {
			t.Error("test.pypi.org got a PyPI token")
		}
		pypiErrorPage(w, 400, "400 Upload payload does not have a file.")
	})
	fs := []finding.Finding{mkFinding("pypi-token", testTok), mkFinding("pypi-token", prodTok)}
	if _, err := Run(context.Background(), fs, Options{
		Verifiers:      []*Verifier{pyPI},
		Endpoints:      map[string]string{"pypi": prod.URL, "pypi/test": test.URL},
		RequestTimeout: 2 * time.Second,
	}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"TestPyPI API token: publishes packages of its owner's projects", "PyPI API token: publishes packages of its owner's projects"} {
		if got := fs[i].Verification; got.Status != finding.Verified || got.Reaches != want {
			t.Errorf("%s: %+v, want verified, reaching %q", fs[i].Secret[:30], got, want)
		}
	}
	if prod.hits.Load() != 1 || test.hits.Load() != 1 {
		t.Errorf("pypi.org asked %d times, test.pypi.org %d, want once each", prod.hits.Load(), test.hits.Load())
	}
}
