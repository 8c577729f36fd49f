package cmd

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/internal/plainfile"
	"github.com/leakhound/leakhound/report"
	"github.com/leakhound/leakhound/scanner"
	"github.com/leakhound/leakhound/scanner/source"
	"github.com/leakhound/leakhound/verify"
)

// GlobalOptions are the flags every scan command shares.
type GlobalOptions struct {
	Config        string
	Format        string
	Output        string
	Reveal        bool
	Quiet         bool
	NoColor       bool
	MaxFileSize   string
	Rules         []string
	Tags          []string
	Baselines     []string
	IgnoreFiles   []string
	NoRepoConfig  bool
	WriteBaseline string
	FailOnErrors  bool

	Verify            bool
	VerifyEndpoints   []string
	VerifyCache       string
	VerifyCacheTTL    time.Duration
	VerifyTimeout     time.Duration
	VerifyConcurrency int
	VerifyRate        float64
	OnlyVerified      bool
	FailOn            string
}

// noRepoConfigEnv set to a true value (1, true, yes) is --no-repo-config,
// for CI systems where flags are hard to add to every call.
const noRepoConfigEnv = "LEAKHOUND_NO_REPO_CONFIG"

func (g *GlobalOptions) addFlags(c *cobra.Command) {
	f := c.PersistentFlags()
	f.StringVarP(&g.Config, "config", "c", "", "rules config (TOML, gitleaks format accepted); default: .leakhound.toml or .gitleaks.toml at the scan root, else the built-in rules")
	f.StringVarP(&g.Format, "format", "f", "text", "report format: "+strings.Join(report.Formats(), ", "))
	f.StringVarP(&g.Output, "output", "o", "", "write the report to this file (mode 0600, replaced whole) instead of standard output")
	f.BoolVar(&g.Reveal, "reveal", false, "show secrets in full in reports (redacted by default)")
	f.BoolVarP(&g.Quiet, "quiet", "q", false, "print no summary, warnings or progress on stderr (errors are still printed)")
	f.BoolVar(&g.NoColor, "no-color", false, "no colors in text output")
	f.StringVar(&g.MaxFileSize, "max-file-size", "0", "skip files larger than this, e.g. 500KB or 10MiB (0: no limit; large files are read in chunks)")
	f.StringArrayVar(&g.Rules, "rule", nil, "run only rules with this id or glob, e.g. 'aws-*' (repeatable)")
	f.StringArrayVar(&g.Tags, "tag", nil, "run only rules with this tag, e.g. cloud (repeatable)")
	f.StringArrayVar(&g.Baselines, "baseline", nil, "leave out findings in this baseline or JSON report (repeatable)")
	f.StringArrayVar(&g.IgnoreFiles, "ignore-file", nil, "leave out the fingerprints or secret hashes in this file, one per line (repeatable; default: .leakhoundignore or .gitleaksignore at the scan root)")
	f.BoolVar(&g.NoRepoConfig, "no-repo-config", false, "ignore config and ignore files inside the scanned tree (for untrusted code; also "+noRepoConfigEnv+"=1)")
	f.StringVar(&g.WriteBaseline, "write-baseline", "", "also write the findings to this file as a baseline for --baseline")
	f.BoolVar(&g.FailOnErrors, "fail-on-errors", true, "exit 3 when items could not be scanned and nothing was found (false: report them, exit 0)")

	f.BoolVar(&g.Verify, "verify", false, "ask each credential's provider whether it is live (sends each secret to its own provider's official API; off by default)")
	f.StringArrayVar(&g.VerifyEndpoints, "verify-endpoint", nil, "use this API base URL for a provider: PROVIDER=URL, e.g. github=https://ghe.example.com/api/v3 (repeatable)")
	f.StringVar(&g.VerifyCache, "verify-cache", "", "keep verification results in this file between runs (holds secret hashes, never secrets)")
	f.DurationVar(&g.VerifyCacheTTL, "verify-cache-ttl", 24*time.Hour, "how long a cached verification result is reused")
	f.DurationVar(&g.VerifyTimeout, "verify-timeout", 2*time.Minute, "time limit of the whole verification stage")
	f.IntVar(&g.VerifyConcurrency, "verify-concurrency", 8, "requests at once per provider host")
	f.Float64Var(&g.VerifyRate, "verify-rate", 20, "requests per second per provider host (0: no limit)")
	f.BoolVar(&g.OnlyVerified, "only-verified", false, "report only credentials verified live (needs --verify)")
	f.StringVar(&g.FailOn, "fail-on", "any", "which findings make the exit code 1: any, or verified (needs --verify)")
}

// verifyOptions turns the verification flags into the stage's options;
// nil when --verify is off (no network at all).
func (g *GlobalOptions) verifyOptions() (*verify.Options, error) {
	switch g.FailOn {
	case "any", "verified":
	default:
		return nil, usageError(fmt.Errorf("--fail-on %q: want any or verified", g.FailOn))
	}
	if !g.Verify {
		for flag, set := range map[string]bool{"--only-verified": g.OnlyVerified, "--fail-on verified": g.FailOn == "verified",
			"--verify-endpoint": len(g.VerifyEndpoints) > 0, "--verify-cache": g.VerifyCache != ""} {
			if set {
				return nil, usageError(fmt.Errorf("%s needs --verify", flag))
			}
		}
		return nil, nil
	}
	o := &verify.Options{Timeout: g.VerifyTimeout, PerHost: g.VerifyConcurrency, Rate: g.VerifyRate, Endpoints: map[string]string{}}
	for _, e := range g.VerifyEndpoints {
		p, u, ok := strings.Cut(e, "=")
		if !ok || p == "" || u == "" {
			return nil, usageError(fmt.Errorf("--verify-endpoint %q: want PROVIDER=URL", e))
		}
		o.Endpoints[strings.ToLower(strings.TrimSpace(p))] = strings.TrimSpace(u)
	}
	if g.VerifyCache != "" {
		c, err := verify.OpenCache(g.VerifyCache, g.VerifyCacheTTL)
		if err != nil {
			return nil, usageError(err)
		}
		o.Cache = c
	}
	return o, nil
}

// noRepoConfig is whether the scanned tree's own config must be ignored.
func (g *GlobalOptions) noRepoConfig() bool {
	if g.NoRepoConfig {
		return true
	}
	v, _ := strconv.ParseBool(strings.TrimSpace(os.Getenv(noRepoConfigEnv)))
	return v || strings.EqualFold(strings.TrimSpace(os.Getenv(noRepoConfigEnv)), "yes")
}

// sourceOptions turns the shared flags into the options every source takes.
func (g *GlobalOptions) sourceOptions() (source.Options, error) {
	max, err := parseSize(g.MaxFileSize)
	if err != nil {
		return source.Options{}, usageError(fmt.Errorf("--max-file-size: %w", err))
	}
	return source.Options{MaxFileSize: max, ChunkSize: source.DefaultChunkSize, Overlap: detectors.MaxOverlap}, nil
}

// rulesetOptions are the flags that choose the rules.
func (g *GlobalOptions) rulesetOptions(repo *scanner.Repo) scanner.RulesetOptions {
	return scanner.RulesetOptions{Config: g.Config, Repo: repo, NoRepoConfig: g.noRepoConfig(), Rules: g.Rules, Tags: g.Tags}
}

// parseSize reads sizes like 1048576, 500KB, 10MB, 10MiB, 1GiB.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}}
	u := strings.ToUpper(s)
	mult := int64(1)
	for _, unit := range units {
		if strings.HasSuffix(u, unit.suffix) {
			mult = unit.mult
			u = strings.TrimSpace(strings.TrimSuffix(u, unit.suffix))
			break
		}
	}
	n, err := strconv.ParseFloat(u, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return int64(n * float64(mult)), nil
}

// repoDir is a local directory's own files, read as the scanned tree's
// config and ignore files; "" has none.
func repoDir(root string) *scanner.Repo {
	if root == "" {
		return nil
	}
	return &scanner.Repo{Files: plainfile.Dir(root), Name: "the scanned tree"}
}

// runScan is what every scan command ends in: the flags become
// scanner.Options, the scanner does the rest, and its outcome becomes
// the summary on stderr and an exit code.
func runScan(c *cobra.Command, io *IOStreams, g *GlobalOptions, target string, repo *scanner.Repo, src source.Source, prepare ...func(*scanner.Options) error) error {
	vo, err := g.verifyOptions()
	if err != nil {
		return err
	}
	opts := scanner.Options{
		Verify:         vo,
		OnlyVerified:   g.OnlyVerified,
		Target:         target,
		Source:         src,
		RulesetOptions: g.rulesetOptions(repo),
		IgnoreFiles:    g.IgnoreFiles,
		Baselines:      g.Baselines,
		Report: scanner.ReportOptions{
			Format:   g.Format,
			Reveal:   g.Reveal,
			NoColor:  g.NoColor || g.Output != "" || !io.OutTTY,
			Version:  version(),
			Path:     g.Output,
			Writer:   io.Out,
			Baseline: g.WriteBaseline,
		},
	}
	if io.ErrTTY && !g.Quiet {
		opts.Progress = func(s finding.Summary, done bool) {
			if done {
				// Cleared before the report is written: it may go to
				// the same terminal.
				fmt.Fprint(io.ErrOut, "\r\033[K")
				return
			}
			fmt.Fprintf(io.ErrOut, "\r\033[Kscanning: %d files, %s, %d findings, %s", s.Files, report.HumanSize(s.Bytes), s.Findings, s.Duration.Round(time.Second))
		}
	}
	// A command's own step before the scan (git --new-only's scan of the
	// history before the range); its errors map like the scan's.
	for _, p := range prepare {
		if err == nil {
			err = p(&opts)
		}
	}
	var res scanner.Result
	if err == nil {
		res, err = scanner.Run(c.Context(), opts)
	}
	switch runErrorKind(err) {
	case runOK:
	case runUsage:
		return usageError(err)
	case runReport:
		// The scan finished: say what it found before saying the report
		// is missing.
		printSummary(io, g, res.Summary)
		return &exitError{code: ExitErrors, err: err}
	default:
		return &exitError{code: ExitErrors, err: err}
	}
	printSummary(io, g, res.Summary)
	return scanExit(res.Summary, g.FailOnErrors, g.FailOn == "verified")
}

// The kinds of error scanner.Run returns, as the commands treat them.
const (
	runOK     = iota
	runUsage  // the set-up is wrong: a bad config or target (exit 2)
	runReport // the scan finished; only its report could not be written
	runFailed // the scan itself failed
)

func runErrorKind(err error) int {
	var (
		ce *scanner.ConfigError
		te *source.TargetError
		re *scanner.ReportError
	)
	switch {
	case err == nil:
		return runOK
	case errors.As(err, &ce), errors.As(err, &te):
		return runUsage
	case errors.As(err, &re):
		return runReport
	}
	return runFailed
}

// scanExit maps a finished scan to its exit code: findings first (only
// live ones with --fail-on verified); then a scan that could not finish,
// which never passes as clean; then items that could not be scanned,
// unless the user said they don't fail it.
func scanExit(s finding.Summary, failOnErrors, onlyVerifiedFail bool) error {
	switch {
	case onlyVerifiedFail && s.Verification[finding.Verified] > 0:
		return &exitError{code: ExitFindings}
	case !onlyVerifiedFail && s.Findings > 0:
		return &exitError{code: ExitFindings}
	case s.Incomplete:
		return &exitError{code: ExitErrors}
	case s.Errors > 0 && failOnErrors:
		return &exitError{code: ExitErrors}
	}
	return nil
}

// printSummary writes what the scan could not do (always, --quiet too: a
// pre-commit hook that blocks a commit must say why), then, unless quiet,
// the warnings and the summary line. Every string from scanned content is
// escaped: a member name can hold terminal escape sequences.
func printSummary(io *IOStreams, g *GlobalOptions, s finding.Summary) {
	w := io.ErrOut
	for _, p := range s.Problems {
		if p.Path != "" {
			fmt.Fprintf(w, "error: %s: %s\n", report.Printable(p.Path), report.Printable(p.Err))
		} else {
			fmt.Fprintf(w, "error: %s\n", report.Printable(p.Err))
		}
	}
	if g.Quiet {
		return
	}
	for _, warning := range s.Warnings {
		fmt.Fprintf(w, "warning: %s\n", report.Printable(warning))
	}
	if n := s.Skipped["too large"]; n > 0 && g.MaxFileSize != "0" {
		fmt.Fprintf(w, "warning: %d files larger than --max-file-size %s were not scanned\n", n, report.Printable(g.MaxFileSize))
	}
	if len(s.Verification) > 0 {
		fmt.Fprintf(w, "leakhound: verification: %s\n", countList(s.Verification))
	}
	if s.Config != "" {
		line := fmt.Sprintf("leakhound: rules: %s, %d rules", report.Printable(s.Config), s.Rules)
		if n := s.SuppressedTotal(); n > 0 {
			line += fmt.Sprintf("; %d suppressed (%s)", n, countList(s.Suppressed))
		}
		fmt.Fprintln(w, line)
	}
	secs := s.Duration.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(s.Bytes) / 1e6 / secs
	}
	skip := ""
	if len(s.Skipped) > 0 {
		skip = " (" + countList(s.Skipped) + ")"
	}
	state := ""
	if s.Incomplete {
		state = " INCOMPLETE:"
	}
	fmt.Fprintf(w, "leakhound:%s scanned %d files, %s in %s (%.1f MB/s): %d findings, %d skipped%s, %d errors\n",
		state, s.Files, report.HumanSize(s.Bytes), s.Duration.Round(time.Millisecond), rate, s.Findings, s.SkippedTotal(), skip, s.Errors)
}

// countList writes counts by name, sorted by name: "binary 3, too large 1".
func countList(m map[string]int) string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s %d", report.Printable(k), m[k])
	}
	return strings.Join(parts, ", ")
}
