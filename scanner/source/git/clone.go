package git

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
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
// error messages.
func DisplayURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.User == nil {
		return raw
	}
	if _, hasPassword := u.User.Password(); hasPassword || u.Scheme == "https" || u.Scheme == "http" {
		u.User = nil
	}
	return u.String()
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
// dir, creating it, or updating it when it is already a clone.
func clone(ctx context.Context, rawURL, dir string) error {
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
		return fmt.Errorf("clone: %w", err)
	}
	if got := remote.Config().URLs; len(got) == 0 || got[0] != rawURL {
		return fmt.Errorf("clone into %s: it is a clone of %s, not %s", dir, DisplayURL(strings.Join(got, " ")), DisplayURL(rawURL))
	}
	err = remote.FetchContext(ctx, &gogit.FetchOptions{Tags: gogit.AllTags, Force: true})
	switch {
	case err == nil, errors.Is(err, gogit.NoErrAlreadyUpToDate), errors.Is(err, transport.ErrEmptyRemoteRepository):
		return nil
	}
	return &redactedError{err: fmt.Errorf("clone %s: %w", DisplayURL(rawURL), err), url: rawURL}
}

// redactedError hides a URL's credentials in an error message: transport
// errors quote the URL they failed on, and net/http redacts a password but
// not a token given as the user name.
type redactedError struct {
	err error
	url string
}

func (e *redactedError) Error() string {
	msg := e.err.Error()
	u, err := url.Parse(e.url)
	if err != nil || u.User == nil {
		return msg
	}
	secrets := []string{u.User.String(), u.User.Username()}
	if p, ok := u.User.Password(); ok {
		secrets = append(secrets, p, url.QueryEscape(p))
	}
	for _, s := range secrets {
		if len(s) >= 4 && !strings.EqualFold(s, "git") {
			msg = strings.ReplaceAll(msg, s, "***")
		}
	}
	return msg
}

func (e *redactedError) Unwrap() error { return e.err }
