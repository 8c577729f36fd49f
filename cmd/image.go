package cmd

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/leakhound/leakhound/scanner/source/archive"
	"github.com/leakhound/leakhound/scanner/source/image"
)

// ImageOptions are the image command's own flags.
type ImageOptions struct {
	Targets      []string
	Platform     string
	AllPlatforms bool
	Insecure     bool
	ArchiveDepth int
}

// NewCmdImage builds `leakhound image`. runF replaces the scan in tests.
func NewCmdImage(io *IOStreams, g *GlobalOptions, runF func(*ImageOptions) error) *cobra.Command {
	opts := &ImageOptions{}
	c := &cobra.Command{
		Use:   "image TARGET...",
		Short: "Scan container images: every layer and the config",
		Long: `Scan container images. TARGET is a 'docker save' tarball (gzip-compressed
or not), an OCI image layout directory or its tar, or a registry reference
(registry.example.com/team/app:tag, ...@sha256:...).

Every file of every layer is scanned, so a secret added in one layer and
deleted in a later one is still found; whiteout files are not content. The
image config is scanned too: Env, Cmd, Entrypoint, OnBuild, Labels and every
history entry's created_by (where 'RUN echo $TOKEN' and build args leak).
Archives inside layers (jar, zip, tar, tgz, gz, bz2, xz, zst) are entered up
to --archive-depth levels. Layers shared by several images are scanned once.

Registry credentials come from the Docker credential chain
(~/.docker/config.json, credential helpers).`,
		Example: `  leakhound image registry.example.com/team/app:1.4
  docker save app:1.4 -o app.tar && leakhound image app.tar
  leakhound image --all-platforms --format sarif -o image.sarif ghcr.io/org/app@sha256:...
  leakhound image --insecure-registry localhost:5000/app:dev`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Targets = args
			if runF != nil {
				return runF(opts)
			}
			return imageRun(c, io, g, opts)
		},
	}
	c.Flags().StringVar(&opts.Platform, "platform", "", "os/arch[/variant] to pick from a multi-platform image (default: linux and the host's architecture)")
	c.Flags().BoolVar(&opts.AllPlatforms, "all-platforms", false, "scan every platform of a multi-platform image")
	c.Flags().BoolVar(&opts.Insecure, "insecure-registry", false, "allow plain HTTP to the registry")
	c.Flags().IntVar(&opts.ArchiveDepth, "archive-depth", archive.DefaultDepth, "how many levels of nested archives to enter (0: none)")
	return c
}

func imageRun(c *cobra.Command, io *IOStreams, g *GlobalOptions, opts *ImageOptions) error {
	so, err := g.sourceOptions()
	if err != nil {
		return err
	}
	if opts.Platform != "" && opts.AllPlatforms {
		return usageError(errors.New("--platform and --all-platforms exclude each other"))
	}
	if opts.ArchiveDepth < 0 {
		return usageError(fmt.Errorf("--archive-depth %d: must be 0 or more", opts.ArchiveDepth))
	}
	depth := opts.ArchiveDepth
	if depth == 0 {
		depth = -1 // archive.Options: 0 is the default, negative is none
	}
	src, err := image.New(image.Options{
		Options:      so,
		Archive:      archive.Options{Depth: depth},
		Targets:      opts.Targets,
		Platform:     opts.Platform,
		AllPlatforms: opts.AllPlatforms,
		Insecure:     opts.Insecure,
	})
	if err != nil {
		return usageError(err)
	}
	target := opts.Targets[0]
	if len(opts.Targets) > 1 {
		target = "multiple images"
	}
	return runScan(c, io, g, target, nil, src)
}
