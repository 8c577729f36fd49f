// Package cmd is leakhound's command line: one cobra command per verb,
// each turning flags into options for the scanner. Nothing here is global:
// NewRootCmd builds a fresh tree for every run, so tests run commands in
// parallel.
package cmd

import (
	"runtime/debug"

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
		Version:       version(),
	}
	root.SetVersionTemplate("leakhound {{.Version}}\n")
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetIn(io.In)
	g.addFlags(root)
	root.AddCommand(
		NewCmdDir(io, g, nil),
		NewCmdGit(io, g, nil),
		NewCmdImage(io, g, nil),
		NewCmdStdin(io, g, nil),
		NewCmdOrg(io, g, nil),
		NewCmdMerge(io, g),
		NewCmdServe(io, g),
		NewCmdRules(io, g),
		NewCmdRevoke(io),
		NewCmdUploadSARIF(io),
		NewCmdBaseline(io, g),
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
			_, err := io.Out.Write([]byte("leakhound " + version() + "\n"))
			return err
		},
	}
}

// version is the version to print: the one set at build time, else the
// module version `go install` recorded (v1.2.3, or a pseudo-version), else
// the VCS revision a plain `go build` in a checkout recorded.
func version() string {
	if Version != "dev" {
		return Version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Version
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return Version
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		rev += "-dirty"
	}
	return "dev-" + rev
}
