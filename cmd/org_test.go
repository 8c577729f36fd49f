package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/notify"
	"github.com/leakhound/leakhound/scanner/orgscan"
)

// fakeForge serves GitHub's /orgs/ORG/repos and GitLab's
// /api/v4/groups/GROUP/projects for repositories on this machine (file://
// clone URLs), a page per repository, and answers the first request of
// page 2 with a rate limit.
type fakeForge struct {
	srv     *httptest.Server
	repos   map[string]string // full name -> directory
	limited atomic.Int32
}

func newFakeForge(t *testing.T, repos map[string]string) *fakeForge {
	t.Helper()
	f := &fakeForge{repos: repos}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeForge) names() []string {
	var names []string
	for n := range f.repos {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func (f *fakeForge) serve(w http.ResponseWriter, r *http.Request) {
	names := f.names()
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	if page == 2 && f.limited.Add(1) == 1 {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	var items []map[string]any
	if page <= len(names) {
		n := names[page-1]
		web := "https://forge.example/" + n
		items = append(items, map[string]any{
			"full_name": n, "clone_url": "file://" + f.repos[n], "html_url": web,
			"path_with_namespace": n, "http_url_to_repo": "file://" + f.repos[n], "web_url": web,
		})
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/orgs/"):
		if page < len(names) {
			w.Header().Set("Link", fmt.Sprintf(`<%s%s?page=%d>; rel="next"`, f.srv.URL, r.URL.Path, page+1))
		}
	case strings.HasPrefix(r.URL.Path, "/api/v4/groups/"):
		if page < len(names) {
			w.Header().Set("X-Next-Page", strconv.Itoa(page+1))
		}
	default:
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(items)
}

// hookRecorder is a webhook receiver keeping what it was sent.
type hookRecorder struct {
	mu       sync.Mutex
	messages []notify.Message
	srv      *httptest.Server
}

func newHookRecorder(t *testing.T) *hookRecorder {
	h := &hookRecorder{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m notify.Message
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("webhook body %q: %v", b, err)
		}
		h.mu.Lock()
		h.messages = append(h.messages, m)
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookRecorder) all() []notify.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.messages)
}

type orgFinding struct {
	Repository string `json:"repository"`
	File       string `json:"file"`
	Secret     string `json:"secret"`
	Commit     string `json:"commit"`
}

func decodeOrg(t *testing.T, s string) []orgFinding {
	t.Helper()
	var fs []orgFinding
	if err := json.Unmarshal([]byte(s), &fs); err != nil {
		t.Fatalf("bad JSON %q: %v", s, err)
	}
	return fs
}

var scannedLine = regexp.MustCompile(`(\d+) scanned \((\d+) incremental\), (\d+) unchanged, (\d+) not scanned`)
var blobsLine = regexp.MustCompile(`scanned (\d+) blobs`)

func TestOrgIncrementalRunsAndAlerts(t *testing.T) {
	t.Parallel()
	cfg := writeGitTestConfig(t)
	repos := map[string]string{}
	toks := map[string]string{}
	gits := map[string]*gitRepo{}
	for _, name := range []string{"acme/api", "acme/web", "acme/tools"} {
		r := newGitRepo(t)
		for i := 0; i < 4; i++ {
			r.write(fmt.Sprintf("src/f%d.txt", i), "plain text\n")
			r.commit("filler")
		}
		toks[name] = gitToken()
		r.write("deploy.env", "TOKEN="+toks[name]+"\n")
		r.commit("deploy")
		repos[name], gits[name] = r.dir, r
	}
	forge := newFakeForge(t, repos)
	hook := newHookRecorder(t)
	state := filepath.Join(t.TempDir(), "state.json")
	cache := t.TempDir()
	args := []string{"org", "github", "acme", "--api-url", forge.srv.URL, "--config", cfg, "--cache-dir", cache,
		"--state", state, "--format", "json", "--notify", "webhook=" + hook.srv.URL + "/hook", "--reveal"}

	code, out, errOut := run(t, "", args...)
	if code != ExitFindings {
		t.Fatalf("run 1: exit %d; stderr:\n%s", code, errOut)
	}
	fs := decodeOrg(t, out)
	if len(fs) != 3 {
		t.Fatalf("run 1: %d findings, want 3: %s", len(fs), out)
	}
	for _, f := range fs {
		if toks[f.Repository] != f.Secret || f.File != "deploy.env" {
			t.Errorf("run 1: finding %+v", f)
		}
	}
	if forge.limited.Load() < 2 {
		t.Error("the rate-limited page was not asked again")
	}
	m := scannedLine.FindStringSubmatch(errOut)
	if m == nil || m[1] != "3" || m[2] != "0" {
		t.Fatalf("run 1 summary: %s", errOut)
	}
	firstBlobs, _ := strconv.Atoi(blobsLine.FindStringSubmatch(errOut)[1])
	if msgs := hook.all(); len(msgs) != 1 || msgs[0].New != 3 || len(msgs[0].Items) != 3 {
		t.Fatalf("run 1 alerts: %+v", msgs)
	}

	// Run 2: a new commit in one repository. Only that commit is
	// scanned, the others are not read at all, and the alert carries
	// only the new secret, redacted.
	newTok := gitToken()
	gits["acme/web"].write("later.env", "TOKEN="+newTok+"\n")
	newCommit := gits["acme/web"].commit("later")
	code, out, errOut = run(t, "", args...)
	if code != ExitFindings {
		t.Fatalf("run 2: exit %d; stderr:\n%s", code, errOut)
	}
	fs = decodeOrg(t, out)
	if len(fs) != 1 || fs[0].Secret != newTok || fs[0].Repository != "acme/web" || fs[0].Commit != newCommit {
		t.Fatalf("run 2 findings: %s", out)
	}
	m = scannedLine.FindStringSubmatch(errOut)
	if m == nil || m[1] != "1" || m[2] != "1" || m[3] != "2" {
		t.Errorf("run 2 summary: %s", errOut)
	}
	secondBlobs, _ := strconv.Atoi(blobsLine.FindStringSubmatch(errOut)[1])
	if secondBlobs != 1 || firstBlobs != 15 {
		t.Errorf("blobs scanned: run 1 %d, run 2 %d; want 15 and 1", firstBlobs, secondBlobs)
	}
	msgs := hook.all()
	if len(msgs) != 2 {
		t.Fatalf("run 2: %d alerts in all, want 2", len(msgs))
	}
	alert := msgs[1]
	if alert.New != 1 || alert.Scanned != 1 || alert.Unchanged != 2 || len(alert.Items) != 1 {
		t.Fatalf("run 2 alert: %+v", alert)
	}
	it := alert.Items[0]
	if it.Repository != "acme/web" || it.File != "later.env" || it.Line != 1 || it.Commit != newCommit ||
		it.FileURL != "https://forge.example/acme/web/blob/"+newCommit+"/later.env#L1" ||
		it.CommitURL != "https://forge.example/acme/web/commit/"+newCommit {
		t.Errorf("alert item: %+v", it)
	}
	for _, msg := range msgs {
		b, _ := json.Marshal(msg)
		if strings.Contains(string(b), newTok) || strings.Contains(string(b), toks["acme/api"]) {
			t.Error("an alert holds a secret in full (--reveal is for reports only)")
		}
	}

	// Run 3: nothing new: exit 0, no alert, nothing scanned.
	code, out, errOut = run(t, "", args...)
	if code != ExitClean || strings.TrimSpace(out) != "[]" || len(hook.all()) != 2 {
		t.Errorf("run 3: exit %d, out %s, %d alerts; stderr %s", code, out, len(hook.all()), errOut)
	}
	// --full: everything again, still no alert (nothing is new).
	code, out, _ = run(t, "", append(args, "--full")...)
	if code != ExitFindings || len(decodeOrg(t, out)) != 4 || len(hook.all()) != 2 {
		t.Errorf("--full: exit %d, %d findings, %d alerts", code, len(decodeOrg(t, out)), len(hook.all()))
	}
	data, _ := os.ReadFile(state)
	if strings.Contains(string(data), newTok) {
		t.Error("the state file holds a secret")
	}
}

func TestOrgShardsCoverEveryRepositoryOnce(t *testing.T) {
	t.Parallel()
	cfg := writeGitTestConfig(t)
	repos := map[string]string{}
	for i := 0; i < 8; i++ {
		r := newGitRepo(t)
		r.write("k.env", "TOKEN="+gitToken()+"\n")
		r.commit("k")
		repos[fmt.Sprintf("grp/sub/r%d", i)] = r.dir
	}
	forge := newFakeForge(t, repos)
	const n = 3
	seen := map[string]int{}
	var reports []string
	for k := 0; k < n; k++ {
		report := filepath.Join(t.TempDir(), "shard.jsonl")
		code, _, errOut := run(t, "", "org", "gitlab", "grp/sub", "--api-url", forge.srv.URL+"/api/v4", "--config", cfg,
			"--cache-dir", t.TempDir(), "--shard", fmt.Sprintf("%d/%d", k, n), "--format", "jsonl", "-o", report)
		if code != ExitFindings && code != ExitClean {
			t.Fatalf("shard %d: exit %d: %s", k, code, errOut)
		}
		data, _ := os.ReadFile(report)
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if line == "" {
				continue
			}
			var f orgFinding
			if err := json.Unmarshal([]byte(line), &f); err != nil {
				t.Fatal(err)
			}
			seen[f.Repository]++
		}
		reports = append(reports, report)
	}
	for name := range repos {
		if seen[name] != 1 {
			t.Errorf("%s scanned by %d shards, want 1", name, seen[name])
		}
	}
	// merge gives the whole organization's report back.
	code, out, errOut := run(t, "", append([]string{"merge", "--format", "json"}, reports...)...)
	if code != ExitFindings || len(decodeOrg(t, out)) != len(repos) {
		t.Errorf("merge: exit %d, %d findings: %s", code, len(decodeOrg(t, out)), errOut)
	}
}

func TestOrgFailures(t *testing.T) {
	t.Parallel()
	cfg := writeGitTestConfig(t)
	good := newGitRepo(t)
	good.write("a.txt", "nothing here\n")
	good.commit("a")
	forge := newFakeForge(t, map[string]string{"acme/good": good.dir, "acme/gone": filepath.Join(t.TempDir(), "missing")})
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", 500) }))
	t.Cleanup(hook.Close)

	tests := []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"a clone that fails: exit 3, the others scanned", []string{"org", "github", "acme"}, ExitErrors,
			[]string{"error: acme/gone: not scanned", "1 scanned", "1 not scanned"}},
		{"an organization that does not exist", []string{"org", "github", "nosuch-org", "--api-url", "http://127.0.0.1:1"}, ExitErrors,
			[]string{"list nosuch-org"}},
		{"a bad shard", []string{"org", "github", "acme", "--shard", "3/3"}, ExitUsage, []string{"--shard"}},
		{"a bad platform", []string{"org", "bitbucket", "acme"}, ExitUsage, []string{"want github or gitlab"}},
		{"a bad notify target", []string{"org", "github", "acme", "--notify", "email=x"}, ExitUsage, []string{"--notify"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append(slices.Clone(tt.args), "--config", cfg, "--cache-dir", t.TempDir())
			if !slices.Contains(args, "--api-url") {
				args = append(args, "--api-url", forge.srv.URL)
			}
			code, _, errOut := run(t, "", args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, errOut)
			}
			for _, want := range tt.contains {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut)
				}
			}
		})
	}

	// A failed notification is in the summary, not fatal, and the
	// findings stay undelivered: the next run alerts them again.
	leaky := newGitRepo(t)
	leaky.write("k.env", "TOKEN="+gitToken()+"\n")
	leaky.commit("k")
	forge2 := newFakeForge(t, map[string]string{"acme/leaky": leaky.dir})
	state := filepath.Join(t.TempDir(), "state.json")
	args := []string{"org", "github", "acme", "--api-url", forge2.srv.URL, "--config", cfg, "--cache-dir", t.TempDir(),
		"--state", state, "--notify", "slack=" + hook.URL + "/services/T/B/secretpart", "--format", "json"}
	for i := 0; i < 2; i++ {
		code, out, errOut := run(t, "", args...)
		if code != ExitFindings || len(decodeOrg(t, out)) != 1 {
			t.Fatalf("run %d: exit %d, findings %s", i, code, out)
		}
		if !strings.Contains(errOut, "notify slack") || !strings.Contains(errOut, "1 notification(s) failed") || strings.Contains(errOut, "secretpart") {
			t.Errorf("run %d: stderr:\n%s", i, errOut)
		}
	}
}

func TestProgressBoardDrawsALinePerRepository(t *testing.T) {
	t.Parallel()
	var buf strings.Builder
	b := &progressBoard{w: &buf, active: map[string]string{}, total: 3}
	b.event(orgscan.Event{Repo: "acme/a", Phase: orgscan.PhaseFetch})
	b.last = time.Time{} // draw every event
	b.event(orgscan.Event{Repo: "acme/b", Phase: orgscan.PhaseScan, Summary: finding.Summary{Files: 12, Findings: 1}})
	first := buf.String()
	if !strings.Contains(first, "repositories: 0/3 done") || !strings.Contains(first, "acme/a: fetching\n") ||
		!strings.Contains(first, "acme/b: scanning: 12 blobs, 0 B, 1 findings\n") {
		t.Errorf("board:\n%q", first)
	}
	b.event(orgscan.Event{Repo: "acme/a", Phase: orgscan.PhaseDone, Result: &orgscan.RepoResult{Status: orgscan.Failed}})
	last := buf.String()[len(first):]
	// The board moves up over its 3 lines and redraws 2.
	if !strings.HasPrefix(last, "\033[3A\r\033[J") || !strings.Contains(last, "1/3 done, 1 not scanned") || strings.Contains(last, "acme/a") {
		t.Errorf("redraw:\n%q", last)
	}
	b.clear()
	if !strings.HasSuffix(buf.String(), "\033[2A\r\033[J") {
		t.Errorf("clear: %q", buf.String())
	}
}
