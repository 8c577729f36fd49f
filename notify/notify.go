// Package notify posts one message per scan run about the findings that
// are new since the previous run: to a Slack incoming webhook (text with
// links) or to any webhook (JSON). Secrets are always redacted: an alert
// goes to a chat channel, not to the person who must rotate the secret.
// A failed post is an error for the caller to report; it never stops a
// scan.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/leakhound/leakhound/finding"
)

// Kinds of target.
const (
	Slack   = "slack"
	Webhook = "webhook"
)

// Target is where a message goes.
type Target struct {
	Kind string
	URL  string
}

// ParseTarget reads "slack=URL" or "webhook=URL".
func ParseTarget(s string) (Target, error) {
	kind, raw, ok := strings.Cut(s, "=")
	kind = strings.ToLower(strings.TrimSpace(kind))
	if !ok || (kind != Slack && kind != Webhook) {
		return Target{}, errors.New("want slack=URL or webhook=URL")
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Target{}, fmt.Errorf("%s: want an http(s) URL", kind)
	}
	return Target{Kind: kind, URL: u.String()}, nil
}

// String names the target without its URL's path, which for Slack is the
// webhook's secret.
func (t Target) String() string {
	u, err := url.Parse(t.URL)
	if err != nil {
		return t.Kind
	}
	return t.Kind + " (" + u.Host + ")"
}

// Item is one new finding as an alert shows it: no secret, only its
// redacted form, and links to the commit and the file on the forge.
type Item struct {
	Repository   string `json:"repository"`
	RuleID       string `json:"rule_id"`
	Description  string `json:"description,omitempty"`
	Severity     string `json:"severity,omitempty"`
	Secret       string `json:"secret"` // redacted
	File         string `json:"file"`
	Line         int    `json:"line,omitempty"`
	Commit       string `json:"commit,omitempty"`
	Author       string `json:"author,omitempty"`
	Date         string `json:"date,omitempty"`
	Fingerprint  string `json:"fingerprint"`
	Verification string `json:"verification,omitempty"`
	CommitURL    string `json:"commit_url,omitempty"`
	FileURL      string `json:"file_url,omitempty"`
}

// Message is what one run posts.
type Message struct {
	Tool    string `json:"tool"`
	Version string `json:"version,omitempty"`
	// Target is what was scanned ("github acme").
	Target string `json:"target"`
	// Counts of repositories: scanned, unchanged, failed (not scanned).
	Scanned   int `json:"repositories_scanned"`
	Unchanged int `json:"repositories_unchanged"`
	Failed    int `json:"repositories_failed"`
	// Findings is every finding of the run; New those not delivered by an
	// earlier run, listed in Items.
	Findings int    `json:"findings"`
	New      int    `json:"new_findings"`
	Items    []Item `json:"items"`
	// Truncated counts new findings left out of Items (MaxItems).
	Truncated int `json:"truncated,omitempty"`
}

// MaxItems caps the findings one message lists; the counts stay exact.
const MaxItems = 100

// slackItems caps the findings a Slack message lists: its text should
// stay readable in a channel.
const slackItems = 20

// NewItem makes the alert line of a finding of a repository whose web
// pages are at webURL on platform ("github", "gitlab"), redacted.
func NewItem(f finding.Finding, platform, webURL string) Item {
	l := f.Location
	red := func(s string) string { return finding.RedactIn(s, f.Secret) }
	it := Item{
		Repository:   red(l.Repository),
		RuleID:       f.RuleID,
		Description:  red(f.Description),
		Severity:     f.Severity,
		Secret:       finding.Redact(f.Secret),
		File:         red(l.DisplayPath()),
		Line:         l.Line,
		Commit:       red(l.Commit),
		Author:       red(l.Author),
		Fingerprint:  f.Fingerprint,
		Verification: f.Verification.Status,
	}
	if !l.Date.IsZero() {
		it.Date = l.Date.UTC().Format(time.RFC3339)
	}
	it.CommitURL, it.FileURL = Links(platform, webURL, it.Commit, l.Path, l.Archive, l.Line)
	return it
}

// commitMessagePath is where the git source puts findings in commit
// messages; they link to the commit.
const commitMessagePath = ".git/COMMIT_EDITMSG"

// Links are the web pages of a commit and of a file at that commit (at
// its line), on GitHub or GitLab; "" where there is no page.
func Links(platform, webURL, commit, file, archive string, line int) (commitURL, fileURL string) {
	if webURL == "" || commit == "" || len(commit) != 40 {
		return "", ""
	}
	base := strings.TrimSuffix(webURL, "/")
	sep := "/"
	if platform == "gitlab" {
		sep = "/-/"
	}
	commitURL = base + sep + "commit/" + commit
	if file == "" || file == commitMessagePath || strings.HasPrefix(file, "refs/") {
		return commitURL, commitURL
	}
	if archive != "" {
		file, _, _ = strings.Cut(archive, "!/")
	}
	segs := strings.Split(strings.TrimPrefix(file, "/"), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	fileURL = base + sep + "blob/" + commit + "/" + strings.Join(segs, "/")
	if line > 0 && archive == "" {
		fileURL += fmt.Sprintf("#L%d", line)
	}
	return commitURL, fileURL
}

// NewClient is the client posts go through: a timeout, no proxy from the
// environment, and no redirect to another host (the payload is for the
// URL the user gave, nowhere else).
func NewClient(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{Proxy: nil, DialContext: dialer.DialContext, TLSHandshakeTimeout: 10 * time.Second,
			ResponseHeaderTimeout: timeout},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
				return fmt.Errorf("redirect to another host (%s) refused", req.URL.Host)
			}
			if len(via) >= 3 {
				return errors.New("too many redirects")
			}
			return nil
		},
	}
}

// Send posts m to every target and returns one error per target that
// failed, naming it (never its URL's path: a Slack webhook's path is its
// secret).
func Send(ctx context.Context, client *http.Client, targets []Target, m Message) []error {
	if client == nil {
		client = NewClient(30 * time.Second)
	}
	if len(m.Items) > MaxItems {
		m.Truncated += len(m.Items) - MaxItems
		m.Items = m.Items[:MaxItems]
	}
	if m.Items == nil {
		m.Items = []Item{}
	}
	var errs []error
	for _, t := range targets {
		var body []byte
		var err error
		switch t.Kind {
		case Slack:
			body, err = json.Marshal(map[string]any{"text": slackText(m), "unfurl_links": false})
		default:
			body, err = json.Marshal(m)
		}
		if err == nil {
			err = post(ctx, client, t.URL, body)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("notify %s: %w", t, scrubURL(err, t.URL)))
		}
	}
	return errs
}

func post(ctx context.Context, client *http.Client, u string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "leakhound")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(answer)))
	}
	return nil
}

// scrubURL keeps a target's URL out of an error: net/http quotes it.
func scrubURL(err error, u string) error {
	msg := err.Error()
	if !strings.Contains(msg, u) {
		return err
	}
	pu, _ := url.Parse(u)
	return errors.New(strings.ReplaceAll(msg, u, pu.Scheme+"://"+pu.Host+"/***"))
}

// slackText is the message in Slack's mrkdwn: counts, then a line per new
// finding with links.
func slackText(m Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*leakhound: %d new finding(s)* in %s (%d in all; repositories: %d scanned, %d unchanged, %d not scanned)",
		m.New, slackEscape(m.Target), m.Findings, m.Scanned, m.Unchanged, m.Failed)
	for i, it := range m.Items {
		if i == slackItems {
			break
		}
		where := slackEscape(it.File)
		if it.Line > 0 {
			where += fmt.Sprintf(":%d", it.Line)
		}
		if it.FileURL != "" {
			where = "<" + it.FileURL + "|" + where + ">"
		}
		commit := ""
		if it.Commit != "" {
			c := it.Commit[:min(len(it.Commit), 8)]
			if it.CommitURL != "" {
				c = "<" + it.CommitURL + "|" + c + ">"
			}
			commit = " in commit " + c
			if it.Author != "" {
				commit += " by " + slackEscape(it.Author)
			}
		}
		sev := ""
		if it.Severity != "" {
			sev = " (" + it.Severity + ")"
		}
		live := ""
		if it.Verification == finding.Verified {
			live = " *LIVE*"
		}
		fmt.Fprintf(&b, "\n• %s%s%s `%s` %s: %s%s", slackEscape(it.Repository), sev, live, slackEscape(it.RuleID),
			slackEscape(it.Secret), where, commit)
	}
	if more := max(len(m.Items)-slackItems, 0) + m.Truncated; more > 0 {
		fmt.Fprintf(&b, "\n… and %d more (see the report)", more)
	}
	return b.String()
}

// slackEscape escapes what Slack reads as markup (&, <, >).
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
