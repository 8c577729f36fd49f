package git

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
	"github.com/go-git/go-git/v5/plumbing/transport/server"
)

// IsURL reports whether target names a remote repository to clone rather
// than a local path: https://, http://, ssh://, git://, file:// or the
// scp-like user@host:path form.
func IsURL(target string) bool {
	for _, p := range []string{"https://", "http://", "ssh://", "git://", "file://"} {
		if strings.HasPrefix(strings.ToLower(target), p) {
			return true
		}
	}
	// user@host:path, with no slash before the colon (so not a path).
	at := strings.Index(target, "@")
	colon := strings.Index(target, ":")
	slash := strings.Index(target, "/")
	return at > 0 && colon > at && (slash < 0 || slash > colon)
}

// DisplayURL is the URL with any credentials removed, fit for reports and
// error messages: the user info of an http(s) URL (a token is often given
// as the user name) and any password, and the query and fragment, where
// tokens go too (GitLab's ?private_token=), shown as "?***".
func DisplayURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return displayUnparsed(raw)
	}
	if u.User != nil {
		if _, hasPassword := u.User.Password(); hasPassword || u.Scheme == "https" || u.Scheme == "http" {
			u.User = nil
		}
	}
	hidden := u.RawQuery != "" || u.ForceQuery || u.Fragment != ""
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	out := u.String()
	if hidden {
		out += "?***"
	}
	return out
}

// displayUnparsed hides what may be credentials in a URL url.Parse
// rejects (a bad escape): user info before the host, and everything from
// the query on.
func displayUnparsed(raw string) string {
	if i := strings.Index(raw, "://"); i >= 0 {
		rest := raw[i+3:]
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
			raw = raw[:i+3] + rest[at+1:]
		}
	}
	if q := strings.IndexAny(raw, "?#"); q >= 0 {
		raw = raw[:q] + "?***"
	}
	return raw
}

// urlSecrets are the parts of a URL that may be credentials, as they may
// appear in an error message: raw and escaped.
func urlSecrets(raw string) []string {
	var out []string
	add := func(s string) {
		if len(s) >= 4 && !strings.EqualFold(s, "git") {
			out = append(out, s, url.QueryEscape(s), url.PathEscape(s))
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		// Whatever sits between the scheme and the host, and after a "?".
		if i := strings.Index(raw, "://"); i >= 0 {
			rest := raw[i+3:]
			if at := strings.LastIndex(rest, "@"); at >= 0 {
				add(rest[:at])
			}
		}
		if q := strings.IndexAny(raw, "?#"); q >= 0 {
			query := raw[q+1:]
			add(query)
			for _, part := range strings.FieldsFunc(query, func(r rune) bool { return r == '&' || r == ';' || r == '#' }) {
				add(part)
				if _, v, ok := strings.Cut(part, "="); ok {
					add(v)
				}
			}
		}
		return out
	}
	if u.User != nil {
		add(u.User.String())
		add(u.User.Username())
		if p, ok := u.User.Password(); ok {
			add(p)
		}
	}
	add(u.RawQuery)
	for _, vs := range u.Query() {
		for _, v := range vs {
			add(v)
		}
	}
	add(u.Fragment)
	return out
}

var installFileTransport sync.Once

// useInProcessFileTransport makes go-git serve file:// URLs itself instead
// of running git-upload-pack, so cloning never needs the git command.
func useInProcessFileTransport() {
	installFileTransport.Do(func() {
		client.InstallProtocol("file", server.NewClient(repoLoader{}))
	})
}

// repoLoader opens the repository at a file:// endpoint's path the same
// way a local scan would, so work trees, .git dirs and bare repositories
// all serve.
type repoLoader struct{}

func (repoLoader) Load(ep *transport.Endpoint) (storer.Storer, error) {
	r, err := openRepo(ep.Path)
	if err != nil {
		return nil, transport.ErrRepositoryNotFound
	}
	return r.storage(cache.NewObjectLRUDefault()), nil
}

// clone fetches every branch and tag of rawURL into a bare repository at
// dir, creating it, or updating it when it is already a clone. Whatever
// fails, the error does not hold the URL's credentials.
func clone(ctx context.Context, rawURL, dir string, auth transport.AuthMethod) error {
	if err := cloneInto(ctx, rawURL, dir, auth); err != nil {
		return &redactedError{err: err, url: rawURL}
	}
	return nil
}

func cloneInto(ctx context.Context, rawURL, dir string, auth transport.AuthMethod) error {
	useInProcessFileTransport()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	r, err := gogit.PlainOpen(dir)
	if errors.Is(err, gogit.ErrRepositoryNotExists) {
		r, err = gogit.PlainInit(dir, true)
	}
	if err != nil {
		return fmt.Errorf("clone into %s: %w", dir, err)
	}
	remote, err := r.Remote("origin")
	if errors.Is(err, gogit.ErrRemoteNotFound) {
		remote, err = r.CreateRemote(&config.RemoteConfig{
			Name: "origin",
			URLs: []string{rawURL},
			// Branches and tags map to local refs as in a mirror; other
			// refs (pull requests, notes) are left out, as `git clone`
			// would.
			Fetch: []config.RefSpec{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"},
		})
	}
	if err != nil {
		return fmt.Errorf("clone %s: %w", DisplayURL(rawURL), err)
	}
	if got := remote.Config().URLs; len(got) == 0 || got[0] != rawURL {
		return fmt.Errorf("clone into %s: it is a clone of %s, not %s", dir, DisplayURL(strings.Join(got, " ")), DisplayURL(rawURL))
	}
	err = remote.FetchContext(ctx, &gogit.FetchOptions{Tags: gogit.AllTags, Force: true, Auth: auth})
	switch {
	case err == nil, errors.Is(err, gogit.NoErrAlreadyUpToDate), errors.Is(err, transport.ErrEmptyRemoteRepository):
		return nil
	}
	return fmt.Errorf("clone %s: %w", DisplayURL(rawURL), err)
}

// redactedError hides a URL's credentials in an error message: transport
// errors quote the URL they failed on, and net/http redacts a password but
// neither a token given as the user name nor the query string.
type redactedError struct {
	err error
	url string
}

func (e *redactedError) Error() string {
	msg := e.err.Error()
	secrets := urlSecrets(e.url)
	// Longest first, so a value inside the raw query is not replaced
	// before the query that holds it.
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, "***")
	}
	return msg
}

func (e *redactedError) Unwrap() error { return e.err }

// Mirror clones rawURL (branches and tags) into a bare repository at dir,
// or fetches into it when it is already that clone, as a URL scan with a
// clone directory does; an org scan keeps one per repository between
// runs and scans it as a local path. The error never holds the URL's
// credentials; auth, when set, is used for the fetch only.
func Mirror(ctx context.Context, rawURL, dir string, auth transport.AuthMethod) error {
	return clone(ctx, rawURL, dir, auth)
}
