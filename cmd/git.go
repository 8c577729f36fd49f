package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/leakhound/leakhound/report"
	"github.com/leakhound/leakhound/scanner"
	gitsource "github.com/leakhound/leakhound/scanner/source/git"
)

// GitOptions are the git command's own flags.
type GitOptions struct {
	Target       string
	Range        string
	Since        string
	Branches     []string
	MaxCommits   int
	Staged       bool
	CloneDir     string
	ArchiveDepth int
	NewOnly      bool

	// Push protection (see preReceiveRun).
	PreReceive    bool
	Timeout       time.Duration
	FailOpen      bool
	NoInlineAllow bool
}

// NewCmdGit builds `leakhound git`. runF replaces the scan in tests.
func NewCmdGit(io *IOStreams, g *GlobalOptions, runF func(*GitOptions) error) *cobra.Command {
	opts := &GitOptions{}
	c := &cobra.Command{
		Use:   "git [PATH|URL]",
		Short: "Scan git history, or the changes staged for the next commit",
		Long: `Scan every commit reachable from every ref (branches, tags, remote-tracking
branches, the stash), including secrets that were added and later deleted.
Each blob is read once per path it appears at, and each finding names the
commit that introduced the line: its hash, author, email, date and message.
Commit messages are scanned too (file .git/COMMIT_EDITMSG), and so are refs
to blobs and trees (refs/tags/NAME, refs/tags/NAME:PATH) and annotated tag
messages (refs/tags/NAME^{tag}). A shallow clone's missing history makes the
scan incomplete: it is reported, with the fetch that completes it.

PATH is a work tree (or a directory in one), a .git directory or a bare
repository; default ".". A URL (https://, ssh://, file://, git@host:path) is
cloned bare into a temporary directory, or into --clone-dir, which is kept
and updated on the next run.

--staged scans only what is staged and differs from HEAD (new lines of
changed files, new files), for a pre-commit hook; it works before the first
commit. Uncommitted work-tree files are not part of 'git': use 'dir'.

--pre-receive checks a push on the server, as a pre-receive hook: it reads
the hook's '<old> <new> <ref>' lines, scans only the commits the push adds
(from git's quarantine), and exits 1 to reject the push, telling the pusher
file, line, rule and commit of each secret and how to get past it. Only the
server's --config, --ignore-file and --baseline are trusted, not files in
the pushed commits. A push not checked within --timeout is rejected (exit 3)
unless --fail-open.`,
		Example: `  leakhound git
  leakhound git --range origin/main..HEAD --format sarif -o leakhound.sarif
  leakhound git --since 2024-01-01 --branch main --branch release
  leakhound git --staged
  leakhound git --pre-receive --config /etc/leakhound.toml --timeout 4s   # in hooks/pre-receive
  leakhound git https://github.com/org/repo.git --clone-dir /tmp/repo.git`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Target = "."
			if len(args) == 1 {
				opts.Target = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return gitRun(c, io, g, opts)
		},
	}
	c.Flags().StringVar(&opts.Range, "range", "", "scan only commits in B and not in A, as 'git log A..B' (e.g. origin/main..HEAD)")
	c.Flags().StringVar(&opts.Since, "since", "", "scan only commits committed since this date (2024-01-31, RFC 3339, or an age like 72h, 30d, 2w)")
	c.Flags().StringArrayVar(&opts.Branches, "branch", nil, "scan only the history of this branch, tag or revision (repeatable)")
	c.Flags().IntVar(&opts.MaxCommits, "max-commits", 0, "scan only the newest N commits (0: all)")
	c.Flags().BoolVar(&opts.NewOnly, "new-only", false, "with --range A..B: report only secrets that appear nowhere in the history of A (a secret the range copies or moves from older commits is not new)")
	c.Flags().BoolVar(&opts.Staged, "staged", false, "scan what is staged for the next commit instead of history (pre-commit hook)")
	addArchiveDepthFlag(c, &opts.ArchiveDepth)
	c.Flags().StringVar(&opts.CloneDir, "clone-dir", "", "clone a URL target here and keep it (default: a temporary directory, removed after the scan)")
	addPreReceiveFlags(c, opts)
	return c
}

func gitRun(c *cobra.Command, io *IOStreams, g *GlobalOptions, opts *GitOptions) error {
	if err := checkPreReceiveFlags(c, opts); err != nil {
		return usageError(err)
	}
	if opts.PreReceive {
		return preReceiveRun(c, io, g, opts)
	}
	so, err := g.sourceOptions()
	if err != nil {
		return err
	}
	ao, err := archiveOptions(so, opts.ArchiveDepth)
	if err != nil {
		return err
	}
	gopts := gitsource.Options{
		Options:    so,
		Archive:    &ao,
		Range:      opts.Range,
		Branches:   opts.Branches,
		MaxCommits: opts.MaxCommits,
		Staged:     opts.Staged,
		CloneDir:   opts.CloneDir,
	}
	if opts.Since != "" {
		if gopts.Since, err = parseSince(opts.Since, time.Now()); err != nil {
			return usageError(fmt.Errorf("--since: %w", err))
		}
	}
	// A config or ignore file is picked up from a local target's root.
	root := ""
	target := opts.Target
	if gitsource.IsURL(opts.Target) {
		gopts.URL = opts.Target
		target = gitsource.DisplayURL(opts.Target)
	} else {
		if opts.CloneDir != "" {
			return usageError(errors.New("--clone-dir is for URL targets"))
		}
		if _, err := os.Stat(opts.Target); err != nil {
			return usageError(err)
		}
		gopts.Path = opts.Target
		root = opts.Target
	}
	src, err := gitsource.New(gopts)
	if err != nil {
		return usageError(err)
	}
	repo := repoDir(root)
	if root != "" && opts.Range != "" && !g.noRepoConfig() && g.Config == "" {
		// A range is what a pull request adds: its config and ignore files
		// are read as they were at the range's base, which the pull
		// request can't change, not from the checked-out head.
		base, _ := gitsource.RangeBase(opts.Range)
		files, hash, err := gitsource.RevisionFiles(c.Context(), root, base)
		if err != nil {
			return usageError(fmt.Errorf("--range: %w", err))
		}
		defer files.Close()
		repo = &scanner.Repo{Files: files, Name: "base commit " + hash[:12]}
	}
	if !opts.NewOnly {
		return runScan(c, io, g, target, repo, src)
	}
	prepare, err := newOnly(c.Context(), io, g, opts, gopts)
	if err != nil {
		return err
	}
	return runScan(c, io, g, target, repo, src, prepare)
}

// newOnly returns the step --new-only adds before a range scan: scan the
// whole history of the range's start (A of A..B) with the same rules and
// keep the hashes of the secrets found there, so the range reports only
// secrets first introduced in it, not one it copies or moves from an
// older commit. The range scan alone already leaves out lines that were
// in the range's parents; this also covers the same secret in another
// file, or in one deleted long ago.
func newOnly(ctx context.Context, io *IOStreams, g *GlobalOptions, opts *GitOptions, gopts gitsource.Options) (func(*scanner.Options) error, error) {
	if opts.Range == "" {
		return nil, usageError(errors.New("--new-only needs --range A..B: it reports what the range adds to the history of A"))
	}
	if gopts.URL != "" {
		return nil, usageError(errors.New("--new-only needs a local repository (clone it first, or use --clone-dir and scan the clone)"))
	}
	from, _, _ := strings.Cut(opts.Range, "..")
	if from == "" {
		from = "HEAD"
	}
	pre := gopts
	pre.Range, pre.Since, pre.MaxCommits = "", time.Time{}, 0
	pre.Branches = []string{from}
	src, err := gitsource.New(pre)
	if err != nil {
		return nil, usageError(err)
	}
	return func(o *scanner.Options) error {
		// The same rules as the range scan, loaded apart so the counts
		// the range's summary gives are its own.
		rs, err := scanner.LoadRuleset(o.RulesetOptions)
		if err != nil {
			return err
		}
		start := time.Now()
		res, err := scanner.Run(ctx, scanner.Options{Target: from, Source: src, Ruleset: rs})
		if err != nil {
			return fmt.Errorf("--new-only: scan the history of %s: %w", from, err)
		}
		known := make(map[string]bool, len(res.Findings))
		for _, f := range res.Findings {
			if f.SecretHash != "" {
				known[f.SecretHash] = true
			}
		}
		o.KnownSecrets = known
		if !g.Quiet {
			fmt.Fprintf(io.ErrOut, "leakhound: --new-only: %d secrets already in the history of %s (%d blobs, %s in %s)\n",
				len(known), report.Printable(from), res.Summary.Files, report.HumanSize(res.Summary.Bytes), time.Since(start).Round(time.Millisecond))
		}
		if res.Summary.Errors > 0 || res.Summary.Incomplete {
			// Fails safe: a secret only in what could not be read is
			// reported as new.
			fmt.Fprintf(io.ErrOut, "warning: --new-only: %d items of the history of %s could not be read; a secret found only there is reported as new\n",
				res.Summary.Errors, report.Printable(from))
		}
		return nil
	}, nil
}

// parseSince reads a date (2024-01-31, 2024-01-31 15:04:05, RFC 3339) or
// an age before now (72h, 30d, 2w, "3 days ago").
func parseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	age := strings.TrimSpace(strings.TrimSuffix(s, "ago"))
	if d, err := time.ParseDuration(strings.ReplaceAll(age, " ", "")); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	units := map[string]time.Duration{"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
		"w": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
		"h": time.Hour, "hour": time.Hour, "hours": time.Hour}
	i := strings.IndexFunc(age, func(r rune) bool { return r < '0' || r > '9' })
	if i > 0 {
		n, err := strconv.Atoi(age[:i])
		if u, ok := units[strings.TrimSpace(age[i:])]; ok && err == nil {
			return now.Add(-time.Duration(n) * u), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: want a date like 2024-01-31 or an age like 30d", s)
}
