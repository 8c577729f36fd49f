package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/scanner/source"
)

// NewCmdStdin builds `leakhound stdin`.
func NewCmdStdin(ios *IOStreams, g *GlobalOptions, runF func(name string) error) *cobra.Command {
	var name string
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
			return runScan(c, ios, g, "stdin", "", &readerSource{r: ios.In, name: name, opts: so})
		},
	}
	c.Flags().StringVar(&name, "name", "stdin", "file name to report findings under (path-based rules and allowlists see it)")
	return c
}

// readerSource scans one stream.
type readerSource struct {
	r    io.Reader
	name string
	opts source.Options
}

func (s *readerSource) Scan(ctx context.Context, sink source.Sink) error {
	n, err := source.ReadChunks(ctx, s.r, finding.Origin{Kind: "stdin", Path: s.name}, s.opts, sink)
	switch {
	case errors.Is(err, source.ErrBinary):
		sink.Skip(s.name, "binary")
	case err != nil:
		sink.Problem(s.name, fmt.Errorf("read: %w", err))
	default:
		sink.Item(n)
	}
	return nil
}
