package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
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
	return Run(ctx, os.Args[1:], System())
}

// LongRunning reports whether args name a command that stays up and scans
// again and again (serve), rather than one scan that ends.
func LongRunning(args []string) bool {
	streams, _, _ := TestStreams("")
	c, _, err := NewRootCmd(streams).Find(args)
	return err == nil && c.Name() == "serve"
}

// Run runs the CLI with the given arguments and streams.
func Run(ctx context.Context, args []string, io *IOStreams) int {
	root := NewRootCmd(io)
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
