package cmd

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors/detectortest"
)

func TestRevokeGitHub(t *testing.T) {
	t.Parallel()
	tok1, tok2 := detectortest.GitHubToken("ghp_"), detectortest.GitHubToken("ghp_")
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.URL.Path != "/credentials/revoke" || r.Header.Get("Authorization") != "" {
			t.Errorf("request %s %s auth %q", r.Method, r.URL.Path, r.Header.Get("Authorization"))
		}
		var body struct {
			Credentials []string `json:"credentials"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		got = append(got, body.Credentials...)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	dir := writeFiles(t, map[string]string{"a.env": "GITHUB_TOKEN=" + tok1 + "\nOTHER=" + tok2 + "\nAGAIN=" + tok1 + "\n"})
	report := filepath.Join(t.TempDir(), "r.json")
	if code, _, errOut := run(t, "", "dir", "--format", "json", "--reveal", "-o", report, dir); code != ExitFindings {
		t.Fatalf("scan: exit %d: %s", code, errOut)
	}
	// Without --yes, anything but y keeps the tokens.
	if code, _, _ := run(t, "n\n", "revoke", "--github", report, "--api-url", srv.URL); code != ExitUsage || len(got) != 0 {
		t.Errorf("declined: exit %d, %d sent", code, len(got))
	}
	code, out, errOut := run(t, "y\n", "revoke", "--github", report, "--api-url", srv.URL)
	slices.Sort(got)
	want := []string{tok1, tok2}
	slices.Sort(want)
	if code != ExitClean || !slices.Equal(got, want) || !strings.Contains(out, "accepted 2 tokens") {
		t.Errorf("exit %d, sent %v, out %q, err %q", code, got, out, errOut)
	}
	// A redacted report can't be used, and says why.
	redacted := filepath.Join(t.TempDir(), "red.json")
	run(t, "", "dir", "--format", "json", "-o", redacted, dir)
	code, _, errOut = run(t, "", "revoke", "--yes", "--github", redacted, "--api-url", srv.URL)
	if code != ExitUsage || !strings.Contains(errOut, "--reveal") {
		t.Errorf("redacted report: exit %d: %s", code, errOut)
	}
	if b, _ := os.ReadFile(redacted); strings.Contains(string(b), tok1) {
		t.Error("redacted report holds the token")
	}
}
