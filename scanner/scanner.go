// Package scanner assembles and runs a scan: it picks the rules (the
// user's config, the scanned tree's own when allowed, or the built-in
// ones), builds the engine, loads suppressions (ignore files, baselines),
// runs a source through the engine, drops what is suppressed, and writes
// the report. It is the only package that knows every stage; cmd only
// turns flags into Options and results into exit codes, and an org scan
// calls Run once per repository.
package scanner

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/report"
	"github.com/leakhound/leakhound/scanner/source"
	"github.com/leakhound/leakhound/suppress"
	"github.com/leakhound/leakhound/verify"
)

// Options describe one scan.
type Options struct {
	// Target names what is scanned, for the summary.
	Target string
	Source source.Source

	// Ruleset is the rules to run; when nil, Run loads one from
	// RulesetOptions. Detector, when set, replaces both (tests and
	// benchmarks that build an engine themselves).
	Ruleset *Ruleset
	RulesetOptions
	Detector detectors.Detector

	// IgnoreFiles and Baselines name suppression files the user chose.
	// Without IgnoreFiles, the scanned tree's own ignore file is read,
	// unless NoRepoConfig is set or Config names a trusted config (a
	// tree must not be able to outvote the config the user chose).
	IgnoreFiles []string
	Baselines   []string
	// KnownSecrets are hashes of secrets that already existed before what
	// is scanned (git --new-only: anywhere in the history before the
	// range); findings of them are left out and counted as suppressed.
	KnownSecrets map[string]bool

	// Verify, when set, asks providers whether the findings' credentials
	// are live, after detection and suppression and before the report.
	// Nil: no network at all.
	Verify *verify.Options
	// OnlyVerified reports only findings whose credential was verified
	// live.
	OnlyVerified bool

	// Report says how and where findings are written; a zero Report
	// writes nothing (callers that only want the Result).
	Report ReportOptions

	// Progress, when set, is called about every 200ms with running totals,
	// and once with done set when the scan has ended, before the report is
	// written (a progress line must be cleared from a terminal the report
	// may go to).
	Progress func(s finding.Summary, done bool)
	// MaxProblems caps how many problems are kept in the summary; the
	// count past it is still reported.
	MaxProblems int
}

// ReportOptions say how findings are reported.
type ReportOptions struct {
	Format  string // text, json, jsonl, sarif, csv; "" writes no report
	Reveal  bool
	NoColor bool
	Version string
	// Path, when set, receives the report (see createReport); else
	// Writer does.
	Path   string
	Writer io.Writer
	// Baseline, when set, also receives the findings as a baseline
	// (suppress.WriteBaseline), written like Path.
	Baseline string
}

// Result is what a scan found.
type Result struct {
	Summary  finding.Summary
	Findings []finding.Finding
}

// ConfigError is a problem with what the user asked for rather than with
// what was scanned: a bad config or rule, an unreadable ignore file or
// baseline, an unknown report format, an output path that can't be
// written. Nothing was scanned.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// ReportError is a report that could not be written. The scan itself
// finished: its Result and summary are complete.
type ReportError struct{ Err error }

func (e *ReportError) Error() string { return "write report: " + e.Err.Error() }
func (e *ReportError) Unwrap() error { return e.Err }

// Run assembles the scan, runs it, and writes the report. Its error is a
// *ConfigError when nothing could start, a *ReportError when the report
// could not be written (the Result is still complete), or the source's
// error when the target could not be scanned at all. A scan cut short by
// ctx still writes the partial report, marked incomplete.
func Run(ctx context.Context, opts Options) (Result, error) {
	start := time.Now()
	rs, det := opts.Ruleset, opts.Detector
	if det == nil {
		if rs == nil {
			var err error
			if rs, err = LoadRuleset(opts.RulesetOptions); err != nil {
				return Result{}, err
			}
		}
		det = rs.Detector
	}
	sup, err := loadSuppressions(opts)
	if err != nil {
		return Result{}, err
	}
	var rep report.Reporter
	// What a report format had to leave out (SARIF over GitHub's limits)
	// is told beside the summary.
	var reportWarnings []string
	if opts.Report.Format != "" {
		ro := report.Options{Reveal: opts.Report.Reveal, NoColor: opts.Report.NoColor, Version: opts.Report.Version,
			Warn: func(m string) { reportWarnings = append(reportWarnings, m) }}
		if rs != nil {
			ro.Rules = rs.Config
		}
		if rep, err = report.New(opts.Report.Format, ro); err != nil {
			return Result{}, &ConfigError{Err: err}
		}
	}
	var stage *verify.Stage
	if opts.Verify != nil {
		if stage, err = verify.New(*opts.Verify); err != nil {
			return Result{}, &ConfigError{Err: err}
		}
	}
	// The report file is created before the scan, so a path that can't be
	// written fails in a second, not after an hour of scanning.
	var out *reportFile
	if opts.Report.Path != "" {
		if out, err = createReport(opts.Report.Path); err != nil {
			return Result{}, &ConfigError{Err: fmt.Errorf("--output: %w", err)}
		}
		defer func() {
			if out != nil {
				out.abort()
			}
		}()
	}

	maxProblems := opts.MaxProblems
	if maxProblems <= 0 {
		maxProblems = 1000
	}
	c := &collector{det: det, skipped: map[string]int{}, maxProblems: maxProblems}
	stopProgress := startProgress(opts.Progress, c, opts.Target, start)
	err = opts.Source.Scan(ctx, c)
	stopProgress()

	res := Result{Summary: c.summary(opts.Target)}
	if l, ok := det.(*lateEngine); ok {
		// The built-in rules' tests build them, so this is a bug if it
		// happens; a scan that detected nothing must not pass as clean.
		if berr := l.wait(); berr != nil {
			return res, &ConfigError{Err: berr}
		}
	}
	if err != nil {
		if ctx.Err() == nil || !errors.Is(err, ctx.Err()) {
			return res, err
		}
		res.Summary.Incomplete = true
	}
	if ctx.Err() != nil {
		res.Summary.Incomplete = true
	}
	if a, ok := opts.Source.(source.Annotator); ok {
		for i := range c.findings {
			a.Annotate(&c.findings[i])
		}
	}
	res.Findings = finalize(c.findings, sup)
	known := 0
	if len(opts.KnownSecrets) > 0 {
		res.Findings = slices.DeleteFunc(res.Findings, func(f finding.Finding) bool {
			if f.SecretHash != "" && opts.KnownSecrets[f.SecretHash] {
				known++
				return true
			}
			return false
		})
	}
	if stage != nil {
		stage.Run(ctx, res.Findings)
		if err := opts.Verify.Cache.Save(); err != nil {
			res.Summary.Warnings = append(res.Summary.Warnings, err.Error())
		}
		res.Summary.Verification = map[string]int{}
		for _, f := range res.Findings {
			res.Summary.Verification[f.Verification.Status]++
		}
		if opts.OnlyVerified {
			res.Findings = slices.DeleteFunc(res.Findings, func(f finding.Finding) bool { return !f.Verification.Live() })
		}
	}
	s := &res.Summary
	s.Findings = len(res.Findings)
	if rs != nil {
		s.Config = rs.Name
		s.Rules = len(rs.Config.Rules)
		s.Warnings = append(s.Warnings, rs.Config.Warnings...)
	}
	s.Suppressed = sup.Counts()
	if a, ok := det.(interface{ Allowed() map[string]int }); ok {
		if s.Suppressed == nil {
			s.Suppressed = map[string]int{}
		}
		maps.Copy(s.Suppressed, a.Allowed())
	}
	if known > 0 {
		if s.Suppressed == nil {
			s.Suppressed = map[string]int{}
		}
		s.Suppressed["already in history before the range"] = known
	}
	if len(s.Suppressed) == 0 {
		s.Suppressed = nil
	}
	s.Warnings = append(s.Warnings, unmatchedWarnings(sup)...)
	s.Duration = time.Since(start)

	if rep != nil {
		err := writeReport(rep, opts.Report, out, res)
		res.Summary.Warnings = append(res.Summary.Warnings, reportWarnings...)
		if err != nil {
			return res, &ReportError{Err: err}
		}
		out = nil // committed
	}
	if opts.Report.Baseline != "" {
		if err := writeBaseline(opts.Report.Baseline, res.Findings); err != nil {
			return res, &ReportError{Err: fmt.Errorf("baseline: %w", err)}
		}
	}
	return res, nil
}

// writeReport writes the report to its file (then renamed into place) or
// to the writer.
func writeReport(rep report.Reporter, o ReportOptions, out *reportFile, res Result) error {
	var w io.Writer = o.Writer
	if out != nil {
		w = out
	}
	if w == nil {
		w = io.Discard
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := rep.Write(bw, res.Summary, res.Findings); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if out != nil {
		return out.commit()
	}
	return nil
}

func writeBaseline(path string, fs []finding.Finding) error {
	return WriteFile(path, func(w io.Writer) error { return suppress.WriteBaseline(w, fs) })
}

// startProgress calls progress about every 200ms until the returned stop
// is called; stop returns once the last call has returned, so nothing is
// drawn after it (the report may go to the same terminal).
func startProgress(progress func(finding.Summary, bool), c *collector, target string, start time.Time) (stop func()) {
	if progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				s := c.summary(target)
				s.Duration = time.Since(start)
				progress(s, false)
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		progress(c.summary(target), true)
	}
}

// collector is the Sink the source writes to: it runs the engine on each
// chunk and keeps totals. Safe for concurrent use.
type collector struct {
	det                 detectors.Detector
	files, bytes, found atomic.Int64
	maxProblems         int

	mu       sync.Mutex
	findings []finding.Finding
	skipped  map[string]int
	problems []finding.Problem
	dropped  int
}

func (c *collector) Chunk(ch finding.Chunk) {
	fs := c.det.Detect(ch)
	if len(fs) == 0 {
		return
	}
	c.found.Add(int64(len(fs)))
	c.mu.Lock()
	c.findings = append(c.findings, fs...)
	c.mu.Unlock()
}

func (c *collector) Item(size int64) {
	c.files.Add(1)
	c.bytes.Add(size)
}

func (c *collector) Skip(path, reason string) {
	c.mu.Lock()
	c.skipped[reason]++
	c.mu.Unlock()
}

func (c *collector) Problem(path string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.problems) >= c.maxProblems {
		c.dropped++
		return
	}
	c.problems = append(c.problems, finding.Problem{Path: path, Err: err.Error()})
}

func (c *collector) summary(target string) finding.Summary {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := finding.Summary{
		Target:   target,
		Files:    c.files.Load(),
		Bytes:    c.bytes.Load(),
		Findings: int(c.found.Load()),
		Skipped:  map[string]int{},
		Problems: append([]finding.Problem(nil), c.problems...),
		Errors:   len(c.problems) + c.dropped,
	}
	for k, v := range c.skipped {
		s.Skipped[k] = v
	}
	if c.dropped > 0 {
		s.Problems = append(s.Problems, finding.Problem{Path: "", Err: fmt.Sprintf("%d more problems not listed", c.dropped)})
	}
	return s
}

// finalize drops suppressed findings and duplicates and sorts the rest.
func finalize(fs []finding.Finding, sup *suppress.Set) []finding.Finding {
	seen := make(map[string]bool, len(fs))
	out := fs[:0]
	for _, f := range fs {
		l := f.Location
		// The offset tells apart two copies of a secret in a binary,
		// which have no lines.
		k := fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%d\x00%d", f.RuleID, f.SecretHash, l.Root, l.DisplayPath(),
			l.Commit, l.Layer, l.Image, l.Line, l.Column, l.Offset)
		if seen[k] {
			continue
		}
		seen[k] = true
		if sup.Match(f) {
			continue
		}
		f.Location.Origin = f.Location.Shown()
		out = append(out, f)
	}
	report.Sort(out)
	return out
}
