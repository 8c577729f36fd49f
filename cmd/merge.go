package cmd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/internal/plainfile"
	"github.com/leakhound/leakhound/report"
	"github.com/leakhound/leakhound/scanner"
)

// maxMergeInput caps one report read by merge.
const maxMergeInput = 4 << 30

// NewCmdMerge builds `leakhound merge`.
func NewCmdMerge(io *IOStreams, g *GlobalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "merge REPORT...",
		Short: "Combine JSON or JSON Lines reports (shards of an org scan) into one",
		Long: `Read reports written with --format json or jsonl (the shards of an org scan,
runs of several jobs) and write one report in any format. A finding found
twice (same fingerprint in the same repository) is kept once, with the
worst verification state any copy had (verified, then unknown,
unverifiable, invalid). Secrets stay as the inputs have them: redacted
unless the reports were written with --reveal, and then redacted again
unless merge gets --reveal too.`,
		Example: `  leakhound merge shard-*.json --format sarif -o org.sarif`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return mergeRun(io, g, args)
		},
	}
}

func mergeRun(io *IOStreams, g *GlobalOptions, paths []string) error {
	byKey := map[string]int{}
	var all []finding.Finding
	read := 0
	for _, p := range paths {
		data, err := plainfile.Read(p, maxMergeInput)
		if err != nil {
			return usageError(fmt.Errorf("merge: %w", err))
		}
		fs, err := report.ReadJSON(data)
		if err != nil {
			return usageError(fmt.Errorf("merge: %s: %w", p, err))
		}
		for _, f := range fs {
			read++
			key := f.Fingerprint + "\x00" + f.Location.Repository
			if f.Fingerprint == "" {
				// A report without fingerprints: one per place.
				key = fmt.Sprintf("%s\x00%s\x00%s\x00%d\x00%s", f.RuleID, f.Location.Repository, f.Location.Path, f.Location.Line, f.Secret)
			}
			if i, ok := byKey[key]; ok {
				if verificationRank(f.Verification.Status) > verificationRank(all[i].Verification.Status) {
					all[i].Verification = f.Verification
				}
				continue
			}
			byKey[key] = len(all)
			all = append(all, f)
		}
	}
	if !g.Reveal {
		// Redacted here, so secrets the inputs already redacted keep
		// their prefix rather than being redacted twice.
		for i := range all {
			f := &all[i]
			if s := f.Secret; s != "" && !strings.HasSuffix(s, "*****") {
				f.Match = finding.RedactIn(f.Match, s)
				f.Location.Message = finding.RedactIn(f.Location.Message, s)
				f.Secret = finding.Redact(s)
			}
		}
	}
	sum := finding.Summary{Target: strings.Join(paths, " "), Findings: len(all)}
	o := reportOptions(io, g)
	o.Reveal = true // redacted above unless --reveal
	if err := scanner.WriteReport(o, nil, scanner.Result{Summary: sum, Findings: all}); err != nil {
		var ce *scanner.ConfigError
		if errors.As(err, &ce) {
			return usageError(err)
		}
		return &exitError{code: ExitErrors, err: fmt.Errorf("write report: %w", err)}
	}
	if !g.Quiet {
		fmt.Fprintf(io.ErrOut, "leakhound: merged %d reports: %d findings, %d duplicates left out\n", len(paths), len(all), read-len(all))
	}
	if len(all) > 0 {
		return &exitError{code: ExitFindings}
	}
	return nil
}

// verificationRank orders verification states from least to most
// alarming: merge keeps the worst.
func verificationRank(s string) int {
	switch s {
	case finding.Verified:
		return 4
	case finding.Unknown:
		return 3
	case finding.Unverifiable:
		return 2
	case finding.Invalid:
		return 1
	}
	return 0
}
