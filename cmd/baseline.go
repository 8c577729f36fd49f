package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// defaultBaseline is where baseline create writes when not told.
const defaultBaseline = ".leakhound-baseline.json"

// NewCmdBaseline builds `leakhound baseline`.
func NewCmdBaseline(io *IOStreams, g *GlobalOptions) *cobra.Command {
	base := &cobra.Command{
		Use:   "baseline",
		Short: "Record today's findings so later scans report only new ones",
	}
	create := &cobra.Command{
		Use:   "create [-o FILE] SCAN-COMMAND [ARGS]...",
		Short: "Scan as the given command does and write every finding to a baseline",
		Long: `Scan with one of the scan commands (dir, git, image, stdin) and its usual
flags, and write what it finds to a baseline file (-o, default
` + defaultBaseline + `) instead of a report.

A baseline is sorted and holds one entry per finding (rule, file,
fingerprint and secret hash): no line numbers, commits or times, so
regenerating it after unrelated changes gives the same file, it diffs
cleanly in review, and moving code does not revive a finding. Scans given
--baseline FILE leave its findings out, so only new secrets fail a build.

Exit codes: 0 the baseline was written (whatever it holds), 2 usage error,
3 some items could not be scanned (the baseline was written without them).`,
		Example: `  leakhound baseline create dir .
  leakhound baseline create -o .leakhound-baseline.json git --branch main
  leakhound dir . --baseline .leakhound-baseline.json`,
	}
	for _, sub := range []*cobra.Command{NewCmdDir(io, g, nil), NewCmdGit(io, g, nil), NewCmdImage(io, g, nil), NewCmdStdin(io, g, nil)} {
		scan := sub.RunE
		sub.RunE = func(c *cobra.Command, args []string) error {
			if g.WriteBaseline != "" {
				return usageError(errors.New("baseline create writes the baseline to -o; --write-baseline is for scans that also write a report"))
			}
			if len(g.Baselines) > 0 {
				return usageError(errors.New("baseline create records every finding: --baseline would leave some out of it"))
			}
			path := g.Output
			if path == "" {
				path = defaultBaseline
			}
			// The scan writes no report, only the baseline.
			g.Output, g.Format, g.WriteBaseline = "", "", path
			err := scan(c, args)
			var ee *exitError
			if errors.As(err, &ee) && ee.err == nil && (ee.code == ExitFindings || ee.code == ExitErrors) {
				n, rerr := baselineEntries(path)
				if rerr != nil {
					return &exitError{code: ExitErrors, err: rerr}
				}
				fmt.Fprintf(io.ErrOut, "leakhound: wrote baseline %s: %d entries. Review and commit it; scans with --baseline %s report only new secrets.\n", path, n, path)
				if ee.code == ExitFindings {
					return nil
				}
				return err
			}
			if err == nil {
				fmt.Fprintf(io.ErrOut, "leakhound: wrote baseline %s: nothing found, so it is empty.\n", path)
			}
			return err
		}
		create.AddCommand(sub)
	}
	base.AddCommand(create)
	return base
}

// baselineEntries counts a written baseline's entries.
func baselineEntries(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("baseline: %w", err)
	}
	var entries []json.RawMessage
	if err := json.Unmarshal(data, &entries); err != nil {
		return 0, fmt.Errorf("baseline %s: %w", path, err)
	}
	return len(entries), nil
}
