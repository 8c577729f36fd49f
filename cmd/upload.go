package cmd

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/leakhound/leakhound/internal/plainfile"
	"github.com/leakhound/leakhound/report"
)

// UploadOptions are upload-sarif's flags.
type UploadOptions struct {
	File         string
	Repo         string
	Ref          string
	Commit       string
	APIURL       string
	Category     string
	CheckoutURI  string
	Wait         bool
	WaitTimeout  time.Duration
	PollInterval time.Duration
}

// maxSARIFFile caps the SARIF file read for an upload; GitHub takes at
// most 10 MB compressed, which no sane SARIF reaches at this size.
const maxSARIFFile = 1 << 30

// NewCmdUploadSARIF builds `leakhound upload-sarif`.
func NewCmdUploadSARIF(io *IOStreams) *cobra.Command {
	opts := &UploadOptions{}
	c := &cobra.Command{
		Use:   "upload-sarif FILE",
		Short: "Upload a SARIF report to GitHub code scanning and wait for the outcome",
		Long: `Upload a SARIF report to GitHub code scanning (POST
/repos/OWNER/NAME/code-scanning/sarifs, gzip-compressed and base64-encoded),
then wait until GitHub has processed it and print the outcome.

The token is read from GITHUB_TOKEN (it needs the security_events scope,
or "security-events: write" in a workflow) and is sent only, as a header,
to the API URL. In a GitHub Actions run, --repo, --ref, --commit and
--api-url default to the run's GITHUB_REPOSITORY, GITHUB_REF, GITHUB_SHA
and GITHUB_API_URL.

The file is checked against GitHub's limits (10 MB compressed, 20 runs,
25,000 results per run, 1,000 locations per result, 25,000 rules, one run
per tool and category) before anything is sent: a file GitHub would reject
is not uploaded. leakhound's own SARIF always stays within them.

Exit codes: 0 processed, 2 bad input (no token, a file over the limits),
3 GitHub refused the upload or could not process it (its errors are
printed), or it was still pending at --wait-timeout.`,
		Example: `  leakhound git --range "$BASE..$HEAD" --format sarif -o leakhound.sarif
  leakhound upload-sarif leakhound.sarif --category leakhound
  leakhound upload-sarif leakhound.sarif --repo acme/app --ref refs/heads/main --commit "$(git rev-parse HEAD)" \
      --api-url https://ghe.example.com/api/v3`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.File = args[0]
			return uploadRun(c.Context(), io, opts, os.Getenv)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Repo, "repo", "", "repository as OWNER/NAME (default: $GITHUB_REPOSITORY)")
	f.StringVar(&opts.Ref, "ref", "", "full git ref the analysis is for: refs/heads/BRANCH, refs/pull/N/merge, ... (default: $GITHUB_REF)")
	f.StringVar(&opts.Commit, "commit", "", "commit SHA the analysis is for (default: $GITHUB_SHA)")
	f.StringVar(&opts.APIURL, "api-url", "", "GitHub API base URL, e.g. https://ghe.example.com/api/v3 for GitHub Enterprise Server (default: $GITHUB_API_URL, else https://api.github.com)")
	f.StringVar(&opts.Category, "category", "", "analysis category (runs[].automationDetails.id), so uploads of different scans of one commit don't replace each other")
	f.StringVar(&opts.CheckoutURI, "checkout-uri", "", "file:// URI of the checkout, when the SARIF holds absolute paths")
	f.BoolVar(&opts.Wait, "wait", true, "wait until GitHub has processed the upload and report the outcome")
	f.DurationVar(&opts.WaitTimeout, "wait-timeout", 5*time.Minute, "how long to wait for processing")
	f.DurationVar(&opts.PollInterval, "poll-interval", 5*time.Second, "time between processing status checks")
	return c
}

var (
	repoPattern   = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	commitPattern = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)
)

// uploadTarget is where an upload goes, checked.
type uploadTarget struct {
	api                *url.URL
	repo, ref, commit  string
	token              string
	category, checkout string
}

func resolveUpload(o *UploadOptions, getenv func(string) string) (*uploadTarget, error) {
	t := &uploadTarget{
		repo:     firstNonEmpty(o.Repo, getenv("GITHUB_REPOSITORY")),
		ref:      firstNonEmpty(o.Ref, getenv("GITHUB_REF")),
		commit:   strings.ToLower(firstNonEmpty(o.Commit, getenv("GITHUB_SHA"))),
		token:    strings.TrimSpace(getenv("GITHUB_TOKEN")),
		category: o.Category,
		checkout: o.CheckoutURI,
	}
	var missing []string
	if t.repo == "" {
		missing = append(missing, "--repo (or GITHUB_REPOSITORY)")
	}
	if t.ref == "" {
		missing = append(missing, "--ref (or GITHUB_REF)")
	}
	if t.commit == "" {
		missing = append(missing, "--commit (or GITHUB_SHA)")
	}
	if t.token == "" {
		missing = append(missing, "a token in GITHUB_TOKEN")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("upload-sarif needs %s", strings.Join(missing, ", "))
	}
	if !repoPattern.MatchString(t.repo) {
		return nil, fmt.Errorf("--repo %q: want OWNER/NAME", t.repo)
	}
	if !strings.HasPrefix(t.ref, "refs/") {
		return nil, fmt.Errorf("--ref %q: want a full ref such as refs/heads/main or refs/pull/42/merge", t.ref)
	}
	if !commitPattern.MatchString(t.commit) {
		return nil, fmt.Errorf("--commit %q: want a full commit SHA", t.commit)
	}
	raw := firstNonEmpty(o.APIURL, getenv("GITHUB_API_URL"), "https://api.github.com")
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("--api-url %q: want an http(s) URL such as https://ghe.example.com/api/v3", raw)
	}
	// The token goes in a header; over plain http anyone on the path
	// reads it. Only a server on this machine may be plain http.
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("--api-url %q: the token would be sent unencrypted; use https", raw)
	}
	t.api = u
	return t, nil
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

func uploadRun(ctx context.Context, io *IOStreams, o *UploadOptions, getenv func(string) string) error {
	t, err := resolveUpload(o, getenv)
	if err != nil {
		return usageError(err)
	}
	data, err := plainfile.Read(o.File, maxSARIFFile)
	if err != nil {
		return usageError(fmt.Errorf("read SARIF: %w", err))
	}
	if t.category != "" {
		if data, err = setCategory(data, t.category); err != nil {
			return usageError(fmt.Errorf("%s: %w", o.File, err))
		}
	}
	st, err := report.CheckSARIF(data, report.GitHubSARIFLimits)
	if err != nil {
		return usageError(fmt.Errorf("%s: %w; not uploaded", o.File, err))
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compress %s: %w", o.File, err)
	}
	body := map[string]string{
		"commit_sha": t.commit,
		"ref":        t.ref,
		"sarif":      base64.StdEncoding.EncodeToString(gz.Bytes()),
		"tool_name":  "leakhound",
	}
	if t.checkout != "" {
		body["checkout_uri"] = t.checkout
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode upload: %w", err)
	}

	cl := &githubClient{api: t.api, token: t.token, http: newUploadHTTPClient(t.api), retryWait: o.PollInterval}
	var receipt struct {
		ID string `json:"id"`
	}
	base := "/repos/" + t.repo + "/code-scanning/sarifs"
	if err := cl.do(ctx, http.MethodPost, base, payload, http.StatusAccepted, &receipt); err != nil {
		return &exitError{code: ExitErrors, err: fmt.Errorf("upload %s to %s: %w", o.File, t.repo, err)}
	}
	if receipt.ID == "" {
		return &exitError{code: ExitErrors, err: fmt.Errorf("upload %s to %s: GitHub accepted it but gave no upload id", o.File, t.repo)}
	}
	fmt.Fprintf(io.ErrOut, "leakhound: uploaded %s to %s (%s at %s): %d results in %d run(s), %s compressed; upload id %s\n",
		o.File, t.repo, t.ref, t.commit[:min(12, len(t.commit))], st.Results, st.Runs, report.HumanSize(int64(gz.Len())), receipt.ID)
	if !o.Wait {
		return nil
	}
	return waitProcessed(ctx, io, cl, base+"/"+url.PathEscape(receipt.ID), o)
}

// waitProcessed polls an upload until GitHub has processed it.
func waitProcessed(ctx context.Context, io *IOStreams, cl *githubClient, path string, o *UploadOptions) error {
	ctx, cancel := context.WithTimeout(ctx, o.WaitTimeout)
	defer cancel()
	interval := max(o.PollInterval, 10*time.Millisecond)
	for {
		var st struct {
			Status      string   `json:"processing_status"`
			AnalysesURL string   `json:"analyses_url"`
			Errors      []string `json:"errors"`
		}
		err := cl.do(ctx, http.MethodGet, path, nil, http.StatusOK, &st)
		var he *httpError
		switch {
		case errors.As(err, &he) && he.status == http.StatusNotFound:
			// Just after an upload GitHub may not know it yet.
		case err != nil && ctx.Err() == nil:
			return &exitError{code: ExitErrors, err: fmt.Errorf("check upload status: %w", err)}
		case st.Status == "complete":
			line := "leakhound: code scanning processed the upload"
			if st.AnalysesURL != "" {
				line += ": " + report.Printable(st.AnalysesURL)
			}
			fmt.Fprintln(io.ErrOut, line)
			return nil
		case st.Status == "failed":
			fmt.Fprintln(io.ErrOut, "leakhound: code scanning could not process the upload:")
			for _, e := range st.Errors {
				fmt.Fprintf(io.ErrOut, "  %s\n", report.Printable(e))
			}
			if len(st.Errors) == 0 {
				fmt.Fprintln(io.ErrOut, "  (GitHub gave no reason)")
			}
			return &exitError{code: ExitErrors}
		}
		select {
		case <-ctx.Done():
			return &exitError{code: ExitErrors, err: fmt.Errorf("the upload was still being processed after %s (--wait-timeout); see the repository's code scanning page", o.WaitTimeout)}
		case <-time.After(interval):
		}
	}
}

// setCategory sets every run's automationDetails.id to the category (a
// second run gets "/2" and so on: GitHub wants one run per category).
func setCategory(data []byte, category string) ([]byte, error) {
	var log map[string]any
	if err := json.Unmarshal(data, &log); err != nil {
		return nil, fmt.Errorf("not a SARIF file: %w", err)
	}
	runs, _ := log["runs"].([]any)
	for i, r := range runs {
		run, ok := r.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("run %d is not an object", i+1)
		}
		id := category
		if i > 0 {
			id = fmt.Sprintf("%s/%d", category, i+1)
		}
		run["automationDetails"] = map[string]any{"id": id}
	}
	return json.Marshal(log)
}

// githubClient talks to one GitHub API: the token goes to its host only.
type githubClient struct {
	api       *url.URL
	token     string
	http      *http.Client
	retryWait time.Duration
}

// newUploadHTTPClient follows no redirect to another host: the token is
// for the API URL alone.
func newUploadHTTPClient(api *url.URL) *http.Client {
	return &http.Client{
		Timeout:   2 * time.Minute,
		Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, TLSHandshakeTimeout: 30 * time.Second},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Scheme != api.Scheme || req.URL.Host != api.Host {
				return fmt.Errorf("refusing a redirect to %s: the token is only sent to %s", req.URL.Redacted(), api.Host)
			}
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			return nil
		},
	}
}

type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

// do sends one request, retrying a few times on network errors and 5xx
// answers, and decodes a JSON answer with the wanted status into out.
func (c *githubClient) do(ctx context.Context, method, path string, body []byte, want int, out any) error {
	var last error
	for attempt := range 3 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return last
			case <-time.After(time.Duration(attempt) * max(c.retryWait, 10*time.Millisecond)):
			}
		}
		err := c.once(ctx, method, path, body, want, out)
		var he *httpError
		if err == nil || ctx.Err() != nil || (errors.As(err, &he) && he.status < 500) {
			return err
		}
		last = err
	}
	return last
}

func (c *githubClient) once(ctx context.Context, method, path string, body []byte, want int, out any) error {
	u := *c.api
	u.Path = strings.TrimRight(u.Path, "/") + path
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("User-Agent", "leakhound/"+version())
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode != want {
		return &httpError{status: resp.StatusCode, msg: githubErrorText(resp.StatusCode, data)}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("GitHub's answer is not the JSON expected: %w", err)
	}
	return nil
}

// githubErrorText is GitHub's error message with a hint for the usual
// causes.
func githubErrorText(status int, body []byte) string {
	var e struct {
		Message string `json:"message"`
	}
	msg := http.StatusText(status)
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		msg = e.Message
	}
	msg = fmt.Sprintf("GitHub answered %d: %s", status, report.Printable(msg))
	switch status {
	case http.StatusUnauthorized:
		msg += " (is GITHUB_TOKEN a valid token?)"
	case http.StatusForbidden:
		msg += ` (the token needs the security_events scope, or "permissions: security-events: write" in the workflow; pull requests from forks get a read-only token)`
	case http.StatusNotFound:
		msg += " (no such repository, or the token can't see it)"
	}
	return msg
}
