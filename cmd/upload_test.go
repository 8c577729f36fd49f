package cmd

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/leakhound/leakhound/detectors/detectortest"
)

const (
	uploadToken  = "ghs_uploadTESTtokenNOTreal000000000000"
	uploadCommit = "4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39"
)

// fakeCodeScanning is GitHub's code scanning upload API as far as
// upload-sarif uses it: it checks the token, decodes each upload
// (base64, gzip), validates the SARIF against the schema, and answers
// status polls with pending a few times, then the outcome.
type fakeCodeScanning struct {
	t       *testing.T
	schema  *jsonschema.Schema
	pending int      // polls answered "pending" before the outcome
	outcome string   // complete or failed
	errors  []string // reported with failed
	post    int      // status of the upload answer; 0 is 202

	mu       sync.Mutex
	requests int
	polls    int
	uploads  []map[string]any // the decoded SARIF of each upload
	bodies   []map[string]string
}

func newFakeCodeScanning(t *testing.T) (*fakeCodeScanning, *httptest.Server) {
	t.Helper()
	c := jsonschema.NewCompiler()
	schema, err := c.Compile("../testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeCodeScanning{t: t, schema: schema, pending: 2, outcome: "complete"}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeCodeScanning) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if r.Header.Get("Authorization") != "Bearer "+uploadToken {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	const base = "/api/v3/repos/acme/app/code-scanning/sarifs"
	switch {
	case r.Method == http.MethodPost && r.URL.Path == base:
		var body map[string]string
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, `{"message":"bad JSON"}`, http.StatusBadRequest)
			return
		}
		f.bodies = append(f.bodies, body)
		gz, err := base64.StdEncoding.DecodeString(body["sarif"])
		if err != nil {
			http.Error(w, `{"message":"sarif is not base64"}`, http.StatusBadRequest)
			return
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			http.Error(w, `{"message":"sarif is not gzip"}`, http.StatusBadRequest)
			return
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			http.Error(w, `{"message":"sarif is not gzip"}`, http.StatusBadRequest)
			return
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err == nil {
			err = f.schema.Validate(inst)
		}
		if err != nil {
			f.t.Errorf("uploaded SARIF doesn't validate: %v", err)
			http.Error(w, `{"message":"invalid SARIF"}`, http.StatusBadRequest)
			return
		}
		var doc map[string]any
		json.Unmarshal(raw, &doc)
		f.uploads = append(f.uploads, doc)
		if f.post != 0 {
			w.WriteHeader(f.post)
			io.WriteString(w, `{"message":"Resource not accessible by integration"}`)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"id":"47177e22-5596-11eb-80a1-c1e54ef945c6","url":"https://elsewhere.example/not-followed"}`)
	case r.Method == http.MethodGet && r.URL.Path == base+"/47177e22-5596-11eb-80a1-c1e54ef945c6":
		f.polls++
		if f.polls <= f.pending {
			io.WriteString(w, `{"processing_status":"pending"}`)
			return
		}
		out, _ := json.Marshal(map[string]any{"processing_status": f.outcome, "errors": f.errors,
			"analyses_url": "https://api.github.com/repos/acme/app/code-scanning/analyses?sarif_id=47177e22"})
		w.Write(out)
	default:
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
	}
}

// scanToSARIF writes a real SARIF report of a tree holding one secret.
func scanToSARIF(t *testing.T) string {
	t.Helper()
	dir := writeFiles(t, map[string]string{"deploy/app.env": "TOKEN=" + detectortest.Token() + "\n"})
	out := filepath.Join(t.TempDir(), "leakhound.sarif")
	if code, _, errOut := run(t, "", "dir", dir, "--config", writeGitTestConfig(t), "--format", "sarif", "-o", out); code != ExitFindings {
		t.Fatalf("scan: exit %d: %s", code, errOut)
	}
	return out
}

// setActionsEnv sets what a GitHub Actions run provides.
func setActionsEnv(t *testing.T, api string) {
	t.Setenv("GITHUB_TOKEN", uploadToken)
	t.Setenv("GITHUB_REPOSITORY", "acme/app")
	t.Setenv("GITHUB_REF", "refs/pull/42/merge")
	t.Setenv("GITHUB_SHA", uploadCommit)
	t.Setenv("GITHUB_API_URL", api)
}

// Not parallel: these tests set the environment an Actions run has.
func TestUploadSARIF(t *testing.T) {
	fake, srv := newFakeCodeScanning(t)
	setActionsEnv(t, srv.URL+"/api/v3")
	sarif := scanToSARIF(t)

	code, out, errOut := run(t, "", "upload-sarif", sarif, "--category", "leakhound", "--poll-interval", "10ms")
	if code != ExitClean {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out+errOut, uploadToken) {
		t.Error("the token was printed")
	}
	for _, want := range []string{"uploaded " + sarif + " to acme/app (refs/pull/42/merge at 4f1c2a9e8b7d): 1 results in 1 run(s)",
		"upload id 47177e22-5596-11eb-80a1-c1e54ef945c6", "code scanning processed the upload: https://api.github.com/repos/acme/app/code-scanning/analyses"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("output lacks %q:\n%s", want, errOut)
		}
	}
	if len(fake.uploads) != 1 || fake.polls != 3 {
		t.Fatalf("%d uploads, %d polls; want 1 upload, polled until complete", len(fake.uploads), fake.polls)
	}
	body := fake.bodies[0]
	if body["commit_sha"] != uploadCommit || body["ref"] != "refs/pull/42/merge" || body["tool_name"] != "leakhound" {
		t.Errorf("upload fields %v", map[string]string{"commit_sha": body["commit_sha"], "ref": body["ref"], "tool_name": body["tool_name"]})
	}
	runs := fake.uploads[0]["runs"].([]any)
	run0 := runs[0].(map[string]any)
	if id := run0["automationDetails"].(map[string]any)["id"]; id != "leakhound" {
		t.Errorf("category %v, want leakhound", id)
	}
	if n := len(run0["results"].([]any)); n != 1 {
		t.Errorf("%d results uploaded, want 1", n)
	}

	// Flags win over the environment; --wait=false doesn't poll.
	code, _, errOut = run(t, "", "upload-sarif", sarif, "--wait=false", "--repo", "acme/app", "--ref", "refs/heads/main",
		"--commit", strings.ToUpper(uploadCommit), "--api-url", srv.URL+"/api/v3/")
	if code != ExitClean || len(fake.bodies) != 2 || fake.bodies[1]["ref"] != "refs/heads/main" || fake.bodies[1]["commit_sha"] != uploadCommit || fake.polls != 3 {
		t.Errorf("exit %d, %d uploads, %d polls: %s", code, len(fake.bodies), fake.polls, errOut)
	}
}

func TestUploadSARIFProcessingFailed(t *testing.T) {
	fake, srv := newFakeCodeScanning(t)
	fake.outcome = "failed"
	fake.errors = []string{"locationFromSarifResult: expected artifact location", "rejecting SARIF, as there are more runs than allowed (21 > 20)"}
	setActionsEnv(t, srv.URL+"/api/v3")
	code, _, errOut := run(t, "", "upload-sarif", scanToSARIF(t), "--poll-interval", "10ms")
	if code != ExitErrors {
		t.Fatalf("exit %d, want %d: %s", code, ExitErrors, errOut)
	}
	for _, want := range append([]string{"code scanning could not process the upload"}, fake.errors...) {
		if !strings.Contains(errOut, want) {
			t.Errorf("output lacks %q:\n%s", want, errOut)
		}
	}

	// Still pending at the timeout: said, and not a success.
	fake.pending, fake.polls = 1000, 0
	code, _, errOut = run(t, "", "upload-sarif", scanToSARIF(t), "--poll-interval", "10ms", "--wait-timeout", "100ms")
	if code != ExitErrors || !strings.Contains(errOut, "still being processed after 100ms") {
		t.Errorf("pending at timeout: exit %d: %s", code, errOut)
	}
}

func TestUploadSARIFRefusals(t *testing.T) {
	fake, srv := newFakeCodeScanning(t)
	api := srv.URL + "/api/v3"
	sarif := scanToSARIF(t)
	dir := t.TempDir()
	twoRuns := filepath.Join(dir, "two-runs.sarif")
	data, err := os.ReadFile(sarif)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	json.Unmarshal(data, &doc)
	doc["runs"] = append(doc["runs"].([]any), doc["runs"].([]any)[0])
	data, _ = json.Marshal(doc)
	os.WriteFile(twoRuns, data, 0o644)
	notSARIF := filepath.Join(dir, "report.json")
	os.WriteFile(notSARIF, []byte(`[{"rule_id":"x"}]`), 0o644)

	// Another host the API tries to send the client to.
	var strayAuth []string
	var strayMu sync.Mutex
	stray := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		strayMu.Lock()
		strayAuth = append(strayAuth, r.Header.Get("Authorization"))
		strayMu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"id":"x"}`)
	}))
	defer stray.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(stray.URL, "127.0.0.1", "localhost", 1)+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()

	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		post     int
		wantCode int
		want     string
		sent     bool // whether the API may see a request
	}{
		{"no token", map[string]string{"GITHUB_TOKEN": ""}, []string{sarif}, 0, ExitUsage, "a token in GITHUB_TOKEN", false},
		{"no repo", map[string]string{"GITHUB_REPOSITORY": ""}, []string{sarif}, 0, ExitUsage, "--repo (or GITHUB_REPOSITORY)", false},
		{"bad ref", nil, []string{sarif, "--ref", "main"}, 0, ExitUsage, "want a full ref", false},
		{"short commit", nil, []string{sarif, "--commit", "4f1c2a9"}, 0, ExitUsage, "want a full commit SHA", false},
		{"plain http elsewhere", nil, []string{sarif, "--api-url", "http://ghe.example.com/api/v3"}, 0, ExitUsage, "unencrypted", false},
		{"over the limits", nil, []string{twoRuns}, 0, ExitUsage, "over GitHub code scanning's limits: run 2 repeats tool \"leakhound\"", false},
		{"not SARIF", nil, []string{notSARIF}, 0, ExitUsage, "not a SARIF file", false},
		{"missing file", nil, []string{filepath.Join(dir, "none.sarif")}, 0, ExitUsage, "read SARIF", false},
		{"forbidden", nil, []string{sarif}, http.StatusForbidden, ExitErrors, "GitHub answered 403: Resource not accessible by integration (the token needs the security_events scope", true},
		{"redirect elsewhere", map[string]string{"GITHUB_API_URL": redirect.URL + "/api/v3"}, []string{sarif}, 0, ExitErrors, "refusing a redirect to", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setActionsEnv(t, api)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			fake.mu.Lock()
			fake.requests, fake.post = 0, tt.post
			fake.mu.Unlock()
			code, out, errOut := run(t, "", append([]string{"upload-sarif", "--poll-interval", "10ms"}, tt.args...)...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, want %d; stderr lacks %q:\n%s", code, tt.wantCode, tt.want, errOut)
			}
			if strings.Contains(out+errOut, uploadToken) {
				t.Error("the token was printed")
			}
			if fake.requests > 0 != tt.sent {
				t.Errorf("%d requests reached the API", fake.requests)
			}
		})
	}
	strayMu.Lock()
	defer strayMu.Unlock()
	if len(strayAuth) > 0 {
		t.Errorf("a redirect reached another host (%d requests)", len(strayAuth))
	}
}
