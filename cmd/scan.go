package cmd

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/report"
	"github.com/leakhound/leakhound/rules"
	"github.com/leakhound/leakhound/scanner"
	"github.com/leakhound/leakhound/scanner/source"
)

// GlobalOptions are the flags every scan command shares.
type GlobalOptions struct {
	Config      string
	Format      string
	Output      string
	Reveal      bool
	Quiet       bool
	NoColor     bool
	MaxFileSize string
	Rules       []string
	Baseline    string
	IgnoreFile  string
}

func (g *GlobalOptions) addFlags(c *cobra.Command) {
	f := c.PersistentFlags()
	f.StringVarP(&g.Config, "config", "c", "", "rules config (TOML, gitleaks format accepted); default: .leakhound.toml or .gitleaks.toml at the scan root, else the built-in rules")
	f.StringVarP(&g.Format, "format", "f", "text", "report format: "+strings.Join(report.Formats(), ", "))
	f.StringVarP(&g.Output, "output", "o", "", "write the report to this file instead of standard output")
	f.BoolVar(&g.Reveal, "reveal", false, "show secrets in full in reports (redacted by default)")
	f.BoolVarP(&g.Quiet, "quiet", "q", false, "print no summary or progress on stderr")
	f.BoolVar(&g.NoColor, "no-color", false, "no colors in text output")
	f.StringVar(&g.MaxFileSize, "max-file-size", "10MiB", "skip files larger than this (e.g. 500KB, 10MiB, 0 for no limit)")
	f.StringArrayVar(&g.Rules, "rule", nil, "run only this rule id (repeatable)")
	f.StringVar(&g.Baseline, "baseline", "", "JSON report of known findings to leave out")
	f.StringVar(&g.IgnoreFile, "ignore-file", "", "file of fingerprints or secret hashes to leave out, one per line (default: .leakhoundignore or .gitleaksignore at the scan root)")
}

// sourceOptions turns the shared flags into the options every source takes.
func (g *GlobalOptions) sourceOptions() (source.Options, error) {
	max, err := parseSize(g.MaxFileSize)
	if err != nil {
		return source.Options{}, usageError(fmt.Errorf("--max-file-size: %w", err))
	}
	return source.Options{MaxFileSize: max, ChunkSize: source.DefaultChunkSize, Overlap: detectors.MaxOverlap}, nil
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

// loadConfig picks the rule set: --config, else a config at the scan
// root, else the built-in rules; then narrows to --rule ids.
func (g *GlobalOptions) loadConfig(root string) (*rules.Config, error) {
	path := g.Config
	if path == "" && root != "" {
		for _, name := range []string{".leakhound.toml", ".gitleaks.toml"} {
			p := filepath.Join(root, name)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				path = p
				break
			}
		}
	}
	var cfg *rules.Config
	var err error
	if path != "" {
		cfg, err = rules.Load(path)
	} else {
		cfg, err = rules.Default()
	}
	if err != nil {
		return nil, usageError(err)
	}
	if len(g.Rules) > 0 {
		want := map[string]bool{}
		for _, id := range g.Rules {
			if cfg.Rule(id) == nil {
				return nil, usageError(fmt.Errorf("--rule %s: no such rule (see 'leakhound rules list')", id))
			}
			want[id] = true
		}
		kept := cfg.Rules[:0]
		for _, r := range cfg.Rules {
			if want[r.ID] {
				kept = append(kept, r)
			}
		}
		cfg.Rules = kept
	}
	return cfg, nil
}

// loadIgnores reads the ignore file and the baseline into one set of
// fingerprints and secret hashes.
func (g *GlobalOptions) loadIgnores(root string) (map[string]bool, error) {
	ignore := map[string]bool{}
	path := g.IgnoreFile
	if path == "" && root != "" {
		for _, name := range []string{".leakhoundignore", ".gitleaksignore"} {
			p := filepath.Join(root, name)
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
	}
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, usageError(fmt.Errorf("ignore file: %w", err))
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			ignore[line] = true
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, usageError(fmt.Errorf("ignore file %s: %w", path, err))
		}
	}
	if g.Baseline != "" {
		data, err := os.ReadFile(g.Baseline)
		if err != nil {
			return nil, usageError(fmt.Errorf("baseline: %w", err))
		}
		var known []struct {
			Fingerprint string `json:"fingerprint"`
		}
		if err := json.Unmarshal(data, &known); err != nil {
			return nil, usageError(fmt.Errorf("baseline %s: not a leakhound JSON report: %w", g.Baseline, err))
		}
		for _, k := range known {
			if k.Fingerprint != "" {
				ignore[k.Fingerprint] = true
			}
		}
	}
	return ignore, nil
}

// runScan is what every scan command ends in: load rules, run the source
// through the engine, write the report and the summary, and turn the
// outcome into an exit code.
func runScan(c *cobra.Command, io *IOStreams, g *GlobalOptions, target, root string, src source.Source) error {
	cfg, err := g.loadConfig(root)
	if err != nil {
		return err
	}
	var det detectors.Detector
	if cfg.Builtin {
		// The built-in rules always build (their tests say so): the engine
		// is built while the source starts walking, and their regexes are
		// compiled on first use (the tests compile them all).
		det = buildLater(cfg)
	} else {
		// A user's rules: every regex must compile before the scan says
		// anything, or a broken rule would silently find nothing.
		eng, err := detectors.New(cfg)
		if err != nil {
			return usageError(err)
		}
		if err := eng.CompileAll(); err != nil {
			return usageError(err)
		}
		det = eng
	}
	ignore, err := g.loadIgnores(root)
	if err != nil {
		return err
	}
	rep, err := report.New(g.Format, report.Options{Reveal: g.Reveal, Rules: cfg, NoColor: g.NoColor || g.Output != "" || !io.OutTTY, Version: Version})
	if err != nil {
		return usageError(err)
	}
	out := io.Out
	var file *os.File
	if g.Output != "" {
		if file, err = os.Create(g.Output); err != nil {
			return usageError(fmt.Errorf("--output: %w", err))
		}
		defer file.Close()
		out = file
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	opts := scanner.Options{
		Target:   target,
		Source:   src,
		Detector: det,
		Ignore:   ignore,
		Reporter: rep,
		Output:   bw,
	}
	if io.ErrTTY && !g.Quiet {
		opts.Progress = func(s finding.Summary) {
			fmt.Fprintf(io.ErrOut, "\r\033[Kscanning: %d files, %s, %d findings, %s", s.Files, humanBytes(s.Bytes), s.Findings, s.Duration.Round(time.Second))
		}
	}
	res, err := scanner.Run(c.Context(), opts)
	if opts.Progress != nil {
		fmt.Fprint(io.ErrOut, "\r\033[K")
	}
	if l, ok := det.(*lateEngine); ok {
		// The built-in rules' tests build them, so this is a bug if it
		// happens; a scan that detected nothing must not pass as clean.
		if berr := l.wait(); berr != nil {
			return usageError(berr)
		}
	}
	if err != nil {
		var bad *sourceError
		if errors.As(err, &bad) {
			return usageError(err)
		}
		return &exitError{code: ExitErrors, err: err}
	}
	if ferr := bw.Flush(); ferr != nil {
		return &exitError{code: ExitErrors, err: fmt.Errorf("write report: %w", ferr)}
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return &exitError{code: ExitErrors, err: fmt.Errorf("write report: %w", err)}
		}
	}
	if !g.Quiet {
		printSummary(io, res.Summary)
	}
	switch {
	case res.Summary.Findings > 0:
		return &exitError{code: ExitFindings}
	case res.Summary.Errors > 0 || res.Summary.Incomplete:
		return &exitError{code: ExitErrors}
	}
	return nil
}

// lateEngine is an engine built in the background: the first Detect waits
// for it. It serves the built-in rules, which cannot fail to build.
type lateEngine struct {
	ready chan struct{}
	eng   *detectors.Engine
	err   error
}

func buildLater(cfg *rules.Config) *lateEngine {
	l := &lateEngine{ready: make(chan struct{})}
	go func() {
		defer close(l.ready)
		l.eng, l.err = detectors.New(cfg)
	}()
	return l
}

func (l *lateEngine) Detect(c finding.Chunk) []finding.Finding {
	<-l.ready
	if l.err != nil {
		return nil // runScan reports it (see wait)
	}
	return l.eng.Detect(c)
}

// wait returns the error building the engine failed with, if any.
func (l *lateEngine) wait() error {
	<-l.ready
	return l.err
}

// sourceError marks an error in what the user asked to scan (no such
// path, not a repository): a usage error, exit 2.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

func printSummary(io *IOStreams, s finding.Summary) {
	w := io.ErrOut
	for _, p := range s.Problems {
		if p.Path != "" {
			fmt.Fprintf(w, "error: %s: %s\n", p.Path, p.Err)
		} else {
			fmt.Fprintf(w, "error: %s\n", p.Err)
		}
	}
	secs := s.Duration.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(s.Bytes) / 1e6 / secs
	}
	var skipped []string
	reasons := make([]string, 0, len(s.Skipped))
	for r := range s.Skipped {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		skipped = append(skipped, fmt.Sprintf("%s %d", r, s.Skipped[r]))
	}
	skip := ""
	if len(skipped) > 0 {
		skip = " (" + strings.Join(skipped, ", ") + ")"
	}
	state := ""
	if s.Incomplete {
		state = " INCOMPLETE:"
	}
	fmt.Fprintf(w, "leakhound:%s scanned %d files, %s in %s (%.1f MB/s): %d findings, %d skipped%s, %d errors\n",
		state, s.Files, humanBytes(s.Bytes), s.Duration.Round(time.Millisecond), rate, s.Findings, s.SkippedTotal(), skip, s.Errors)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
