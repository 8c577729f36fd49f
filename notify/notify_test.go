package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/finding"
)

func testFinding(secret string) finding.Finding {
	return finding.Finding{RuleID: "test-token", Severity: "high", Secret: secret, Match: "TOKEN=" + secret, Fingerprint: "fp1",
		Location: finding.Location{Origin: finding.Origin{Kind: "git", Path: "deploy/a b.env", Repository: "acme/api",
			Commit: strings.Repeat("c", 40), Author: "Jane", Date: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}, Line: 3}}
}

func TestSendWebhookAndSlack(t *testing.T) {
	t.Parallel()
	secret := detectortest.Token()
	var mu sync.Mutex
	bodies := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s", r.Method, r.Header.Get("Content-Type"))
		}
		mu.Lock()
		bodies[r.URL.Path] = string(b)
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	var targets []Target
	for _, s := range []string{"webhook=" + srv.URL + "/hook", "slack=" + srv.URL + "/services/T0/B0/XYZ"} {
		tg, err := ParseTarget(s)
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, tg)
	}
	m := Message{Tool: "leakhound", Target: "github acme", Scanned: 2, Unchanged: 5, Failed: 1, Findings: 3, New: 1,
		Items: []Item{NewItem(testFinding(secret), "github", "https://github.com/acme/api")}}
	if errs := Send(context.Background(), nil, targets, m); len(errs) != 0 {
		t.Fatal(errs)
	}
	for path, body := range bodies {
		if strings.Contains(body, secret) {
			t.Errorf("%s: the secret was posted", path)
		}
	}
	var got Message
	if err := json.Unmarshal([]byte(bodies["/hook"]), &got); err != nil {
		t.Fatalf("webhook body %q: %v", bodies["/hook"], err)
	}
	it := got.Items[0]
	want := "https://github.com/acme/api/blob/" + strings.Repeat("c", 40) + "/deploy/a%20b.env#L3"
	if got.New != 1 || got.Scanned != 2 || got.Failed != 1 || it.FileURL != want || it.Secret != finding.Redact(secret) ||
		it.CommitURL != "https://github.com/acme/api/commit/"+strings.Repeat("c", 40) {
		t.Errorf("webhook payload = %+v", got)
	}
	var slack struct{ Text string }
	json.Unmarshal([]byte(bodies["/services/T0/B0/XYZ"]), &slack)
	if !strings.Contains(slack.Text, "1 new finding") || !strings.Contains(slack.Text, "<"+want+"|deploy/a b.env:3>") {
		t.Errorf("slack text = %q", slack.Text)
	}
}

func TestSendFailuresAreReportedWithoutTheURL(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect/secretpath" {
			http.Redirect(w, r, "http://127.0.0.2:1/", http.StatusFound)
			return
		}
		http.Error(w, "no such hook", http.StatusNotFound)
	}))
	t.Cleanup(srv.Close)
	targets := []Target{{Slack, srv.URL + "/services/secretpath"}, {Webhook, srv.URL + "/redirect/secretpath"}, {Webhook, "http://127.0.0.1:1/secretpath"}}
	errs := Send(context.Background(), nil, targets, Message{})
	if len(errs) != 3 {
		t.Fatalf("errors = %v, want 3", errs)
	}
	for _, want := range []string{"404", "another host", "connect"} {
		found := false
		for _, e := range errs {
			found = found || strings.Contains(e.Error(), want)
		}
		if !found {
			t.Errorf("no error mentions %q: %v", want, errs)
		}
	}
	for _, e := range errs {
		if strings.Contains(e.Error(), "secretpath") {
			t.Errorf("error shows the URL's path: %v", e)
		}
	}
}

func TestLinks(t *testing.T) {
	t.Parallel()
	c := strings.Repeat("a", 40)
	tests := []struct {
		platform, file, archive string
		line                    int
		commitURL, fileURL      string
	}{
		{"github", "x/y.go", "", 2, "https://f/o/r/commit/" + c, "https://f/o/r/blob/" + c + "/x/y.go#L2"},
		{"gitlab", "x/y.go", "", 2, "https://f/o/r/-/commit/" + c, "https://f/o/r/-/blob/" + c + "/x/y.go#L2"},
		{"github", ".git/COMMIT_EDITMSG", "", 1, "https://f/o/r/commit/" + c, "https://f/o/r/commit/" + c},
		{"github", "conf/app.properties", "lib/app.jar", 4, "https://f/o/r/commit/" + c, "https://f/o/r/blob/" + c + "/lib/app.jar"},
	}
	for _, tt := range tests {
		cu, fu := Links(tt.platform, "https://f/o/r/", c, tt.file, tt.archive, tt.line)
		if cu != tt.commitURL || fu != tt.fileURL {
			t.Errorf("%s %s: %s %s", tt.platform, tt.file, cu, fu)
		}
	}
	if cu, fu := Links("github", "", c, "x", "", 1); cu != "" || fu != "" {
		t.Error("links without a web URL")
	}
	for _, bad := range []string{"slack", "email=x", "slack=ftp://x", "webhook="} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("ParseTarget(%q) accepted", bad)
		}
	}
}
