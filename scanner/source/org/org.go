// Package org lists the repositories of a GitHub organization (or user)
// or a GitLab group, through their REST APIs, for an org-wide scan: it
// follows pagination, filters out archived repositories and forks unless
// asked, applies include and exclude globs, and waits out rate limits
// (Retry-After, X-RateLimit-Reset, RateLimit-Reset) within a bound. It
// also assigns repositories to shards.
//
// The token goes in a header only, to the API URL's host only: pagination
// links and redirects to another host are refused, and a clone gets it
// (CloneAuth) only when its URL is on the forge's own host.
package org

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// Platforms.
const (
	GitHub = "github"
	GitLab = "gitlab"
)

// Default API URLs.
const (
	GitHubAPI = "https://api.github.com"
	GitLabAPI = "https://gitlab.com/api/v4"
)

// Repo is one repository of an organization.
type Repo struct {
	// FullName is "org/name" (GitHub) or "group/sub/name" (GitLab): what
	// findings name as their repository, and what shards are cut on.
	FullName      string `json:"full_name"`
	CloneURL      string `json:"clone_url"`
	WebURL        string `json:"web_url"` // for links to commits and files
	DefaultBranch string `json:"default_branch,omitempty"`
	Archived      bool   `json:"archived,omitempty"`
	Fork          bool   `json:"fork,omitempty"`
	// Size is the repository's size in bytes as the API states it (0
	// when it does not).
	Size int64 `json:"size,omitempty"`
}

// Options say which repositories to list.
type Options struct {
	Platform string // GitHub or GitLab
	Owner    string // the GitHub organization or user, the GitLab group (a path like "a/b" or an id)
	// APIURL is the API's base URL: GitHubAPI, GitLabAPI, or an
	// Enterprise or self-managed one (https://ghe.example.com/api/v3).
	APIURL string
	// Token authenticates the listing (and, with CloneAuth, the clones).
	Token string

	Archived bool // list archived repositories too
	Forks    bool // list forks too
	// Include, when set, keeps only repositories matching one of these
	// globs; Exclude drops those matching one (see Match).
	Include, Exclude []string

	// Client makes the requests; default NewClient(time.Minute).
	Client *http.Client
	// MaxWait bounds one wait for a rate limit to reset (default 5m): a
	// longer one is an error saying when the limit resets.
	MaxWait time.Duration
	// Log, when set, is told about waits and retries.
	Log func(msg string)
}

// PerPage is the page size asked for (both APIs' maximum).
const PerPage = 100

// maxPages bounds a listing (100,000 repositories): a server that always
// says there is a next page must not keep a scan listing forever.
const maxPages = 1000

// maxBody caps what is read of one API answer.
const maxBody = 32 << 20

// NewClient returns the HTTP client for API calls: a timeout, no proxy
// from the environment (it would see the token), and redirects only to
// the same host and scheme (a custom token header would follow one
// anywhere).
func NewClient(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 15 * time.Second}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: timeout,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: sameHostRedirect}
}

func sameHostRedirect(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if req.URL.Host != first.Host || req.URL.Scheme != first.Scheme {
		return fmt.Errorf("redirect to another host (%s) refused", req.URL.Host)
	}
	if len(via) >= 5 {
		return errors.New("too many redirects")
	}
	return nil
}

// List returns the repositories of opts.Owner that the filters keep,
// sorted by full name.
func List(ctx context.Context, opts Options) ([]Repo, error) {
	if opts.Owner == "" {
		return nil, errors.New("no organization or group given")
	}
	base, err := apiBase(opts)
	if err != nil {
		return nil, err
	}
	for _, g := range append(append([]string(nil), opts.Include...), opts.Exclude...) {
		if _, err := path.Match(g, ""); err != nil {
			return nil, fmt.Errorf("glob %q: %w", g, err)
		}
	}
	l := &lister{opts: opts, base: base, client: opts.Client}
	if l.client == nil {
		l.client = NewClient(time.Minute)
	}
	var all []Repo
	switch opts.Platform {
	case GitHub:
		all, err = l.github(ctx)
	case GitLab:
		all, err = l.gitlab(ctx)
	default:
		return nil, fmt.Errorf("platform %q: want github or gitlab", opts.Platform)
	}
	if err != nil {
		return nil, err
	}
	var out []Repo
	seen := map[string]bool{}
	for _, r := range all {
		if r.FullName == "" || seen[r.FullName] {
			continue
		}
		seen[r.FullName] = true
		if (r.Archived && !opts.Archived) || (r.Fork && !opts.Forks) {
			continue
		}
		if len(opts.Include) > 0 && !Match(opts.Include, r.FullName) {
			continue
		}
		if Match(opts.Exclude, r.FullName) {
			continue
		}
		out = append(out, r)
	}
	sortRepos(out)
	return out, nil
}

// Match reports whether a repository's full name matches one of globs
// (path.Match: * stays within one path element). A glob without a slash
// is matched against the repository's own name as well, so "*-archive"
// and "org/*-archive" both work.
func Match(globs []string, fullName string) bool {
	name := fullName[strings.LastIndex(fullName, "/")+1:]
	for _, g := range globs {
		if ok, _ := path.Match(g, fullName); ok {
			return true
		}
		if !strings.Contains(g, "/") {
			if ok, _ := path.Match(g, name); ok {
				return true
			}
		}
	}
	return false
}

func apiBase(opts Options) (*url.URL, error) {
	raw := opts.APIURL
	if raw == "" {
		switch opts.Platform {
		case GitHub:
			raw = GitHubAPI
		case GitLab:
			raw = GitLabAPI
		}
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("API URL %q: want an http(s) URL", raw)
	}
	if u.User != nil || u.RawQuery != "" {
		return nil, fmt.Errorf("API URL %q: credentials and queries don't belong in it (the token comes from the environment)", u.Redacted())
	}
	return u, nil
}

type lister struct {
	opts   Options
	base   *url.URL
	client *http.Client
}

func (l *lister) github(ctx context.Context) ([]Repo, error) {
	type ghRepo struct {
		FullName      string `json:"full_name"`
		CloneURL      string `json:"clone_url"`
		HTMLURL       string `json:"html_url"`
		DefaultBranch string `json:"default_branch"`
		Archived      bool   `json:"archived"`
		Fork          bool   `json:"fork"`
		Size          int64  `json:"size"` // KiB
	}
	owner := url.PathEscape(l.opts.Owner)
	first := l.base.JoinPath("orgs", owner, "repos")
	first.RawQuery = url.Values{"per_page": {strconv.Itoa(PerPage)}, "type": {"all"}}.Encode()
	var out []Repo
	next := first
	for page := 0; next != nil; page++ {
		if page == maxPages {
			return out, fmt.Errorf("list %s: more than %d pages", l.opts.Owner, maxPages)
		}
		resp, body, err := l.get(ctx, next)
		if err != nil {
			return out, err
		}
		if resp.StatusCode == http.StatusNotFound && page == 0 {
			// Not an organization: a user's repositories.
			next = l.base.JoinPath("users", owner, "repos")
			next.RawQuery = url.Values{"per_page": {strconv.Itoa(PerPage)}, "type": {"owner"}}.Encode()
			if resp, body, err = l.get(ctx, next); err != nil {
				return out, err
			}
		}
		if resp.StatusCode != http.StatusOK {
			return out, apiError(l.opts.Owner, resp, body)
		}
		var repos []ghRepo
		if err := json.Unmarshal(body, &repos); err != nil {
			return out, fmt.Errorf("list %s: %s: bad JSON: %w", l.opts.Owner, next.Redacted(), err)
		}
		for _, r := range repos {
			out = append(out, Repo{FullName: r.FullName, CloneURL: r.CloneURL, WebURL: r.HTMLURL, DefaultBranch: r.DefaultBranch,
				Archived: r.Archived, Fork: r.Fork, Size: r.Size * 1024})
		}
		if next, err = l.nextLink(resp.Header.Get("Link")); err != nil {
			return out, err
		}
	}
	return out, nil
}

func (l *lister) gitlab(ctx context.Context) ([]Repo, error) {
	type glProject struct {
		PathWithNamespace string `json:"path_with_namespace"`
		HTTPURLToRepo     string `json:"http_url_to_repo"`
		WebURL            string `json:"web_url"`
		DefaultBranch     string `json:"default_branch"`
		Archived          bool   `json:"archived"`
		ForkedFrom        *struct {
			ID int64 `json:"id"`
		} `json:"forked_from_project"`
		Statistics *struct {
			RepositorySize int64 `json:"repository_size"`
		} `json:"statistics"`
	}
	// A group path's slashes are escaped: the group is one path segment.
	u := l.base.JoinPath("groups")
	u.RawPath = u.EscapedPath() + "/" + url.PathEscape(l.opts.Owner) + "/projects"
	u.Path += "/" + l.opts.Owner + "/projects"
	q := url.Values{"per_page": {strconv.Itoa(PerPage)}, "include_subgroups": {"true"}, "order_by": {"id"}, "sort": {"asc"}}
	if !l.opts.Archived {
		q.Set("archived", "false")
	}
	var out []Repo
	for page := 1; ; page++ {
		if page > maxPages {
			return out, fmt.Errorf("list %s: more than %d pages", l.opts.Owner, maxPages)
		}
		q.Set("page", strconv.Itoa(page))
		u.RawQuery = q.Encode()
		resp, body, err := l.get(ctx, u)
		if err != nil {
			return out, err
		}
		if resp.StatusCode != http.StatusOK {
			return out, apiError(l.opts.Owner, resp, body)
		}
		var ps []glProject
		if err := json.Unmarshal(body, &ps); err != nil {
			return out, fmt.Errorf("list %s: %s: bad JSON: %w", l.opts.Owner, u.Redacted(), err)
		}
		for _, p := range ps {
			r := Repo{FullName: p.PathWithNamespace, CloneURL: p.HTTPURLToRepo, WebURL: p.WebURL, DefaultBranch: p.DefaultBranch,
				Archived: p.Archived, Fork: p.ForkedFrom != nil}
			if p.Statistics != nil {
				r.Size = p.Statistics.RepositorySize
			}
			out = append(out, r)
		}
		nextPage := strings.TrimSpace(resp.Header.Get("X-Next-Page"))
		if nextPage == "" || len(ps) == 0 {
			return out, nil
		}
		n, err := strconv.Atoi(nextPage)
		if err != nil || n <= page {
			return out, fmt.Errorf("list %s: bad X-Next-Page %q after page %d", l.opts.Owner, nextPage, page)
		}
		page = n - 1
	}
}

// nextLink is the rel="next" URL of a Link header, or nil. It must be on
// the API's host: the token goes nowhere else.
func (l *lister) nextLink(header string) (*url.URL, error) {
	for _, part := range strings.Split(header, ",") {
		target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
		if !ok || !strings.Contains(strings.ReplaceAll(params, " ", ""), `rel="next"`) {
			continue
		}
		target = strings.TrimSpace(target)
		target = strings.TrimSuffix(strings.TrimPrefix(target, "<"), ">")
		u, err := l.base.Parse(target)
		if err != nil {
			return nil, fmt.Errorf("pagination link %q: %w", target, err)
		}
		if u.Scheme != l.base.Scheme || u.Host != l.base.Host {
			return nil, fmt.Errorf("pagination link to another host (%s) refused: the token is only sent to %s", u.Host, l.base.Host)
		}
		return u, nil
	}
	return nil, nil
}

// maxAttempts bounds the retries of one request after rate limits and
// server errors.
const maxAttempts = 6

// get requests u with the token, waiting out rate limits and retrying
// server errors; any other answer is returned for the caller to judge.
func (l *lister) get(ctx context.Context, u *url.URL) (*http.Response, []byte, error) {
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, nil, err
		}
		req.Header.Set("User-Agent", "leakhound")
		switch l.opts.Platform {
		case GitHub:
			req.Header.Set("Accept", "application/vnd.github+json")
			req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
			if l.opts.Token != "" {
				req.Header.Set("Authorization", "Bearer "+l.opts.Token)
			}
		case GitLab:
			if l.opts.Token != "" {
				req.Header.Set("PRIVATE-TOKEN", l.opts.Token)
			}
		}
		resp, err := l.client.Do(req)
		if err != nil {
			return nil, nil, fmt.Errorf("list %s: %w", l.opts.Owner, l.scrub(err))
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("list %s: read %s: %w", l.opts.Owner, u.Redacted(), l.scrub(err))
		}
		wait, limited := RateLimitWait(resp, time.Now())
		retry := limited || resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable ||
			resp.StatusCode == http.StatusGatewayTimeout
		if !retry || attempt == maxAttempts {
			if limited {
				return resp, body, fmt.Errorf("list %s: rate limited by %s after %d attempts", l.opts.Owner, l.base.Host, attempt)
			}
			return resp, body, nil
		}
		if !limited {
			wait = time.Duration(attempt) * time.Second
		}
		maxWait := l.opts.MaxWait
		if maxWait <= 0 {
			maxWait = 5 * time.Minute
		}
		if wait > maxWait {
			return resp, body, fmt.Errorf("list %s: rate limited by %s until %s (%s from now, over the %s limit on waiting)",
				l.opts.Owner, l.base.Host, time.Now().Add(wait).UTC().Format(time.RFC3339), wait.Round(time.Second), maxWait)
		}
		if l.opts.Log != nil {
			l.opts.Log(fmt.Sprintf("%s answered %d; retrying in %s", l.base.Host, resp.StatusCode, wait.Round(time.Millisecond)))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, nil, ctx.Err()
		case <-t.C:
		}
	}
}

// scrub keeps the token out of an error (a transport error may quote a
// request).
func (l *lister) scrub(err error) error {
	if l.opts.Token == "" || !strings.Contains(err.Error(), l.opts.Token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), l.opts.Token, "***"))
}

// RateLimitWait says whether resp is a rate-limit answer (429, or 403
// with no requests remaining) and how long to wait: Retry-After (seconds
// or a date), else the reset time of X-RateLimit-Reset (GitHub) or
// RateLimit-Reset (GitLab), as Unix seconds; one minute when none says.
func RateLimitWait(resp *http.Response, now time.Time) (time.Duration, bool) {
	h := resp.Header
	remaining := firstHeader(h, "X-RateLimit-Remaining", "RateLimit-Remaining")
	limited := resp.StatusCode == http.StatusTooManyRequests ||
		(resp.StatusCode == http.StatusForbidden && (remaining == "0" || h.Get("Retry-After") != ""))
	if !limited {
		return 0, false
	}
	if ra := strings.TrimSpace(h.Get("Retry-After")); ra != "" {
		if s, err := strconv.Atoi(ra); err == nil && s >= 0 {
			return time.Duration(s) * time.Second, true
		}
		if t, err := http.ParseTime(ra); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	if reset := firstHeader(h, "X-RateLimit-Reset", "RateLimit-Reset"); reset != "" {
		if s, err := strconv.ParseInt(reset, 10, 64); err == nil {
			// A second more: the reset time is rounded down.
			return max(time.Unix(s, 0).Sub(now)+time.Second, 0), true
		}
	}
	return time.Minute, true
}

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(h.Get(n)); v != "" {
			return v
		}
	}
	return ""
}

// apiError describes an unexpected answer, with the API's message when it
// gives one.
func apiError(owner string, resp *http.Response, body []byte) error {
	var m struct {
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	_ = json.Unmarshal(body, &m)
	msg := strings.TrimSpace(m.Message + " " + m.Error)
	if len(msg) > 200 {
		msg = msg[:200]
	}
	hint := ""
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		hint = " (check GITHUB_TOKEN or GITLAB_TOKEN)"
	case http.StatusNotFound:
		hint = " (no such organization or group, or the token can't see it)"
	}
	if msg != "" {
		return fmt.Errorf("list %s: %s: %s%s", owner, resp.Status, msg, hint)
	}
	return fmt.Errorf("list %s: %s%s", owner, resp.Status, hint)
}

// CloneAuth is the authentication for cloning cloneURL with the token, or
// nil: only over https (http for a test server or a plain-http
// Enterprise), and only to the forge's own host, the API URL's host or
// the host it is the "api." subdomain of, so a repository whose clone URL
// points elsewhere never receives the token.
func CloneAuth(opts Options, cloneURL string) transport.AuthMethod {
	if opts.Token == "" {
		return nil
	}
	base, err := apiBase(opts)
	if err != nil {
		return nil
	}
	u, err := url.Parse(cloneURL)
	if err != nil || u.Scheme != base.Scheme {
		return nil
	}
	host := strings.ToLower(u.Host)
	apiHost := strings.ToLower(base.Host)
	if host != apiHost && "api."+host != apiHost {
		return nil
	}
	user := "x-access-token" // GitHub's user name for a token
	if opts.Platform == GitLab {
		user = "oauth2"
	}
	return &githttp.BasicAuth{Username: user, Password: opts.Token}
}
