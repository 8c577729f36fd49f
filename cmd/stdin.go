package cmd

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/scanner/source"
	"github.com/leakhound/leakhound/scanner/source/archive"
)

// NewCmdStdin builds `leakhound stdin`.
func NewCmdStdin(ios *IOStreams, g *GlobalOptions, runF func(name string) error) *cobra.Command {
	var name string
	var depth int
	c := &cobra.Command{
		Use:   "stdin",
		Short: "Scan standard input",
		Example: `  git diff | leakhound stdin --name changes.diff
  kubectl get secret -o yaml app | leakhound stdin --name app-secret.yaml`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(name)
			}
			so, err := g.sourceOptions()
			if err != nil {
				return err
			}
			// Standard input has no size limit: it is read in chunks.
			so.MaxFileSize = 0
			ao, err := archiveOptions(so, depth)
			if err != nil {
				return err
			}
			return runScan(c, ios, g, "stdin", nil, &readerSource{r: ios.In, name: name, opts: ao})
		},
	}
	c.Flags().StringVar(&name, "name", "stdin", "file name to report findings under (path-based rules and allowlists see it)")
	addArchiveDepthFlag(c, &depth)
	return c
}

// readerSource scans one stream, entering it if it is an archive.
type readerSource struct {
	r    io.Reader
	name string
	opts archive.Options
}

func (s *readerSource) Scan(ctx context.Context, sink source.Sink) error {
	archive.Content(ctx, s.r, -1, finding.Origin{Kind: "stdin", Path: s.name}, s.opts, sink)
	return nil
}

// addArchiveDepthFlag adds --archive-depth to a command.
func addArchiveDepthFlag(c *cobra.Command, depth *int) {
	c.Flags().IntVar(depth, "archive-depth", archive.DefaultDepth, "how many levels of nested archives to enter (0: none)")
}

// archiveOptions turns --archive-depth into archive options.
func archiveOptions(so source.Options, depth int) (archive.Options, error) {
	if depth < 0 {
		return archive.Options{}, usageError(fmt.Errorf("--archive-depth %d: must be 0 or more", depth))
	}
	if depth == 0 {
		depth = -1 // archive.Options: 0 is the default, negative is none
	}
	return archive.Options{Options: so, Depth: depth}, nil
}
