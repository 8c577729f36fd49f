package cmd

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/leakhound/leakhound/scanner/source/archive"
	"github.com/leakhound/leakhound/scanner/source/dir"
)

// DirOptions are the dir command's own flags.
type DirOptions struct {
	Paths        []string
	Exclude      []string
	IncludeGit   bool
	ArchiveDepth int
}

// NewCmdDir builds `leakhound dir`. runF replaces the scan in tests.
func NewCmdDir(io *IOStreams, g *GlobalOptions, runF func(*DirOptions) error) *cobra.Command {
	opts := &DirOptions{}
	c := &cobra.Command{
		Use:   "dir PATH...",
		Short: "Scan files and directories",
		Long: `Scan every regular file under the given paths. Text is scanned whole, however
large; binary files (executables, databases, class files ...) by their printable
strings and UTF-16 text. Images, audio, video and fonts (known by their first
bytes), files over --max-file-size when it is set, symbolic links and .git/ are
skipped and counted in the summary.
Archives (zip, jar/war/ear, tar, tgz, gz, bz2, xz, zst) are entered, nested up to
--archive-depth levels, with limits on size, entry count and compression ratio.`,
		Example: `  leakhound dir .
  leakhound dir --exclude 'node_modules/' --exclude '*.min.js' src config
  leakhound dir --format sarif --output leakhound.sarif .`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Paths = args
			if runF != nil {
				return runF(opts)
			}
			return dirRun(c, io, g, opts)
		},
	}
	c.Flags().StringArrayVar(&opts.Exclude, "exclude", nil, "skip paths matching this gitignore-style pattern (repeatable)")
	c.Flags().BoolVar(&opts.IncludeGit, "include-git-dir", false, "also scan .git/ directories")
	addArchiveDepthFlag(c, &opts.ArchiveDepth)
	return c
}

func dirRun(c *cobra.Command, io *IOStreams, g *GlobalOptions, opts *DirOptions) error {
	so, err := g.sourceOptions()
	if err != nil {
		return err
	}
	for _, p := range opts.Paths {
		if _, err := os.Stat(p); err != nil {
			return usageError(err)
		}
	}
	ao, err := archiveOptions(so, opts.ArchiveDepth)
	if err != nil {
		return err
	}
	src, err := dir.New(dir.Options{Options: so, Paths: opts.Paths, Exclude: opts.Exclude, IncludeGit: opts.IncludeGit, Archive: archive.Hook(ao)})
	if err != nil {
		return usageError(err)
	}
	// A config or ignore file is picked up from the root only when one
	// directory is scanned: with several, which root wins would be a guess.
	root := ""
	if len(opts.Paths) == 1 {
		if st, err := os.Stat(opts.Paths[0]); err == nil && st.IsDir() {
			root = opts.Paths[0]
		}
	}
	target := opts.Paths[0]
	if len(opts.Paths) > 1 {
		target = "multiple paths"
	}
	return runScan(c, io, g, target, repoDir(root), src)
}
