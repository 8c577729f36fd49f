// Package scanner wires a scan together: a source yields chunks, the
// detection engine turns them into findings, suppressions (ignore files,
// baselines) drop known ones, and a reporter writes the rest. It is the
// only package that knows every stage.
package scanner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/report"
	"github.com/leakhound/leakhound/scanner/source"
)

// Options describe one scan.
type Options struct {
	Target   string
	Source   source.Source
	Detector detectors.Detector
	// Ignore holds fingerprints and secret hashes whose findings are
	// suppressed (.leakhoundignore, .gitleaksignore, baselines).
	Ignore map[string]bool
	// Reporter writes the findings to Output when the scan ends.
	Reporter report.Reporter
	Output   io.Writer
	// Progress, when set, is called about every 200ms with running totals.
	Progress func(s finding.Summary)
	// MaxProblems caps how many problems are kept in the summary; the
	// count past it is still reported.
	MaxProblems int
}

// Result is what a scan found.
type Result struct {
	Summary  finding.Summary
	Findings []finding.Finding
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

// Run scans, writes the report, and returns what was found. The error is
// non-nil only when the scan could not run at all or the report could not
// be written; a scan cut short by ctx still writes the partial report,
// marked incomplete.
func Run(ctx context.Context, opts Options) (Result, error) {
	start := time.Now()
	maxProblems := opts.MaxProblems
	if maxProblems <= 0 {
		maxProblems = 1000
	}
	c := &collector{det: opts.Detector, skipped: map[string]int{}, maxProblems: maxProblems}

	stop := make(chan struct{})
	var progressDone sync.WaitGroup
	if opts.Progress != nil {
		progressDone.Add(1)
		go func() {
			defer progressDone.Done()
			t := time.NewTicker(200 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					s := c.summary(opts.Target)
					s.Duration = time.Since(start)
					opts.Progress(s)
				}
			}
		}()
	}
	err := opts.Source.Scan(ctx, c)
	close(stop)
	progressDone.Wait()

	res := Result{Summary: c.summary(opts.Target)}
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
	res.Findings = finalize(c.findings, opts.Ignore)
	res.Summary.Findings = len(res.Findings)
	res.Summary.Duration = time.Since(start)
	if opts.Reporter != nil {
		if err := opts.Reporter.Write(opts.Output, res.Summary, res.Findings); err != nil {
			return res, fmt.Errorf("write report: %w", err)
		}
	}
	return res, nil
}

// ignored reports whether a suppression entry covers f: its fingerprint,
// its secret hash, or a gitleaks-style "[commit:]file:rule:line" entry from
// a .gitleaksignore.
func ignored(f finding.Finding, ignore map[string]bool) bool {
	if len(ignore) == 0 {
		return false
	}
	if ignore[f.Fingerprint] || ignore[f.SecretHash] {
		return true
	}
	gl := fmt.Sprintf("%s:%s:%d", f.Location.DisplayPath(), f.RuleID, f.Location.Line)
	return ignore[gl] || (f.Location.Commit != "" && ignore[f.Location.Commit+":"+gl])
}

// finalize drops suppressed findings and duplicates and sorts the rest.
func finalize(fs []finding.Finding, ignore map[string]bool) []finding.Finding {
	seen := make(map[string]bool, len(fs))
	out := fs[:0]
	for _, f := range fs {
		if ignored(f, ignore) {
			continue
		}
		l := f.Location
		k := fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%d", f.RuleID, f.SecretHash, l.DisplayPath(),
			l.Commit, l.Layer, l.Image, l.Line, l.Column)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	report.Sort(out)
	return out
}
