package cmd

import (
	"bufio"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/leakhound/leakhound/internal/plainfile"
	"github.com/leakhound/leakhound/report"
	"github.com/leakhound/leakhound/suppress"
	"github.com/leakhound/leakhound/verify"
)

// RevokeOptions are the revoke command's flags.
type RevokeOptions struct {
	Report string
	Yes    bool
	APIURL string
}

// NewCmdRevoke builds `leakhound revoke`.
func NewCmdRevoke(io *IOStreams) *cobra.Command {
	opts := &RevokeOptions{}
	c := &cobra.Command{
		Use:   "revoke --github REPORT.json",
		Short: "Revoke the GitHub tokens of a report through GitHub's credential revocation API",
		Long: `Submit the GitHub tokens (ghp_, github_pat_, gho_, ghu_, ghr_) found in a JSON or
JSONL report to GitHub's credential revocation API. GitHub revokes them and
notifies their owners; a revoked token can't be restored. The report must have
been written with --reveal: a redacted secret can't be revoked.

Asks for confirmation unless --yes.`,
		Example: `  leakhound git --format json --reveal -o findings.json . ; leakhound revoke --github findings.json`,
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if opts.Report == "" {
				return usageError(errors.New("--github REPORT.json is required"))
			}
			return revokeRun(c, io, opts)
		},
	}
	c.Flags().StringVar(&opts.Report, "github", "", "JSON or JSONL report whose GitHub tokens to revoke (written with --reveal)")
	c.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "don't ask for confirmation")
	c.Flags().StringVar(&opts.APIURL, "api-url", "", "GitHub API URL (default https://api.github.com; GitHub Enterprise Server: https://HOST/api/v3)")
	return c
}

func revokeRun(c *cobra.Command, io *IOStreams, opts *RevokeOptions) error {
	data, err := plainfile.Read(opts.Report, suppress.MaxFileSize)
	if err != nil {
		return usageError(err)
	}
	fs, err := report.ReadJSON(data)
	if err != nil {
		return usageError(fmt.Errorf("%s: %w", opts.Report, err))
	}
	var tokens []string
	redacted := 0
	for _, e := range fs {
		switch {
		case strings.Contains(e.Secret, "*****"):
			if verify.GitHubRevocable(e.Secret) {
				redacted++
			}
		case verify.GitHubRevocable(e.Secret) && !slices.Contains(tokens, e.Secret):
			tokens = append(tokens, e.Secret)
		}
	}
	if redacted > 0 {
		fmt.Fprintf(io.ErrOut, "leakhound: %d GitHub tokens in the report are redacted and can't be revoked (write the report with --reveal)\n", redacted)
	}
	if len(tokens) == 0 {
		return usageError(fmt.Errorf("%s holds no GitHub token that can be revoked", opts.Report))
	}
	if !opts.Yes {
		fmt.Fprintf(io.ErrOut, "Revoke %d GitHub tokens? GitHub notifies their owners; this can't be undone. [y/N] ", len(tokens))
		answer, _ := bufio.NewReader(io.In).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			fmt.Fprintln(io.ErrOut, "leakhound: nothing revoked")
			return &exitError{code: ExitUsage}
		}
	}
	n, err := verify.RevokeGitHub(c.Context(), tokens, opts.APIURL)
	if err != nil {
		return &exitError{code: ExitErrors, err: fmt.Errorf("revoked %d of %d tokens: %w", n, len(tokens), err)}
	}
	fmt.Fprintf(io.Out, "GitHub accepted %d tokens for revocation\n", n)
	return nil
}
