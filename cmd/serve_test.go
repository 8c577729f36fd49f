package cmd

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a buffer a running command writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond for up to 30s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startServe runs `leakhound serve` until the returned stop is called,
// and returns its address and log.
func startServe(t *testing.T, args ...string) (addr string, log *syncBuffer, stop func() int) {
	t.Helper()
	log = &syncBuffer{}
	streams := &IOStreams{In: strings.NewReader(""), Out: &syncBuffer{}, ErrOut: log}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- Run(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...), streams) }()
	re := regexp.MustCompile(`listening on (\S+)`)
	waitFor(t, "the server to listen", func() bool {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, log.String())
		default:
		}
		return re.MatchString(log.String())
	})
	var once sync.Once
	code := 0
	stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("serve did not stop")
			}
		})
		return code
	}
	t.Cleanup(func() { stop() })
	return re.FindStringSubmatch(log.String())[1], log, stop
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func post(t *testing.T, url string, header map[string]string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestServeScansSignedPushesAndRefusesForgedOnes(t *testing.T) {
	t.Parallel()
	cfg := writeGitTestConfig(t)
	base := t.TempDir()
	secrets := writeFiles(t, map[string]string{"gh": "gh-hook-secret\n", "gl": "gl-hook-token\n"})
	repo := newGitRepo(t)
	oldTok, newTok := gitToken(), gitToken()
	repo.write("old.env", "TOKEN="+oldTok+"\n")
	before := repo.commit("old")
	repo.write("new.env", "TOKEN="+newTok+"\n")
	after := repo.commit("new")
	glRepo := newGitRepo(t)
	glTok := gitToken()
	glRepo.write("k.env", "TOKEN="+glTok+"\n")
	glAfter := glRepo.commit("k")
	hook := newHookRecorder(t)
	state := filepath.Join(base, "state.json")

	addr, log, stop := startServe(t, "--config", cfg, "--cache-dir", filepath.Join(base, "cache"), "--state", state,
		"--github-secret-file", filepath.Join(secrets, "gh"), "--gitlab-token-file", filepath.Join(secrets, "gl"),
		"--clone-url-prefix", "file:///", "--notify", "webhook="+hook.srv.URL)
	url := "http://" + addr + "/webhook"

	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()

	ghPush := func(cloneURL string) []byte {
		b, _ := json.Marshal(map[string]any{"ref": "refs/heads/main", "before": before, "after": after,
			"repository": map[string]any{"full_name": "acme/app", "clone_url": cloneURL, "html_url": "https://github.com/acme/app"}})
		return b
	}
	good := ghPush("file://" + repo.dir)
	tests := []struct {
		name   string
		header map[string]string
		body   []byte
		want   int
	}{
		{"unsigned", map[string]string{"X-GitHub-Event": "push"}, good, http.StatusUnauthorized},
		{"forged", map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature-256": sign("wrong", good)}, good, http.StatusUnauthorized},
		{"signed for another body", map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature-256": sign("gh-hook-secret", good)},
			ghPush("file://" + glRepo.dir), http.StatusUnauthorized},
		{"gitlab without token", map[string]string{"X-Gitlab-Event": "Push Hook"}, good, http.StatusUnauthorized},
		{"gitlab wrong token", map[string]string{"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": "gl-hook-tokem"}, good, http.StatusUnauthorized},
		{"no forge headers", nil, good, http.StatusBadRequest},
		{"a clone URL elsewhere", map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature-256": sign("gh-hook-secret", ghPush("https://evil.example/x.git"))},
			ghPush("https://evil.example/x.git"), http.StatusForbidden},
		{"ping", map[string]string{"X-GitHub-Event": "ping", "X-Hub-Signature-256": sign("gh-hook-secret", []byte("{}"))}, []byte("{}"), http.StatusOK},
	}
	for _, tt := range tests {
		if got := post(t, url, tt.header, tt.body); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
		}
	}
	if n := len(hook.all()); n != 0 {
		t.Fatalf("%d alerts before any accepted push", n)
	}

	// A signed GitHub push: its commits alone are scanned and alerted.
	if got := post(t, url, map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature-256": sign("gh-hook-secret", good)}, good); got != http.StatusAccepted {
		t.Fatalf("signed push: status %d", got)
	}
	waitFor(t, "the GitHub push alert", func() bool { return len(hook.all()) == 1 })
	m := hook.all()[0]
	if m.New != 1 || len(m.Items) != 1 || m.Items[0].File != "new.env" || m.Items[0].Commit != after || m.Items[0].Repository != "acme/app" ||
		m.Items[0].FileURL != "https://github.com/acme/app/blob/"+after+"/new.env#L1" {
		t.Fatalf("GitHub push alert: %+v", m)
	}
	// A GitLab push with the right token.
	glBody, _ := json.Marshal(map[string]any{"object_kind": "push", "ref": "refs/heads/main", "before": strings.Repeat("0", 40), "after": glAfter,
		"project": map[string]any{"path_with_namespace": "grp/svc", "git_http_url": "file://" + glRepo.dir, "web_url": "https://gitlab.com/grp/svc"}})
	if got := post(t, url, map[string]string{"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": "gl-hook-token"}, glBody); got != http.StatusAccepted {
		t.Fatalf("GitLab push: status %d", got)
	}
	waitFor(t, "the GitLab push alert", func() bool { return len(hook.all()) == 2 })
	if m := hook.all()[1]; m.New != 1 || m.Items[0].FileURL != "https://gitlab.com/grp/svc/-/blob/"+glAfter+"/k.env#L1" {
		t.Errorf("GitLab push alert: %+v", m)
	}
	for _, m := range hook.all() {
		b, _ := json.Marshal(m)
		if strings.Contains(string(b), newTok) || strings.Contains(string(b), glTok) {
			t.Error("an alert holds a secret")
		}
	}
	if code := stop(); code != ExitClean {
		t.Errorf("serve exit %d", code)
	}
	out := log.String()
	for _, want := range []string{"refused a GitHub delivery", "refused a GitLab delivery", "stopped; 0 push(es) recorded"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, oldTok) || strings.Contains(out, "gh-hook-secret") {
		t.Error("the log shows a secret")
	}
}

func TestServeRecordsInFlightPushesOnShutdown(t *testing.T) {
	t.Parallel()
	cfg := writeGitTestConfig(t)
	base := t.TempDir()
	secrets := writeFiles(t, map[string]string{"gh": "s3cret\n"})
	// A git server that hangs on the first fetch, so the push is still
	// being fetched when the server is told to stop.
	var mu sync.Mutex
	first := true
	git := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hang := first
		first = false
		mu.Unlock()
		if hang {
			<-r.Context().Done()
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(git.Close)
	state := filepath.Join(base, "state.json")
	args := []string{"--config", cfg, "--cache-dir", filepath.Join(base, "cache"), "--state", state,
		"--github-secret-file", filepath.Join(secrets, "gh"), "--clone-url-prefix", git.URL + "/", "--shutdown-timeout", "300ms"}
	addr, log, stop := startServe(t, args...)
	after := strings.Repeat("ab", 20)
	body, _ := json.Marshal(map[string]any{"ref": "refs/heads/main", "before": strings.Repeat("0", 40), "after": after,
		"repository": map[string]any{"full_name": "acme/slow", "clone_url": git.URL + "/acme/slow.git", "html_url": "https://github.com/acme/slow"}})
	if got := post(t, "http://"+addr+"/webhook", map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature-256": sign("s3cret", body)}, body); got != http.StatusAccepted {
		t.Fatalf("push: status %d", got)
	}
	waitFor(t, "the scan to start", func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var h struct {
			InFlight int `json:"in_flight"`
		}
		json.NewDecoder(resp.Body).Decode(&h)
		return h.InFlight == 1
	})
	if code := stop(); code != ExitClean {
		t.Fatalf("exit %d: %s", code, log.String())
	}
	if !strings.Contains(log.String(), "interrupted by shutdown") || !strings.Contains(log.String(), "stopped; 1 push(es) recorded") {
		t.Fatalf("log:\n%s", log.String())
	}
	data, _ := os.ReadFile(state)
	if !strings.Contains(string(data), after) {
		t.Fatalf("the push is not in the state:\n%s", data)
	}

	// The next start takes it up (the git server now answers 404: the
	// scan fails, is logged, and the push leaves the state).
	_, log2, stop2 := startServe(t, args...)
	waitFor(t, "the resumed push", func() bool {
		return strings.Contains(log2.String(), "acme/slow refs/heads/main 00000000..abababab: failed")
	})
	if !strings.Contains(log2.String(), "resuming push acme/slow") {
		t.Errorf("log:\n%s", log2.String())
	}
	stop2()
	data, _ = os.ReadFile(state)
	if strings.Contains(string(data), after) {
		t.Errorf("the push stayed in the state:\n%s", data)
	}
}

func TestServeNeedsASecret(t *testing.T) {
	t.Parallel()
	code, _, errOut := run(t, "", "serve", "--listen", "127.0.0.1:0", "--github-secret-file", filepath.Join(t.TempDir(), "missing"))
	if code != ExitUsage || !strings.Contains(errOut, "--github-secret-file") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if code, _, _ := run(t, "", "serve"); code != ExitUsage {
		t.Errorf("no --listen: exit %d", code)
	}
}

func TestLongRunningIsServeOnly(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"serve", "--listen", "127.0.0.1:0"}, true},
		{[]string{"--config", "x.toml", "serve"}, true},
		{[]string{"dir", "serve"}, false}, // a directory named serve
		{[]string{"git", "."}, false},
		{[]string{"org", "github", "acme"}, false},
		{nil, false},
		{[]string{"no-such-command"}, false},
	} {
		streams, _, _ := TestStreams("")
		if got := longRunning(NewRootCmd(streams), tc.args); got != tc.want {
			t.Errorf("longRunning(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}
