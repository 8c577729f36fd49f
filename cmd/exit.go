package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/leakhound/leakhound/internal/hugeheap"
)

// Exit codes a CI job can rely on.
const (
	ExitClean    = 0 // scan finished, nothing found
	ExitFindings = 1 // findings reported
	ExitUsage    = 2 // bad flag, bad config, bad rule
	ExitErrors   = 3 // scan errors (or an incomplete scan) and no findings
)

// exitError carries an exit code up to Main. Its message, if any, has
// already been printed when err is nil.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func usageError(err error) error { return &exitError{code: ExitUsage, err: err} }

// Main runs the CLI with the process's arguments and streams and returns
// the exit code; main does nothing but os.Exit(Main()).
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// The first signal cancels the scan, which writes its partial
		// report and stops; a second one kills the process at once.
		<-ctx.Done()
		stop()
	}()
	io, args := System(), os.Args[1:]
	root := NewRootCmd(io)
	// A scan's heap is put on huge pages when LEAKHOUND_HUGEPAGES asks
	// for it; a server's never is: between scans it gives memory back,
	// which the kernel would gather into huge pages again, keeping the
	// server at its peak.
	if !longRunning(root, args) {
		hugeheap.Reserve()
	}
	return execute(ctx, root, args, io)
}

// longRunning reports whether args name a command of root that stays up
// and scans again and again (serve), rather than one scan that ends.
func longRunning(root *cobra.Command, args []string) bool {
	c, _, err := root.Find(args)
	return err == nil && c.Name() == "serve"
}

// Run runs the CLI with the given arguments and streams.
func Run(ctx context.Context, args []string, io *IOStreams) int {
	return execute(ctx, NewRootCmd(io), args, io)
}

// execute runs root, built on io, with args.
func execute(ctx context.Context, root *cobra.Command, args []string, io *IOStreams) int {
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitClean
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(io.ErrOut, "leakhound: %v\n", ee.err)
		}
		return ee.code
	}
	// Errors cobra raises itself (unknown flag or command, bad args) are
	// usage errors.
	fmt.Fprintf(io.ErrOut, "leakhound: %v\n", err)
	fmt.Fprintln(io.ErrOut, "Run 'leakhound --help' for usage.")
	return ExitUsage
}
