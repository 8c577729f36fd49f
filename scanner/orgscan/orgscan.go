// Package orgscan scans many repositories (an organization's, a group's)
// as one job: each is cloned into a bare mirror kept in a cache directory
// and fetched on later runs, then scanned with the git source and the
// scanner's one entry point, several at a time, with one ruleset built
// once for all. With a State it is incremental: a repository whose refs
// did not move is not scanned at all, and one whose refs moved is scanned
// only for the commits its earlier tips could not reach, so a nightly
// scan costs the day's commits. A different ruleset, or Full, rescans
// everything.
//
// Nothing found is lost to a crash: a repository's tips advance in the
// state as soon as its scan ends, but while its findings are not
// delivered (the run's report written, its alerts sent: Deliver) the
// state also keeps where that scan started, and the next run scans again
// from there.
package orgscan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/scanner"
	gitsource "github.com/leakhound/leakhound/scanner/source/git"
	"github.com/leakhound/leakhound/scanner/source/org"
	"github.com/leakhound/leakhound/verify"
)

// Options configure the scans of an organization's repositories.
type Options struct {
	// CacheDir holds one bare mirror per repository, reused between runs.
	CacheDir string
	// State, when set, makes scans incremental and is updated as each
	// repository ends.
	State *State
	// Full scans every repository's whole history, whatever the state
	// says (the state is still updated).
	Full bool
	// Concurrency is the number of repositories fetched and scanned at
	// once (default 4).
	Concurrency int
	// RepoTimeout bounds one repository's fetch and scan (0: none).
	RepoTimeout time.Duration
	// MaxRepoSize skips repositories the API says are larger, in bytes
	// (0: no limit); they are reported as not scanned.
	MaxRepoSize int64
	// Auth returns the authentication for cloning a URL, or nil.
	Auth func(cloneURL string) transport.AuthMethod

	// Ruleset serves every repository's scan; RulesetVersion
	// (RulesetVersion) says when the state's tips were scanned with
	// other rules.
	Ruleset        *scanner.Ruleset
	RulesetVersion string
	// Git is the template of each repository's git source options (file
	// size limit, archives); its Path, URL, Exclude and Branches are set
	// per repository.
	Git          gitsource.Options
	IgnoreFiles  []string
	Baselines    []string
	Verify       *verify.Options
	OnlyVerified bool

	// Events, when set, is told what each repository is doing, for a
	// progress display. It is called from several goroutines.
	Events func(Event)
}

// Phases of a repository in Events.
const (
	PhaseFetch = "fetching"
	PhaseScan  = "scanning"
	PhaseDone  = "done"
)

// Event is a repository's progress.
type Event struct {
	Repo    string
	Phase   string
	Summary finding.Summary // running totals while scanning
	Result  *RepoResult     // with PhaseDone
}

// Status says what became of a repository.
type Status string

const (
	Scanned   Status = "scanned"
	Unchanged Status = "unchanged" // no ref moved since the state's tips: nothing to scan
	Failed    Status = "failed"    // could not be fetched or scanned (Err says why)
	Skipped   Status = "skipped"   // left out on purpose (too large); not scanned
)

// RepoResult is one repository's outcome.
type RepoResult struct {
	Repo   org.Repo
	Status Status
	// Incremental is set when only commits since earlier tips were
	// scanned.
	Incremental bool
	Err         error
	Summary     finding.Summary
	Findings    []finding.Finding
	// New are the findings no earlier run delivered (not in the
	// state's Seen): what alerts carry.
	New []finding.Finding
	// tips are the refs scanned, for Deliver; nil when the state's tips
	// were not advanced.
	tips map[string]string
}

// Complete reports whether the repository is covered: scanned completely,
// or unchanged since a complete scan.
func (r *RepoResult) Complete() bool {
	switch r.Status {
	case Unchanged:
		return true
	case Scanned:
		return !r.Summary.Incomplete && r.Summary.Errors == 0
	}
	return false
}

// Scanner runs the scans. Safe for concurrent use: scans of one
// repository are serialised (its mirror is fetched and read by one at a
// time), others run in parallel.
type Scanner struct {
	opts  Options
	locks sync.Map // repository full name -> *sync.Mutex
}

// New checks the options.
func New(opts Options) (*Scanner, error) {
	if opts.Ruleset == nil {
		return nil, errors.New("org scan: no ruleset")
	}
	if opts.CacheDir == "" {
		return nil, errors.New("org scan: no cache directory")
	}
	if err := os.MkdirAll(opts.CacheDir, 0o700); err != nil {
		return nil, fmt.Errorf("cache directory: %w", err)
	}
	if opts.State == nil {
		opts.State, _ = OpenState("")
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	return &Scanner{opts: opts}, nil
}

// State is the scanner's state.
func (s *Scanner) State() *State { return s.opts.State }

// Run scans the repositories, Concurrency at a time, and returns their
// results in the order given. A repository that fails does not stop the
// others; a cancelled ctx leaves the rest unscanned (Failed).
func (s *Scanner) Run(ctx context.Context, repos []org.Repo) []RepoResult {
	out := make([]RepoResult, len(repos))
	sem := make(chan struct{}, s.opts.Concurrency)
	var wg sync.WaitGroup
	for i, r := range repos {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			out[i] = RepoResult{Repo: r, Status: Failed, Err: fmt.Errorf("not scanned: %w", ctx.Err())}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = s.Scan(ctx, r, nil)
		}()
	}
	wg.Wait()
	return out
}

// Scan fetches one repository into its mirror and scans what is new in
// it. With push set (a webhook's), a repository the state has no tips
// for is scanned for that push's commits only.
func (s *Scanner) Scan(ctx context.Context, repo org.Repo, push *Push) RepoResult {
	mu, _ := s.locks.LoadOrStore(repo.FullName, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	res := s.scan(ctx, repo, push)
	s.event(Event{Repo: repo.FullName, Phase: PhaseDone, Result: &res, Summary: res.Summary})
	return res
}

func (s *Scanner) event(e Event) {
	if s.opts.Events != nil {
		s.opts.Events(e)
	}
}

func (s *Scanner) scan(ctx context.Context, repo org.Repo, push *Push) RepoResult {
	start := time.Now()
	res := RepoResult{Repo: repo, Status: Failed}
	res.Summary.Target = repo.FullName
	if s.opts.MaxRepoSize > 0 && repo.Size > s.opts.MaxRepoSize {
		res.Status = Skipped
		res.Err = fmt.Errorf("%d MiB by the API, over the %d MiB limit (--max-repo-size)", repo.Size>>20, s.opts.MaxRepoSize>>20)
		return res
	}
	if s.opts.RepoTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.opts.RepoTimeout)
		defer cancel()
	}
	timedOut := func(err error) error {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("timed out after %s (--repo-timeout): %w", s.opts.RepoTimeout, err)
		}
		return err
	}

	s.event(Event{Repo: repo.FullName, Phase: PhaseFetch})
	dir := s.MirrorDir(repo.FullName)
	var auth transport.AuthMethod
	if s.opts.Auth != nil {
		auth = s.opts.Auth(repo.CloneURL)
	}
	if repo.CloneURL == "" {
		res.Err = errors.New("the API gave no clone URL")
		return res
	}
	if err := gitsource.Mirror(ctx, repo.CloneURL, dir, auth); err != nil {
		res.Err = timedOut(err)
		return res
	}
	tips, err := gitsource.Refs(ctx, dir)
	if err != nil {
		res.Err = fmt.Errorf("read refs: %w", err)
		return res
	}

	// Where to start: the state's tips (or, while a scan's findings are
	// undelivered, where that scan started), unless the rules changed.
	prev := s.opts.State.Get(repo.FullName)
	var from map[string]string
	incremental := false
	if !s.opts.Full && prev != nil && prev.Ruleset == s.opts.RulesetVersion && prev.Tips != nil {
		from, incremental = prev.Tips, true
		if prev.Undelivered != nil {
			from = prev.Undelivered.From
			incremental = len(from) > 0
		}
	}
	gopts := s.opts.Git
	gopts.Path, gopts.URL, gopts.CloneDir, gopts.Auth = dir, "", "", nil
	advance := true
	switch {
	case incremental:
		if prev.Undelivered == nil && sameObjects(from, tips) {
			res.Status, res.Incremental = Unchanged, true
			return res
		}
		gopts.Exclude = slices.Sorted(maps.Values(from))
	case push != nil:
		// No tips for this repository: scan the pushed commits alone;
		// the next org run scans the rest and records tips.
		if isZeroHash(push.After) {
			res.Status = Unchanged
			return res
		}
		gopts.Branches = []string{push.After}
		if !isZeroHash(push.Before) {
			gopts.Exclude = []string{push.Before}
		}
		advance = false
	}
	res.Incremental = len(gopts.Exclude) > 0
	gopts.Exclude = slices.Compact(gopts.Exclude)

	s.event(Event{Repo: repo.FullName, Phase: PhaseScan})
	src, err := gitsource.New(gopts)
	if err != nil {
		res.Err = err
		return res
	}
	sr, err := scanner.Run(ctx, scanner.Options{
		Target:       repo.FullName,
		Source:       src,
		Ruleset:      s.opts.Ruleset,
		IgnoreFiles:  s.opts.IgnoreFiles,
		Baselines:    s.opts.Baselines,
		Verify:       s.opts.Verify,
		OnlyVerified: s.opts.OnlyVerified,
		Progress: func(sum finding.Summary, done bool) {
			if !done {
				s.event(Event{Repo: repo.FullName, Phase: PhaseScan, Summary: sum})
			}
		},
	})
	res.Summary = sr.Summary
	res.Summary.Duration = time.Since(start)
	if err != nil {
		res.Err = timedOut(err)
		return res
	}
	if sr.Summary.Incomplete {
		res.Err = timedOut(errors.New("the scan stopped early"))
		return res
	}
	res.Status = Scanned
	res.Findings = sr.Findings
	var seen []string
	if prev != nil {
		seen = prev.Seen
	}
	for i := range res.Findings {
		res.Findings[i].Location.Repository = repo.FullName
		if _, ok := slices.BinarySearch(seen, res.Findings[i].Fingerprint); !ok {
			res.New = append(res.New, res.Findings[i])
		}
	}
	if !res.Complete() || !advance {
		// Items that could not be read are read again next time; a
		// push-only scan has no tips for the whole repository.
		return res
	}
	res.tips = tips
	err = s.opts.State.Update(repo.FullName, func(r *RepoState) {
		r.CloneURL, r.WebURL = repo.CloneURL, repo.WebURL
		r.Tips, r.Ruleset, r.ScannedAt = tips, s.opts.RulesetVersion, time.Now().UTC()
		r.Undelivered = nil
		if len(res.Findings) > 0 {
			// Until Deliver, the next run starts where this one did.
			r.Undelivered = &Undelivered{From: maps.Clone(from)}
			if r.Undelivered.From == nil {
				r.Undelivered.From = map[string]string{}
			}
		}
	})
	if err != nil {
		res.Summary.Warnings = append(res.Summary.Warnings, err.Error())
	}
	return res
}

// Deliver records that results' findings were reported and alerted:
// their fingerprints join the state's Seen and the repositories' next
// scans start from the tips just scanned. Call it once the report is
// written and the notifications sent.
func (s *Scanner) Deliver(results []RepoResult) error {
	var errs []error
	for i := range results {
		r := &results[i]
		if len(r.New) == 0 && len(r.Findings) == 0 {
			continue
		}
		fps := make([]string, 0, len(r.Findings))
		for _, f := range r.Findings {
			fps = append(fps, f.Fingerprint)
		}
		err := s.opts.State.Update(r.Repo.FullName, func(st *RepoState) {
			st.addSeen(fps)
			if r.tips != nil && sameObjects(st.Tips, r.tips) {
				st.Undelivered = nil
			}
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// MirrorDir is where a repository's mirror is kept: a name made of the
// full name's safe characters and a hash of it, so names from an API
// can't leave the cache directory or collide.
func (s *Scanner) MirrorDir(fullName string) string {
	h := sha256.Sum256([]byte(fullName))
	safe := unsafeChars.ReplaceAllString(fullName, "_")
	if len(safe) > 80 {
		safe = safe[:80]
	}
	return filepath.Join(s.opts.CacheDir, safe+"-"+hex.EncodeToString(h[:4])+".git")
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func sameObjects(a, b map[string]string) bool {
	return slices.Equal(slices.Sorted(maps.Values(a)), slices.Sorted(maps.Values(b)))
}

func isZeroHash(h string) bool {
	for _, c := range h {
		if c != '0' {
			return false
		}
	}
	return true
}

// RulesetVersion identifies what a scan's results depend on besides the
// content: the rules (their regexes, keywords, allowlists...) and the
// options that decide what is read. A state's tips scanned under another
// version are scanned again.
func RulesetVersion(rs *scanner.Ruleset, opts ...string) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	if rs != nil && rs.Config != nil {
		_ = enc.Encode(rs.Config.Rules)
		_ = enc.Encode(rs.Config.Allowlists)
		_ = enc.Encode(rs.Config.Allowlist)
	}
	_ = enc.Encode(opts)
	return hex.EncodeToString(h.Sum(nil))[:16]
}
