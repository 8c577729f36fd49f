package cmd

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/spf13/cobra"

	"github.com/leakhound/leakhound/internal/plainfile"
	"github.com/leakhound/leakhound/report"
	"github.com/leakhound/leakhound/scanner/orgscan"
	"github.com/leakhound/leakhound/scanner/source/org"
)

// ServeOptions are the serve command's own flags.
type ServeOptions struct {
	Listen           string
	GitHubSecretFile string
	GitLabTokenFile  string
	CloneURLPrefixes []string
	GitHubAPIURL     string
	GitLabAPIURL     string
	Queue            int
	PushTimeout      time.Duration
	ShutdownTimeout  time.Duration

	fleetOptions
}

// Environment variables the webhook secrets may come from instead of
// files (flags would show them in process lists).
const (
	githubSecretEnv = "LEAKHOUND_GITHUB_WEBHOOK_SECRET"
	gitlabTokenEnv  = "LEAKHOUND_GITLAB_WEBHOOK_TOKEN"
)

// maxPayload is GitHub's own cap on a webhook payload.
const maxPayload = 25 << 20

// NewCmdServe builds `leakhound serve`.
func NewCmdServe(io *IOStreams, g *GlobalOptions) *cobra.Command {
	opts := &ServeOptions{}
	c := &cobra.Command{
		Use:   "serve --listen ADDR",
		Short: "Receive GitHub and GitLab push webhooks and scan each push as it happens",
		Long: `Listen for push webhooks, fetch the pushed repository into its mirror under
--cache-dir and scan the new commits, then post the new findings to the
--notify targets, as 'leakhound org' does once a night.

GitHub deliveries must carry an X-Hub-Signature-256 made with the secret in
--github-secret-file (or ` + githubSecretEnv + `), GitLab ones the
X-Gitlab-Token in --gitlab-token-file (or ` + gitlabTokenEnv + `):
unsigned and forged requests are refused with 401. A push is scanned only
when its repository's clone URL starts with an allowed prefix (the forge's
host by default; --clone-url-prefix adds more), so a payload can't make the
server clone anything else.

With --state shared with 'leakhound org', a push to a repository the state
has tips for scans everything new since them and moves them; otherwise the
pushed range (before..after) alone. Pushes wait in a bounded queue
(--queue; 503 when full), --concurrency run at once, each within
--push-timeout. Accepted pushes are recorded in the state until they are
scanned and alerted, so on SIGTERM the server stops taking requests, lets
running scans finish within --shutdown-timeout, and the pushes it could not
finish are taken up when it starts again. GET /healthz answers 200.`,
		Example: `  ` + githubSecretEnv + `=... leakhound serve --listen :8080 --state /data/state.json \
      --cache-dir /data/mirrors --notify slack=https://hooks.slack.com/services/...`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return serveRun(c.Context(), io, g, opts)
		},
	}
	fl := c.Flags()
	fl.StringVar(&opts.Listen, "listen", "", "address to listen on, e.g. :8080 or 127.0.0.1:8080 (required)")
	fl.StringVar(&opts.GitHubSecretFile, "github-secret-file", "", "file holding the GitHub webhook secret (or "+githubSecretEnv+")")
	fl.StringVar(&opts.GitLabTokenFile, "gitlab-token-file", "", "file holding the GitLab webhook secret token (or "+gitlabTokenEnv+")")
	fl.StringArrayVar(&opts.CloneURLPrefixes, "clone-url-prefix", nil, "also scan pushes whose clone URL starts with this (repeatable; default: the forges' hosts)")
	fl.StringVar(&opts.GitHubAPIURL, "github-api-url", org.GitHubAPI, "GitHub API URL: its host decides the clone URLs allowed and those GITHUB_TOKEN is sent to")
	fl.StringVar(&opts.GitLabAPIURL, "gitlab-api-url", org.GitLabAPI, "GitLab API URL: its host decides the clone URLs allowed and those GITLAB_TOKEN is sent to")
	fl.IntVar(&opts.Queue, "queue", 100, "pushes waiting at most; more are refused with 503")
	fl.DurationVar(&opts.PushTimeout, "push-timeout", 15*time.Minute, "time limit of one push's fetch and scan")
	fl.DurationVar(&opts.ShutdownTimeout, "shutdown-timeout", 30*time.Second, "on SIGTERM, how long running scans may take to finish")
	opts.fleetOptions.addFlags(c, "concurrency")
	c.Flags().Lookup("concurrency").Usage = "pushes scanned at once"
	return c
}

// webhookSecret reads a secret from a file, else from the environment.
func webhookSecret(file, env string) ([]byte, error) {
	if file != "" {
		b, err := plainfile.Read(file, 64<<10)
		if err != nil {
			return nil, err
		}
		return []byte(strings.TrimSpace(string(b))), nil
	}
	return []byte(strings.TrimSpace(os.Getenv(env))), nil
}

func serveRun(ctx context.Context, io *IOStreams, g *GlobalOptions, opts *ServeOptions) error {
	if opts.Listen == "" {
		return usageError(errors.New("--listen is required"))
	}
	if opts.Queue < 1 {
		return usageError(errors.New("--queue must be at least 1"))
	}
	ghSecret, err := webhookSecret(opts.GitHubSecretFile, githubSecretEnv)
	if err != nil {
		return usageError(fmt.Errorf("--github-secret-file: %w", err))
	}
	glToken, err := webhookSecret(opts.GitLabTokenFile, gitlabTokenEnv)
	if err != nil {
		return usageError(fmt.Errorf("--gitlab-token-file: %w", err))
	}
	if len(ghSecret) == 0 && len(glToken) == 0 {
		return usageError(fmt.Errorf("no webhook secret: set --github-secret-file or %s, or --gitlab-token-file or %s (unsigned webhooks are never accepted)", githubSecretEnv, gitlabTokenEnv))
	}
	gh := org.Options{Platform: org.GitHub, APIURL: opts.GitHubAPIURL, Token: tokenFor(org.GitHub)}
	gl := org.Options{Platform: org.GitLab, APIURL: opts.GitLabAPIURL, Token: tokenFor(org.GitLab)}
	prefixes := slices.Clone(opts.CloneURLPrefixes)
	for _, o := range []org.Options{gh, gl} {
		p, err := forgePrefix(o)
		if err != nil {
			return usageError(err)
		}
		prefixes = append(prefixes, p)
	}
	auth := func(u string) transport.AuthMethod {
		if a := org.CloneAuth(gh, u); a != nil {
			return a
		}
		return org.CloneAuth(gl, u)
	}
	f, err := newFleet(io, g, &opts.fleetOptions, auth, nil)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return usageError(fmt.Errorf("--listen: %w", err))
	}
	s := &pushServer{io: io, g: g, fleet: f, opts: opts, githubSecret: ghSecret, gitlabToken: glToken, prefixes: prefixes,
		queue: make(chan queuedPush, opts.Queue)}
	return s.run(ctx, ln)
}

// forgePrefix is the clone URL prefix of a forge: https://HOST/ of its
// API URL (api.github.com's is github.com).
func forgePrefix(o org.Options) (string, error) {
	u, err := url.Parse(o.APIURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%s API URL %q: want an http(s) URL", o.Platform, o.APIURL)
	}
	return u.Scheme + "://" + strings.TrimPrefix(u.Host, "api.") + "/", nil
}

type queuedPush struct {
	platform string
	repo     org.Repo
	push     orgscan.Push
}

// pushServer receives webhooks and scans pushes.
type pushServer struct {
	io           *IOStreams
	g            *GlobalOptions
	fleet        *fleet
	opts         *ServeOptions
	githubSecret []byte
	gitlabToken  []byte
	prefixes     []string

	queue    chan queuedPush
	stopping atomic.Bool
	inFlight atomic.Int32
	logMu    sync.Mutex
}

func (s *pushServer) logf(format string, args ...any) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.io.ErrOut, "leakhound: "+format+"\n", args...)
}

func (s *pushServer) run(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: time.Minute,
		MaxHeaderBytes: 64 << 10}
	// Scans run in their own context: a SIGTERM stops intake at once,
	// and running scans only after --shutdown-timeout.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	var workers sync.WaitGroup
	for i := 0; i < s.opts.Concurrency; i++ {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for q := range s.queue {
				if s.stopping.Load() {
					continue // left recorded in the state for the next start
				}
				s.inFlight.Add(1)
				s.scan(work, q)
				s.inFlight.Add(-1)
			}
		}()
	}
	s.resume()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	s.logf("listening on %s", ln.Addr())
	if s.opts.State == "" {
		s.logf("warning: without --state, pushes not scanned when the server stops are lost")
	}

	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr:
	}
	s.stopping.Store(true)
	s.logf("stopping: no new pushes; waiting up to %s for %d running scan(s)", s.opts.ShutdownTimeout, s.inFlight.Load())
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.ShutdownTimeout)
	defer cancel()
	_ = srv.Shutdown(shutCtx) // handlers only enqueue: they end at once
	close(s.queue)
	done := make(chan struct{})
	go func() { workers.Wait(); close(done) }()
	select {
	case <-done:
	case <-shutCtx.Done():
		stopWork()
		<-done
	}
	left := 0
	for _, name := range s.fleet.scanner.State().Names() {
		if st := s.fleet.scanner.State().Get(name); st != nil {
			left += len(st.Pushes)
		}
	}
	s.logf("stopped; %d push(es) recorded in the state for the next start", left)
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return &exitError{code: ExitErrors, err: err}
	}
	return nil
}

// resume queues the pushes an earlier run recorded and did not finish.
func (s *pushServer) resume() {
	st := s.fleet.scanner.State()
	for _, name := range st.Names() {
		r := st.Get(name)
		if r == nil || r.CloneURL == "" {
			continue
		}
		for _, p := range r.Pushes {
			select {
			case s.queue <- queuedPush{platform: p.Platform, repo: org.Repo{FullName: name, CloneURL: r.CloneURL, WebURL: r.WebURL}, push: p}:
				s.logf("resuming push %s %s %s", report.Printable(name), report.Printable(p.Ref), shortHash(p.After))
			default:
				s.logf("queue full: push %s %s left in the state", report.Printable(name), shortHash(p.After))
			}
		}
	}
}

func shortHash(h string) string { return h[:min(len(h), 8)] }

// scan scans one push, alerts its new findings and, once they are
// delivered, takes the push out of the state.
func (s *pushServer) scan(work context.Context, q queuedPush) {
	ctx, cancel := context.WithTimeout(work, s.opts.PushTimeout)
	defer cancel()
	res := s.fleet.scanner.Scan(ctx, q.repo, &q.push)
	name := report.Printable(q.repo.FullName)
	what := fmt.Sprintf("push %s %s %s..%s", name, report.Printable(q.push.Ref), shortHash(q.push.Before), shortHash(q.push.After))
	if work.Err() != nil {
		s.logf("%s: interrupted by shutdown; recorded for the next start", what)
		return
	}
	if res.Err != nil {
		s.logf("error: %s: %s", what, report.Printable(res.Err.Error()))
	}
	for _, p := range res.Summary.Problems {
		s.logf("error: %s: %s: %s", what, report.Printable(p.Path), report.Printable(p.Err))
	}
	nerrs := s.fleet.alert(ctx, s.g, what, q.platform, []orgscan.RepoResult{res})
	for _, e := range nerrs {
		s.logf("error: %s: %s", what, report.Printable(e.Error()))
	}
	if len(nerrs) == 0 {
		if err := s.fleet.scanner.Deliver([]orgscan.RepoResult{res}); err != nil {
			s.logf("error: %s", report.Printable(err.Error()))
		}
		s.forget(q)
	}
	s.logf("%s: %s, %d blobs, %d findings (%d new) in %s", what, res.Status, res.Summary.Files, len(res.Findings), len(res.New),
		res.Summary.Duration.Round(time.Millisecond))
}

// record keeps an accepted push in the state until it is scanned.
func (s *pushServer) record(q queuedPush) error {
	return s.fleet.scanner.State().Update(q.repo.FullName, func(r *orgscan.RepoState) {
		r.CloneURL, r.WebURL = q.repo.CloneURL, q.repo.WebURL
		if !slices.Contains(r.Pushes, q.push) {
			r.Pushes = append(r.Pushes, q.push)
		}
	})
}

func (s *pushServer) forget(q queuedPush) {
	err := s.fleet.scanner.State().Update(q.repo.FullName, func(r *orgscan.RepoState) {
		r.Pushes = slices.DeleteFunc(r.Pushes, func(p orgscan.Push) bool { return p == q.push })
	})
	if err != nil {
		s.logf("error: %s", report.Printable(err.Error()))
	}
}

func (s *pushServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthz" {
		w.Header().Set("Content-Type", "application/json")
		status := http.StatusOK
		state := "ok"
		if s.stopping.Load() {
			status, state = http.StatusServiceUnavailable, "stopping"
		}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"status": state, "queued": len(s.queue), "in_flight": s.inFlight.Load()})
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "POST webhooks here", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	if len(body) > maxPayload {
		http.Error(w, "payload too large", http.StatusRequestEntityTooLarge)
		return
	}
	var (
		q       queuedPush
		ok      bool
		problem string
	)
	switch {
	case r.Header.Get("X-GitHub-Event") != "":
		if !s.githubSigned(r.Header.Get("X-Hub-Signature-256"), body) {
			s.logf("refused a GitHub delivery from %s: missing or bad signature", r.RemoteAddr)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		switch r.Header.Get("X-GitHub-Event") {
		case "ping":
			io.WriteString(w, "pong\n")
			return
		case "push":
			q, ok, problem = parseGitHubPush(body)
		default:
			w.WriteHeader(http.StatusAccepted)
			io.WriteString(w, "ignored: not a push\n")
			return
		}
	case r.Header.Get("X-Gitlab-Event") != "":
		if !s.gitlabSigned(r.Header.Get("X-Gitlab-Token")) {
			s.logf("refused a GitLab delivery from %s: missing or bad token", r.RemoteAddr)
			http.Error(w, "bad token", http.StatusUnauthorized)
			return
		}
		switch r.Header.Get("X-Gitlab-Event") {
		case "Push Hook", "Tag Push Hook":
			q, ok, problem = parseGitLabPush(body)
		default:
			w.WriteHeader(http.StatusAccepted)
			io.WriteString(w, "ignored: not a push\n")
			return
		}
	default:
		http.Error(w, "not a GitHub or GitLab webhook", http.StatusBadRequest)
		return
	}
	if !ok {
		http.Error(w, problem, http.StatusBadRequest)
		return
	}
	if !s.allowed(q.repo.CloneURL) {
		s.logf("refused a push to %s: its clone URL is not under an allowed prefix", report.Printable(q.repo.FullName))
		http.Error(w, "repository not allowed (see --clone-url-prefix)", http.StatusForbidden)
		return
	}
	if isZeroHex(q.push.After) {
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "ignored: ref deleted\n")
		return
	}
	if s.stopping.Load() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	if len(s.queue) == cap(s.queue) {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "queue full", http.StatusServiceUnavailable)
		return
	}
	if err := s.record(q); err != nil {
		s.logf("error: %s", report.Printable(err.Error()))
	}
	select {
	case s.queue <- q:
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "queued\n")
	default:
		// Filled since the check: recorded, so the next start scans it.
		w.Header().Set("Retry-After", "60")
		http.Error(w, "queue full", http.StatusServiceUnavailable)
	}
}

// githubSigned checks X-Hub-Signature-256: HMAC-SHA256 of the body with
// the secret, compared in constant time.
func (s *pushServer) githubSigned(header string, body []byte) bool {
	if len(s.githubSecret) == 0 {
		return false
	}
	sig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, s.githubSecret)
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// gitlabSigned checks X-Gitlab-Token in constant time.
func (s *pushServer) gitlabSigned(token string) bool {
	if len(s.gitlabToken) == 0 || token == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(token), s.gitlabToken) == 1
}

func (s *pushServer) allowed(cloneURL string) bool {
	for _, p := range s.prefixes {
		if strings.HasPrefix(cloneURL, p) {
			return true
		}
	}
	return false
}

var hex40 = regexp.MustCompile(`^[0-9a-f]{40}$`)

func isZeroHex(h string) bool { return strings.Trim(h, "0") == "" }

func checkPush(q queuedPush) (queuedPush, bool, string) {
	switch {
	case q.repo.FullName == "" || q.repo.CloneURL == "":
		return q, false, "push without a repository name or clone URL"
	case !hex40.MatchString(q.push.Before) || !hex40.MatchString(q.push.After):
		return q, false, "push without 40-hex before and after commits"
	case !strings.HasPrefix(q.push.Ref, "refs/"):
		return q, false, "push without a ref"
	}
	return q, true, ""
}

func parseGitHubPush(body []byte) (queuedPush, bool, string) {
	var p struct {
		Ref        string `json:"ref"`
		Before     string `json:"before"`
		After      string `json:"after"`
		Repository struct {
			FullName string `json:"full_name"`
			CloneURL string `json:"clone_url"`
			HTMLURL  string `json:"html_url"`
		} `json:"repository"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return queuedPush{}, false, "bad JSON"
	}
	return checkPush(queuedPush{platform: org.GitHub,
		repo: org.Repo{FullName: p.Repository.FullName, CloneURL: p.Repository.CloneURL, WebURL: p.Repository.HTMLURL},
		push: orgscan.Push{Platform: org.GitHub, Ref: p.Ref, Before: p.Before, After: p.After}})
}

func parseGitLabPush(body []byte) (queuedPush, bool, string) {
	var p struct {
		Ref     string `json:"ref"`
		Before  string `json:"before"`
		After   string `json:"after"`
		Project struct {
			PathWithNamespace string `json:"path_with_namespace"`
			GitHTTPURL        string `json:"git_http_url"`
			WebURL            string `json:"web_url"`
		} `json:"project"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return queuedPush{}, false, "bad JSON"
	}
	return checkPush(queuedPush{platform: org.GitLab,
		repo: org.Repo{FullName: p.Project.PathWithNamespace, CloneURL: p.Project.GitHTTPURL, WebURL: p.Project.WebURL},
		push: orgscan.Push{Platform: org.GitLab, Ref: p.Ref, Before: p.Before, After: p.After}})
}
