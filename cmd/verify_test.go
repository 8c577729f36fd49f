package cmd

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/leakhound/leakhound/detectors/detectortest"
)

// fakeGitHub answers GET /user like api.github.com: 200 for the live
// token, 401 for any other.
func fakeGitHub(t *testing.T, live string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/user" || r.Header.Get("Authorization") != "token "+live {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("X-OAuth-Scopes", "repo")
		w.Write([]byte(`{"login":"octocat","type":"User"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

type verifiedFinding struct {
	Secret       string `json:"secret"`
	Verification string `json:"verification"`
	Detail       struct {
		Identity string   `json:"identity"`
		Scopes   []string `json:"scopes"`
	} `json:"verification_detail"`
}

func TestVerify(t *testing.T) {
	t.Parallel()
	live, dead := detectortest.GitHubToken("ghp_"), detectortest.GitHubToken("ghp_")
	gh, hits := fakeGitHub(t, live)
	// A server the scanned content names: it must never be asked.
	var lured atomic.Int64
	lure := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { lured.Add(1) }))
	defer lure.Close()
	dir := writeFiles(t, map[string]string{
		"deploy.env": "GITHUB_API_URL=" + lure.URL + "\nGH_HOST=" + strings.TrimPrefix(lure.URL, "http://") +
			"\nGITHUB_TOKEN=" + live + "\nOLD_GITHUB_TOKEN=" + dead + "\n",
	})

	// Without --verify nothing is sent anywhere.
	code, out, errOut := run(t, "", "dir", "--format", "json", dir)
	if code != ExitFindings || hits.Load() != 0 || lured.Load() != 0 || strings.Contains(out, `"verified"`) {
		t.Fatalf("without --verify: exit %d, %d requests: %s", code, hits.Load()+lured.Load(), errOut)
	}
	if code, _, errOut = run(t, "", "dir", "--verify-endpoint", "github="+gh.URL, dir); code != ExitUsage || !strings.Contains(errOut, "needs --verify") {
		t.Errorf("--verify-endpoint without --verify: exit %d: %s", code, errOut)
	}

	code, out, errOut = run(t, "", "dir", "--format", "json", "--verify", "--verify-endpoint", "github="+gh.URL, dir)
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var fs []verifiedFinding
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatal(err)
	}
	status := map[string]verifiedFinding{}
	for _, f := range fs {
		status[f.Verification] = f
	}
	if v := status["verified"]; v.Detail.Identity != "octocat" || strings.Join(v.Detail.Scopes, ",") != "repo" || v.Secret == live {
		t.Errorf("live token: %+v", v)
	}
	if _, ok := status["invalid"]; !ok {
		t.Errorf("dead token not invalid: %s", out)
	}
	if !strings.Contains(errOut, "verification: invalid 1, verified 1") {
		t.Errorf("summary: %s", errOut)
	}
	if lured.Load() != 0 {
		t.Errorf("a URL from the scanned file got %d requests", lured.Load())
	}
	if hits.Load() != 2 {
		t.Errorf("provider got %d requests, want one per secret", hits.Load())
	}

	code, out, _ = run(t, "", "dir", "--format", "json", "--verify", "--only-verified", "--verify-endpoint", "github="+gh.URL, dir)
	if code != ExitFindings || len(decode(t, out)) != 1 {
		t.Errorf("--only-verified: exit %d: %s", code, out)
	}
	deadOnly := writeFiles(t, map[string]string{"a.env": "GITHUB_TOKEN=" + dead + "\n"})
	code, _, errOut = run(t, "", "dir", "--verify", "--fail-on", "verified", "--verify-endpoint", "github="+gh.URL, deadOnly)
	if code != ExitClean {
		t.Errorf("--fail-on verified with only a dead token: exit %d: %s", code, errOut)
	}
}
