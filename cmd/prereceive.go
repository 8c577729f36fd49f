package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/report"
	"github.com/leakhound/leakhound/scanner"
	gitsource "github.com/leakhound/leakhound/scanner/source/git"
)

// DefaultPushTimeout is how long --pre-receive takes at most to decide.
const DefaultPushTimeout = 10 * time.Second

// maxPushFindings caps the findings listed to the pusher: git relays
// every line, and --output has them all.
const maxPushFindings = 50

// addPreReceiveFlags adds the flags of push protection.
func addPreReceiveFlags(c *cobra.Command, opts *GitOptions) {
	f := c.Flags()
	f.BoolVar(&opts.PreReceive, "pre-receive", false, "check a push as a git pre-receive hook: read '<old> <new> <ref>' lines on stdin, scan only what the push adds, exit 1 to reject it (see README)")
	f.DurationVar(&opts.Timeout, "timeout", DefaultPushTimeout, "with --pre-receive: time to decide; a push not checked in time is rejected (exit 3) unless --fail-open")
	f.BoolVar(&opts.FailOpen, "fail-open", false, "with --pre-receive: accept, with a warning, a push that could not be checked in time or in full, instead of rejecting it")
	f.BoolVar(&opts.NoInlineAllow, "no-inline-allow", false, "with --pre-receive: leakhound:allow and gitleaks:allow comments in the pushed content allow nothing")
}

// checkPreReceiveFlags refuses the flags that mean something only with
// --pre-receive without it, and those it can't be combined with.
func checkPreReceiveFlags(c *cobra.Command, opts *GitOptions) error {
	if !opts.PreReceive {
		for _, name := range []string{"timeout", "fail-open", "no-inline-allow"} {
			if c.Flags().Changed(name) {
				return fmt.Errorf("--%s is for --pre-receive", name)
			}
		}
		return nil
	}
	for _, name := range []string{"range", "since", "branch", "max-commits", "staged", "clone-dir"} {
		if c.Flags().Changed(name) {
			return fmt.Errorf("--pre-receive checks what a push adds: it can't be combined with --%s", name)
		}
	}
	if opts.Timeout <= 0 {
		return fmt.Errorf("--timeout %s: must be more than 0", opts.Timeout)
	}
	if gitsource.IsURL(opts.Target) {
		return errors.New("--pre-receive runs in the repository receiving the push: give its path, not a URL")
	}
	return nil
}

// preReceiveRun checks a push, as a pre-receive hook: the scan covers
// what the push adds and reads the pushed objects from git's quarantine;
// the decision and how to get past it go to stderr, which git relays to
// the pusher. Only the server's own config and ignore files count
// (--config, --ignore-file, --baseline): the pushed commits' are the
// pusher's to write. Exit 0 accepts the push; 1 rejects it for what it
// holds, 3 because it could not be checked (time, unreadable objects),
// 2 for a hook set up wrong.
func preReceiveRun(c *cobra.Command, io *IOStreams, g *GlobalOptions, opts *GitOptions) error {
	start := time.Now()
	parent := c.Context()
	ctx, cancel := context.WithTimeout(parent, opts.Timeout)
	defer cancel()

	updates, err := readRefUpdates(ctx, io.In)
	if err != nil {
		if ctx.Err() != nil {
			return pushUnchecked(io, opts, parent, "reading the ref updates on standard input", 0)
		}
		return usageError(fmt.Errorf("--pre-receive: %w", err))
	}
	so, err := g.sourceOptions()
	if err != nil {
		return err
	}
	ao, err := archiveOptions(so, opts.ArchiveDepth)
	if err != nil {
		return err
	}
	path := opts.Target
	if c.Flags().NArg() == 0 {
		// Git starts the hook in the repository (its git dir, or the
		// work tree of a non-bare one) and names the git dir in GIT_DIR;
		// some servers run hooks elsewhere and rely on GIT_DIR.
		if d := os.Getenv("GIT_DIR"); d != "" {
			path = d
		}
	}
	if _, err := os.Stat(path); err != nil {
		return usageError(err)
	}
	// Read only here, in a hook: elsewhere the environment must not
	// decide which objects a scan reads.
	qdir, alts, err := gitsource.QuarantineFromEnv(os.Getenv)
	if err != nil {
		return usageError(fmt.Errorf("--pre-receive: %w", err))
	}
	src, err := gitsource.New(gitsource.Options{Options: so, Archive: &ao, Path: path,
		Push: &gitsource.Push{Updates: updates, ObjectDir: qdir, AlternateObjectDirs: alts}})
	if err != nil {
		return usageError(err)
	}
	vo, err := g.verifyOptions()
	if err != nil {
		return err
	}
	sopts := scanner.Options{
		Verify:       vo,
		OnlyVerified: g.OnlyVerified,
		Target:       path,
		Source:       src,
		RulesetOptions: scanner.RulesetOptions{Config: g.Config, NoRepoConfig: true, Rules: g.Rules, Tags: g.Tags,
			NoInlineAllow: opts.NoInlineAllow},
		IgnoreFiles: g.IgnoreFiles,
		Baselines:   g.Baselines,
	}
	if g.Output != "" {
		// A record for the server's administrators; the pusher sees the
		// message below.
		sopts.Report = scanner.ReportOptions{Format: g.Format, Reveal: g.Reveal, NoColor: true, Version: version(), Path: g.Output, Baseline: g.WriteBaseline}
	} else if g.WriteBaseline != "" {
		sopts.Report = scanner.ReportOptions{Baseline: g.WriteBaseline}
	}
	res, err := scanner.Run(ctx, sopts)
	switch runErrorKind(err) {
	case runOK:
	case runUsage:
		return usageError(err)
	case runReport:
		// The decision stands; the record is what failed.
		fmt.Fprintf(io.ErrOut, "leakhound: warning: %s\n", report.Printable(err.Error()))
	default:
		return &exitError{code: ExitErrors, err: fmt.Errorf("push could not be checked: %w", err)}
	}
	s := res.Summary
	blocking := res.Findings
	if g.FailOn == "verified" {
		blocking = nil
		for _, f := range res.Findings {
			if f.Verification.Live() {
				blocking = append(blocking, f)
			}
		}
	}
	for _, p := range s.Problems {
		fmt.Fprintf(io.ErrOut, "leakhound: error: %s: %s\n", report.Printable(p.Path), report.Printable(p.Err))
	}
	if len(blocking) > 0 {
		writeRejection(io.ErrOut, blocking, g.Reveal, !opts.NoInlineAllow)
		if s.Incomplete {
			fmt.Fprintln(io.ErrOut, "leakhound: the check stopped before the end (--timeout): the push may hold more.")
		}
		return &exitError{code: ExitFindings}
	}
	if s.Incomplete {
		return pushUnchecked(io, opts, parent, "", time.Since(start))
	}
	if s.Errors > 0 && g.FailOnErrors {
		if opts.FailOpen {
			fmt.Fprintf(io.ErrOut, "leakhound: warning: %d item(s) of the push could not be read; accepted without them (--fail-open)\n", s.Errors)
			return nil
		}
		fmt.Fprintf(io.ErrOut, "leakhound: push rejected: %d item(s) of the push could not be read, so it could not be checked in full. Ask the repository's administrators.\n", s.Errors)
		return &exitError{code: ExitErrors}
	}
	if !g.Quiet {
		line := fmt.Sprintf("leakhound: push checked, no secrets found (%d files, %s in %s)", s.Files, report.HumanSize(s.Bytes), time.Since(start).Round(time.Millisecond))
		if n := s.Suppressed["inline allow comments"]; n > 0 {
			line += fmt.Sprintf("; %d allowed by leakhound:allow comments", n)
		}
		fmt.Fprintln(io.ErrOut, line)
	}
	return nil
}

// readRefUpdates reads the hook's input, giving up when ctx ends: a
// standard input that never closes must not hold the push forever.
func readRefUpdates(ctx context.Context, in io.Reader) ([]gitsource.RefUpdate, error) {
	type result struct {
		updates []gitsource.RefUpdate
		err     error
	}
	done := make(chan result, 1)
	go func() {
		u, err := gitsource.ParseRefUpdates(in)
		done <- result{u, err}
	}()
	select {
	case r := <-done:
		return r.updates, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// pushUnchecked decides about a push whose check did not finish: it is
// rejected (exit 3), or accepted with a warning under --fail-open.
func pushUnchecked(io *IOStreams, opts *GitOptions, parent context.Context, during string, took time.Duration) error {
	why := fmt.Sprintf("could not be checked within %s (--timeout)", opts.Timeout)
	if parent.Err() != nil {
		why = "could not be checked: the check was interrupted"
	}
	if during != "" {
		why += " while " + during
	}
	if opts.FailOpen {
		fmt.Fprintf(io.ErrOut, "leakhound: warning: the push %s; accepted unchecked (--fail-open)\n", why)
		return nil
	}
	fmt.Fprintf(io.ErrOut, "leakhound: push rejected: it %s, and nothing was found in the part checked. "+
		"Push fewer commits at a time, or ask the repository's administrators to raise --timeout.\n", why)
	return &exitError{code: ExitErrors}
}

// writeRejection tells the pusher what was found (file, line, rule,
// commit, the secret redacted) and how to get past it.
func writeRejection(w io.Writer, fs []finding.Finding, reveal, inlineAllow bool) {
	fs = append([]finding.Finding(nil), fs...)
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i].Location, fs[j].Location
		if a.DisplayPath() != b.DisplayPath() {
			return a.DisplayPath() < b.DisplayPath()
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return fs[i].RuleID < fs[j].RuleID
	})
	// A path may hold a secret too: hidden there as well.
	var secrets []string
	seenSecret := map[string]bool{}
	for _, f := range fs {
		if f.Secret != "" && !seenSecret[f.Secret] {
			seenSecret[f.Secret] = true
			secrets = append(secrets, f.Secret)
		}
	}
	hide := func(s string) string {
		if reveal {
			return s
		}
		for _, secret := range secrets {
			s = finding.RedactIn(s, secret)
		}
		return s
	}
	noun := "secrets"
	if len(fs) == 1 {
		noun = "secret"
	}
	fmt.Fprintf(w, "leakhound: push rejected: %d %s in the pushed commits\n", len(fs), noun)
	inMessage := false
	for i, f := range fs {
		if i == maxPushFindings {
			fmt.Fprintf(w, "  ... and %d more\n", len(fs)-i)
			break
		}
		l := f.Location
		where := "ref " + l.Path
		switch {
		case l.Commit != "" && l.Path == gitsource.CommitMessagePath:
			where, inMessage = "the message of commit "+short(l.Commit), true
		case l.Commit != "":
			where = "commit " + short(l.Commit)
		}
		secret := f.Secret
		if !reveal {
			secret = finding.Redact(secret)
		}
		fmt.Fprintf(w, "  %s:%d: %s in %s: %s\n", report.Printable(hide(l.DisplayPath())), l.Line,
			report.Printable(f.RuleID), report.Printable(where), report.Printable(secret))
	}
	fmt.Fprintln(w, "To push:")
	fmt.Fprintln(w, "  - remove each secret from every commit that has it, not only from the last one: rewrite them")
	fmt.Fprintln(w, "    (git commit --amend for the last commit, git rebase -i for older ones), then push again;")
	if inMessage {
		fmt.Fprintln(w, "    a secret in a commit message goes with 'reword' in git rebase -i;")
	}
	fmt.Fprintln(w, "  - a secret that was real is exposed where it was copied or pushed before: revoke it.")
	fmt.Fprintln(w, "If a finding is not a secret (a test value, an example):")
	if inlineAllow {
		fmt.Fprintln(w, "  - add a comment with leakhound:allow on its line, in the commit that adds it; or")
	}
	fmt.Fprintln(w, "  - ask the repository's administrators to add its fingerprint to the server's ignore file:")
	seen := map[string]bool{}
	for i, f := range fs {
		if i == maxPushFindings {
			break
		}
		if seen[f.Fingerprint] {
			continue
		}
		seen[f.Fingerprint] = true
		fmt.Fprintf(w, "      %s  # %s %s\n", f.Fingerprint, report.Printable(hide(f.Location.DisplayPath())), report.Printable(f.RuleID))
	}
}

// short is a commit hash as people quote it.
func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
