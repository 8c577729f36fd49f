// Package cmd is leakhound's command line: one cobra command per verb,
// each turning flags into options for the scanner. Nothing here is global:
// NewRootCmd builds a fresh tree for every run, so tests run commands in
// parallel.
package cmd

import (
	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X github.com/leakhound/leakhound/cmd.Version=...".
var Version = "dev"

// NewRootCmd builds the command tree.
func NewRootCmd(io *IOStreams) *cobra.Command {
	g := &GlobalOptions{}
	root := &cobra.Command{
		Use:   "leakhound",
		Short: "Find leaked credentials in code, history, archives and images",
		Long: `leakhound finds API keys, tokens, private keys and passwords in directories,
standard input, git history and container images.

Exit codes: 0 nothing found, 1 findings, 2 usage or config error,
3 scan errors (or an incomplete scan) and no findings.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetIn(io.In)
	g.addFlags(root)
	root.AddCommand(
		NewCmdDir(io, g, nil),
		NewCmdGit(io, g, nil),
		NewCmdImage(io, g, nil),
		NewCmdStdin(io, g, nil),
		NewCmdRules(io, g),
		NewCmdVersion(io),
	)
	return root
}

// NewCmdVersion prints the version.
func NewCmdVersion(io *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			_, err := io.Out.Write([]byte("leakhound " + Version + "\n"))
			return err
		},
	}
}
