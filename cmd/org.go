package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/spf13/cobra"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/notify"
	"github.com/leakhound/leakhound/report"
	"github.com/leakhound/leakhound/scanner"
	"github.com/leakhound/leakhound/scanner/orgscan"
	gitsource "github.com/leakhound/leakhound/scanner/source/git"
	"github.com/leakhound/leakhound/scanner/source/org"
)

// OrgOptions are the org command's own flags.
type OrgOptions struct {
	Platform, Owner string
	APIURL          string
	Include         []string
	Exclude         []string
	Archived, Forks bool
	Shard           string
	SarifDir        string

	fleetOptions
}

// fleetOptions are the flags org and serve share: where mirrors and
// state live, how repositories are scanned, where alerts go.
type fleetOptions struct {
	CacheDir     string
	State        string
	Full         bool
	Concurrency  int
	RepoTimeout  time.Duration
	MaxRepoSize  string
	Notify       []string
	ArchiveDepth int
}

func (f *fleetOptions) addFlags(c *cobra.Command, concurrencyFlag string) {
	fl := c.Flags()
	fl.StringVar(&f.CacheDir, "cache-dir", "", "keep a bare mirror of each repository here, fetched again on later runs (default: the user cache directory's leakhound/mirrors)")
	fl.StringVar(&f.State, "state", "", "state file (JSON) of incremental scans: the refs scanned per repository; later runs scan only new commits")
	fl.IntVar(&f.Concurrency, concurrencyFlag, 4, "repositories fetched and scanned at once")
	fl.DurationVar(&f.RepoTimeout, "repo-timeout", time.Hour, "time limit of one repository's fetch and scan (0: none)")
	fl.StringVar(&f.MaxRepoSize, "max-repo-size", "0", "skip repositories the API says are larger (e.g. 5GiB; 0: no limit); they are reported as not scanned")
	fl.StringArrayVar(&f.Notify, "notify", nil, "post new findings, redacted, once per run: slack=WEBHOOK_URL or webhook=URL (repeatable)")
	addArchiveDepthFlag(c, &f.ArchiveDepth)
}

// NewCmdOrg builds `leakhound org`.
func NewCmdOrg(io *IOStreams, g *GlobalOptions, runF func(*OrgOptions) error) *cobra.Command {
	opts := &OrgOptions{}
	c := &cobra.Command{
		Use:   "org (github ORG | gitlab GROUP)",
		Short: "Scan every repository of a GitHub organization or GitLab group, incrementally",
		Long: `List the repositories of a GitHub organization (or user) or a GitLab group and
its subgroups through the REST API, clone each into a bare mirror under
--cache-dir (fetched again on later runs), and scan the git history of
several at once. Findings of every repository go to one report; each names
its repository.

With --state FILE the scan is incremental: the file records, per
repository, the refs scanned and the rules' version, so the next run scans
only commits not seen before (a repository with no new commits costs a
fetch), and --notify posts only findings no earlier run delivered. Other
rules, or --full, rescan everything.

The token comes from GITHUB_TOKEN or GITLAB_TOKEN: it is sent as a header
to the API URL's host and to clones on the forge's host, never in a URL,
a log or the mirrors' config. --api-url is for GitHub Enterprise Server
(https://HOST/api/v3) and self-managed GitLab (https://HOST/api/v4).

--shard K/N scans only the repositories rendezvous hashing assigns to
shard K (0 to N-1) of N, so N workers (a Kubernetes Indexed Job, a CI
matrix) share an organization; 'leakhound merge' combines their reports.

A repository that can't be listed, cloned or scanned is named in the
summary and the others go on; exit code 3 when anything was not scanned
and nothing was found.`,
		Example: `  GITHUB_TOKEN=... leakhound org github acme --state acme.json --format json -o acme.json
  leakhound org gitlab group/sub --api-url https://gitlab.example.com/api/v4 --exclude '*-archive'
  leakhound org github acme --shard 2/8 --state state-2.json --notify slack=https://hooks.slack.com/services/...`,
		Args: cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Platform, opts.Owner = strings.ToLower(args[0]), args[1]
			if opts.Platform != org.GitHub && opts.Platform != org.GitLab {
				return usageError(fmt.Errorf("org %s: want github or gitlab", args[0]))
			}
			if runF != nil {
				return runF(opts)
			}
			return orgRun(c.Context(), io, g, opts)
		},
	}
	fl := c.Flags()
	fl.StringVar(&opts.APIURL, "api-url", "", "API base URL (default https://api.github.com or https://gitlab.com/api/v4)")
	fl.StringArrayVar(&opts.Include, "include", nil, "scan only repositories whose full name (or name) matches this glob (repeatable)")
	fl.StringArrayVar(&opts.Exclude, "exclude", nil, "skip repositories whose full name (or name) matches this glob (repeatable)")
	fl.BoolVar(&opts.Archived, "archived", false, "scan archived repositories too")
	fl.BoolVar(&opts.Forks, "forks", false, "scan forks too")
	fl.StringVar(&opts.Shard, "shard", "", "scan only shard K of N (K/N, K from 0), e.g. $JOB_COMPLETION_INDEX/8")
	fl.BoolVar(&opts.Full, "full", false, "scan every repository's whole history, whatever the state says")
	fl.StringVar(&opts.SarifDir, "sarif-dir", "", "also write one SARIF file per scanned repository here, to upload to each repository's code scanning")
	opts.fleetOptions.addFlags(c, "repo-concurrency")
	return c
}

// tokenFor is the API token of a platform, from the environment.
func tokenFor(platform string) string {
	if platform == org.GitLab {
		return strings.TrimSpace(os.Getenv("GITLAB_TOKEN"))
	}
	return strings.TrimSpace(os.Getenv("GITHUB_TOKEN"))
}

// fleet is what org and serve build from their flags.
type fleet struct {
	scanner *orgscan.Scanner
	ruleset *scanner.Ruleset
	targets []notify.Target
}

func newFleet(io *IOStreams, g *GlobalOptions, f *fleetOptions, auth func(string) transport.AuthMethod, events func(orgscan.Event)) (*fleet, error) {
	so, err := g.sourceOptions()
	if err != nil {
		return nil, err
	}
	ao, err := archiveOptions(so, f.ArchiveDepth)
	if err != nil {
		return nil, err
	}
	maxRepo, err := parseSize(f.MaxRepoSize)
	if err != nil {
		return nil, usageError(fmt.Errorf("--max-repo-size: %w", err))
	}
	if f.Concurrency < 1 {
		return nil, usageError(errors.New("concurrency must be at least 1"))
	}
	vo, err := g.verifyOptions()
	if err != nil {
		return nil, err
	}
	var targets []notify.Target
	for _, n := range f.Notify {
		t, err := notify.ParseTarget(n)
		if err != nil {
			return nil, usageError(fmt.Errorf("--notify: %w", err))
		}
		targets = append(targets, t)
	}
	// One ruleset for every repository, from the user's config or the
	// built-in rules: a repository's own config must not decide what an
	// organization's scan reports.
	rs, err := scanner.LoadRuleset(g.rulesetOptions(nil))
	if err != nil {
		return nil, usageError(err)
	}
	cache := f.CacheDir
	if cache == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return nil, usageError(fmt.Errorf("--cache-dir: %w", err))
		}
		cache = filepath.Join(base, "leakhound", "mirrors")
	}
	st, err := orgscan.OpenState(f.State)
	if err != nil {
		return nil, usageError(fmt.Errorf("--state: %w", err))
	}
	version := orgscan.RulesetVersion(rs, "max-file-size="+strconv.FormatInt(so.MaxFileSize, 10), "archive-depth="+strconv.Itoa(ao.Depth))
	sc, err := orgscan.New(orgscan.Options{
		CacheDir:       cache,
		State:          st,
		Full:           f.Full,
		Concurrency:    f.Concurrency,
		RepoTimeout:    f.RepoTimeout,
		MaxRepoSize:    maxRepo,
		Auth:           auth,
		Ruleset:        rs,
		RulesetVersion: version,
		Git:            gitsource.Options{Options: so, Archive: &ao},
		IgnoreFiles:    g.IgnoreFiles,
		Baselines:      g.Baselines,
		Verify:         vo,
		OnlyVerified:   g.OnlyVerified,
		Events:         events,
	})
	if err != nil {
		return nil, usageError(err)
	}
	return &fleet{scanner: sc, ruleset: rs, targets: targets}, nil
}

func orgRun(ctx context.Context, io *IOStreams, g *GlobalOptions, opts *OrgOptions) error {
	var shard org.Shard
	if opts.Shard != "" {
		var err error
		if shard, err = org.ParseShard(opts.Shard); err != nil {
			return usageError(fmt.Errorf("--shard: %w", err))
		}
	}
	lo := org.Options{Platform: opts.Platform, Owner: opts.Owner, APIURL: opts.APIURL, Token: tokenFor(opts.Platform),
		Archived: opts.Archived, Forks: opts.Forks, Include: opts.Include, Exclude: opts.Exclude}
	if !g.Quiet {
		lo.Log = func(msg string) { fmt.Fprintf(io.ErrOut, "leakhound: %s\n", report.Printable(msg)) }
	}
	var board *progressBoard
	var events func(orgscan.Event)
	if io.ErrTTY && !g.Quiet {
		board = &progressBoard{w: io.ErrOut, active: map[string]string{}}
		events = board.event
	}
	f, err := newFleet(io, g, &opts.fleetOptions, func(u string) transport.AuthMethod { return org.CloneAuth(lo, u) }, events)
	if err != nil {
		return err
	}
	if opts.SarifDir != "" {
		if err := os.MkdirAll(opts.SarifDir, 0o755); err != nil {
			return usageError(fmt.Errorf("--sarif-dir: %w", err))
		}
	}
	// The report path must be writable before an hour of scanning.
	if g.Output != "" {
		if err := checkWritable(g.Output); err != nil {
			return usageError(fmt.Errorf("--output: %w", err))
		}
	}
	start := time.Now()
	repos, err := org.List(ctx, lo)
	if err != nil {
		// Nothing to scan: an incomplete scan, never a clean one.
		return &exitError{code: ExitErrors, err: err}
	}
	total := len(repos)
	if shard.N > 1 {
		repos = slices.DeleteFunc(repos, func(r org.Repo) bool { return !shard.Owns(r.FullName) })
	}
	if board != nil {
		board.total = len(repos)
	}
	results := f.scanner.Run(ctx, repos)
	if board != nil {
		board.clear()
	}
	target := opts.Platform + " " + opts.Owner
	if shard.N > 1 {
		target += fmt.Sprintf(" (shard %d/%d: %d of %d repositories)", shard.K, shard.N, len(repos), total)
	}
	sum, findings := combine(target, f.ruleset, results)
	sum.Duration = time.Since(start)
	if ctx.Err() != nil {
		sum.Incomplete = true
	}

	reportErr := scanner.WriteReport(reportOptions(io, g), f.ruleset.Config, scanner.Result{Summary: sum, Findings: findings})
	if opts.SarifDir != "" && reportErr == nil {
		reportErr = writeSarifDir(opts.SarifDir, g, f.ruleset, results)
	}
	notifyErrs := f.alert(ctx, g, target, opts.Platform, results)
	if reportErr == nil && len(notifyErrs) == 0 {
		if err := f.scanner.Deliver(results); err != nil {
			sum.Warnings = append(sum.Warnings, err.Error())
		}
	}
	printFleetSummary(io, g, sum, results, notifyErrs)
	if reportErr != nil {
		return &exitError{code: ExitErrors, err: fmt.Errorf("write report: %w", reportErr)}
	}
	return scanExit(sum, g.FailOnErrors, g.FailOn == "verified")
}

// reportOptions are the report flags.
func reportOptions(io *IOStreams, g *GlobalOptions) scanner.ReportOptions {
	return scanner.ReportOptions{Format: g.Format, Reveal: g.Reveal, NoColor: g.NoColor || g.Output != "" || !io.OutTTY,
		Version: version(), Path: g.Output, Writer: io.Out}
}

// checkWritable fails when a file can't be created beside path.
func checkWritable(path string) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// combine makes one summary and one list of findings of all repositories.
// A repository that was not scanned, or only in part, is a problem named
// after it, so the exit code says the scan is incomplete.
func combine(target string, rs *scanner.Ruleset, results []orgscan.RepoResult) (finding.Summary, []finding.Finding) {
	sum := finding.Summary{Target: target, Skipped: map[string]int{}, Config: rs.Name, Rules: len(rs.Config.Rules)}
	sum.Warnings = append(sum.Warnings, rs.Config.Warnings...)
	var all []finding.Finding
	for i := range results {
		r := &results[i]
		s := r.Summary
		sum.Files += s.Files
		sum.Bytes += s.Bytes
		for k, v := range s.Skipped {
			sum.Skipped[k] += v
		}
		for k, v := range s.Suppressed {
			if sum.Suppressed == nil {
				sum.Suppressed = map[string]int{}
			}
			sum.Suppressed[k] += v
		}
		for k, v := range s.Verification {
			if sum.Verification == nil {
				sum.Verification = map[string]int{}
			}
			sum.Verification[k] += v
		}
		for _, p := range s.Problems {
			sum.Problems = append(sum.Problems, finding.Problem{Path: r.Repo.FullName + ": " + p.Path, Err: p.Err})
		}
		sum.Errors += s.Errors
		for _, w := range s.Warnings {
			sum.Warnings = append(sum.Warnings, r.Repo.FullName+": "+w)
		}
		if r.Err != nil {
			what := "not scanned"
			if r.Status == orgscan.Skipped {
				what = "skipped"
			}
			sum.Problems = append(sum.Problems, finding.Problem{Path: r.Repo.FullName, Err: what + ": " + r.Err.Error()})
			sum.Errors++
		}
		all = append(all, r.Findings...)
	}
	sum.Findings = len(all)
	if len(sum.Skipped) == 0 {
		sum.Skipped = nil
	}
	slices.Sort(sum.Warnings)
	sum.Warnings = slices.Compact(sum.Warnings)
	return sum, all
}

// writeSarifDir writes one SARIF file per scanned repository: code
// scanning takes an upload per repository, and its files' paths are
// relative to that repository.
func writeSarifDir(dir string, g *GlobalOptions, rs *scanner.Ruleset, results []orgscan.RepoResult) error {
	for i := range results {
		r := &results[i]
		if r.Status != orgscan.Scanned {
			continue
		}
		name := strings.NewReplacer("/", "__", "\\", "_", "..", "_").Replace(r.Repo.FullName) + ".sarif"
		o := scanner.ReportOptions{Format: "sarif", Reveal: g.Reveal, NoColor: true, Version: version(), Path: filepath.Join(dir, name)}
		if err := scanner.WriteReport(o, rs.Config, scanner.Result{Summary: r.Summary, Findings: r.Findings}); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// alert posts the run's new findings, when there are any, to every
// --notify target; failures are returned, never fatal.
func (f *fleet) alert(ctx context.Context, g *GlobalOptions, target, platform string, results []orgscan.RepoResult) []error {
	if len(f.targets) == 0 {
		return nil
	}
	m := notify.Message{Tool: "leakhound", Version: version(), Target: target}
	for i := range results {
		r := &results[i]
		switch {
		case r.Status == orgscan.Scanned:
			m.Scanned++
		case r.Status == orgscan.Unchanged:
			m.Unchanged++
		default:
			m.Failed++
		}
		m.Findings += len(r.Findings)
		m.New += len(r.New)
		for _, fd := range r.New {
			m.Items = append(m.Items, notify.NewItem(fd, platform, r.Repo.WebURL))
		}
	}
	if m.New == 0 {
		return nil
	}
	nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	return notify.Send(nctx, nil, f.targets, m)
}

// printFleetSummary prints what could not be scanned (always), then,
// unless quiet, warnings, failed notifications and the summary lines.
func printFleetSummary(io *IOStreams, g *GlobalOptions, s finding.Summary, results []orgscan.RepoResult, notifyErrs []error) {
	w := io.ErrOut
	for _, p := range s.Problems {
		fmt.Fprintf(w, "error: %s: %s\n", report.Printable(p.Path), report.Printable(p.Err))
	}
	for _, e := range notifyErrs {
		fmt.Fprintf(w, "error: %s\n", report.Printable(e.Error()))
	}
	if g.Quiet {
		return
	}
	for _, warning := range s.Warnings {
		fmt.Fprintf(w, "warning: %s\n", report.Printable(warning))
	}
	counts := map[orgscan.Status]int{}
	incremental, newFindings := 0, 0
	for i := range results {
		counts[results[i].Status]++
		if results[i].Status == orgscan.Scanned && results[i].Incremental {
			incremental++
		}
		newFindings += len(results[i].New)
	}
	if len(s.Verification) > 0 {
		fmt.Fprintf(w, "leakhound: verification: %s\n", countList(s.Verification))
	}
	fmt.Fprintf(w, "leakhound: rules: %s, %d rules\n", report.Printable(s.Config), s.Rules)
	state := ""
	if s.Incomplete {
		state = " INCOMPLETE:"
	}
	fmt.Fprintf(w, "leakhound:%s %s: %d repositories: %d scanned (%d incremental), %d unchanged, %d not scanned, %d skipped\n",
		state, report.Printable(s.Target), len(results), counts[orgscan.Scanned], incremental, counts[orgscan.Unchanged],
		counts[orgscan.Failed], counts[orgscan.Skipped])
	notified := ""
	if len(notifyErrs) > 0 {
		notified = fmt.Sprintf(", %d notification(s) failed", len(notifyErrs))
	}
	fmt.Fprintf(w, "leakhound: scanned %d blobs, %s in %s: %d findings (%d new), %d errors%s\n",
		s.Files, report.HumanSize(s.Bytes), s.Duration.Round(time.Millisecond), s.Findings, newFindings, s.Errors, notified)
}

// progressBoard draws one line per repository being fetched or scanned,
// under a line of totals, on a terminal.
type progressBoard struct {
	w     io.Writer
	mu    sync.Mutex
	total int
	done  int
	fail  int
	// active maps a repository to its line.
	active map[string]string
	lines  int
	last   time.Time
}

func (b *progressBoard) event(e orgscan.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e.Phase {
	case orgscan.PhaseDone:
		delete(b.active, e.Repo)
		b.done++
		if e.Result != nil && !e.Result.Complete() {
			b.fail++
		}
	case orgscan.PhaseFetch:
		b.active[e.Repo] = "fetching"
	case orgscan.PhaseScan:
		b.active[e.Repo] = fmt.Sprintf("scanning: %d blobs, %s, %d findings", e.Summary.Files, report.HumanSize(e.Summary.Bytes), e.Summary.Findings)
	}
	if e.Phase != orgscan.PhaseDone && time.Since(b.last) < 150*time.Millisecond {
		return
	}
	b.last = time.Now()
	b.drawLocked()
}

func (b *progressBoard) drawLocked() {
	var sb strings.Builder
	if b.lines > 0 {
		fmt.Fprintf(&sb, "\033[%dA", b.lines)
	}
	sb.WriteString("\r\033[J")
	names := make([]string, 0, len(b.active))
	for n := range b.active {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(&sb, "repositories: %d/%d done, %d not scanned\n", b.done, b.total, b.fail)
	for _, n := range names {
		fmt.Fprintf(&sb, "  %s: %s\n", report.Printable(n), b.active[n])
	}
	b.lines = 1 + len(names)
	io.WriteString(b.w, sb.String())
}

// clear removes the board before the summary is printed.
func (b *progressBoard) clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.lines > 0 {
		fmt.Fprintf(b.w, "\033[%dA\r\033[J", b.lines)
		b.lines = 0
	}
}
