package cmd

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
	"github.com/leakhound/leakhound/scanner"
	"github.com/leakhound/leakhound/verify"
)

// NewCmdRules builds `leakhound rules`.
func NewCmdRules(io *IOStreams, g *GlobalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "rules",
		Short: "List and test detection rules",
	}
	var format string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the rules in use (built-in, or --config)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			rs, err := scanner.LoadRules(g.rulesetOptions(nil))
			if err != nil {
				return usageError(err)
			}
			cfg := rs.Config
			cfg.Sort()
			return writeRules(io, cfg, format)
		},
	}
	list.Flags().StringVar(&format, "format", "text", "text or json")
	test := &cobra.Command{
		Use:   "test FILE",
		Short: "Run the examples and negative_examples of every rule in a config",
		Long: `Load a rules config, compile it, and check that each rule finds each of its
examples and none of its negative_examples. Exit 1 if any check fails.`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			cfg, err := rules.Load(args[0])
			if err != nil {
				return usageError(err)
			}
			failures, checks, err := testRules(cfg)
			if err != nil {
				return usageError(err)
			}
			for _, f := range failures {
				fmt.Fprintln(io.Out, f)
			}
			fmt.Fprintf(io.Out, "%d rules, %d checks, %d failed\n", len(cfg.Rules), checks, len(failures))
			if len(failures) > 0 {
				return &exitError{code: ExitFindings}
			}
			return nil
		},
	}
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one rule: what it matches, how it is checked, and how to revoke what it finds",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			rs, err := scanner.LoadRules(g.rulesetOptions(nil))
			if err != nil {
				return usageError(err)
			}
			r := rs.Config.Rule(args[0])
			if r == nil {
				return usageError(fmt.Errorf("no rule %q (see 'leakhound rules list')", args[0]))
			}
			showRule(io, r)
			return nil
		},
	}
	c.AddCommand(list, test, show)
	return c
}

// showRule prints a rule for a person deciding what to do about a finding.
func showRule(io *IOStreams, r *rules.Rule) {
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	field := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, v)
		}
	}
	field("id", r.ID)
	field("description", r.Description)
	field("severity", r.Severity)
	field("tags", strings.Join(r.Tags, ", "))
	field("keywords", strings.Join(r.Keywords, ", "))
	field("regex", r.Regex)
	field("path", r.Path)
	if r.Entropy > 0 {
		field("entropy", fmt.Sprintf("at least %.1f", r.Entropy))
	}
	field("check", r.Validator)
	if v := verify.ForRule(r.ID); v != nil {
		field("verification", v.Provider+" ("+v.Endpoint+"), with --verify")
	} else {
		field("verification", "none (reported as unverifiable)")
	}
	rem := r.Remediation()
	field("revoke", rem.Revoke)
	field("docs", rem.URL)
	tw.Flush()
}

func writeRules(io *IOStreams, cfg *rules.Config, format string) error {
	switch format {
	case "json":
		type row struct {
			ID          string   `json:"id"`
			Description string   `json:"description"`
			Severity    string   `json:"severity"`
			Keywords    []string `json:"keywords"`
			Tags        []string `json:"tags"`
		}
		rows := make([]row, 0, len(cfg.Rules))
		for _, r := range cfg.Rules {
			rows = append(rows, row{r.ID, r.Description, r.Severity, nonNil(r.Keywords), nonNil(r.Tags)})
		}
		enc := json.NewEncoder(io.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "text", "":
		tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSEVERITY\tDESCRIPTION")
		for _, r := range cfg.Rules {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, r.Description)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(io.Out, "%d rules\n", len(cfg.Rules))
		return nil
	}
	return usageError(fmt.Errorf("--format %q: want text or json", format))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// testRules runs each rule alone over its examples. It returns one line per
// failed check and the number of checks run.
func testRules(cfg *rules.Config) ([]string, int, error) {
	var failures []string
	checks := 0
	for _, r := range cfg.Rules {
		eng, err := detectors.New(&rules.Config{Rules: []rules.Rule{r}, Allowlists: cfg.Allowlists})
		if err != nil {
			return nil, 0, err
		}
		if err := eng.CompileAll(nil); err != nil {
			return nil, 0, err
		}
		run := func(s string) int {
			return len(eng.Detect(finding.Chunk{Origin: finding.Origin{Kind: "file", Path: r.ExampleFile()}, Data: []byte(s)}))
		}
		for _, ex := range r.Examples {
			checks++
			if run(ex) == 0 {
				failures = append(failures, fmt.Sprintf("FAIL %s: example not found: %s", r.ID, abbreviate(ex)))
			}
		}
		for _, ex := range r.NegativeExamples {
			checks++
			if run(ex) > 0 {
				failures = append(failures, fmt.Sprintf("FAIL %s: negative example found: %s", r.ID, abbreviate(ex)))
			}
		}
	}
	return failures, checks, nil
}

func abbreviate(s string) string {
	s = strings.ReplaceAll(s, "\n", `\n`)
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
