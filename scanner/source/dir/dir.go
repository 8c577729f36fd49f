// Package dir is the source for directories and files on disk: it walks
// the given paths, applies the exclude and size policies, and reads
// files concurrently into chunks.
package dir

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/sourcegraph/conc/pool"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/scanner/source"
)

// Options configure a directory scan.
type Options struct {
	source.Options
	// Paths are the files and directories to scan.
	Paths []string
	// Exclude holds gitignore-style patterns; ".git/" is always added
	// unless IncludeGit is set.
	Exclude    []string
	IncludeGit bool
	// Workers is the number of files read and scanned at once
	// (default: GOMAXPROCS).
	Workers int
	// Archive, when set, is offered every file first, with the file's
	// first bytes (up to source.HeadLen) and its size; it returns true
	// when it recognised and scanned the file as an archive. It must read
	// with ReadAt. Pipes and devices (no size, no ReadAt) are not offered.
	Archive func(ctx context.Context, r io.ReaderAt, head []byte, size int64, origin finding.Origin, sink source.Sink) (bool, error)
}

// Source scans directories.
type Source struct {
	opts Options
	ex   *excluder
}

// New checks the options and returns a directory source.
func New(opts Options) (*Source, error) {
	ex := opts.Exclude
	if !opts.IncludeGit {
		ex = append(append([]string(nil), ex...), ".git/")
	}
	e, err := newExcluder(ex)
	if err != nil {
		return nil, err
	}
	if len(opts.Paths) == 0 {
		return nil, errors.New("no paths to scan")
	}
	return &Source{opts: opts, ex: e}, nil
}

type job struct {
	path, rel string
	root      string // the root as reports show it (shownRoot)
	named     bool   // given on the command line, not found by the walk
}

// Scan walks every path and scans its files. A path that does not exist
// stops the scan before anything is read, so a typo is not reported as a
// clean scan.
func (s *Source) Scan(ctx context.Context, sink source.Sink) error {
	for _, p := range s.opts.Paths {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("scan %s: %w", p, err)
		}
	}
	workers := s.opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan job, workers*4)
	p := pool.New().WithMaxGoroutines(workers)
	for i := 0; i < workers; i++ {
		p.Go(func() {
			for j := range jobs {
				s.scanFile(ctx, j, sink)
			}
		})
	}
	defer p.Wait()
	defer close(jobs)
	for _, root := range s.opts.Paths {
		if err := s.walk(ctx, root, s.shownRoot(root), jobs, sink); err != nil {
			return err
		}
	}
	return nil
}

// shownRoot is how paths under root are shown in reports and the summary:
// relative to the working directory when root is inside it (what code
// scanning, editors and a CI job's checkout expect: `dir src` reports
// src/app.py), "" for the working directory itself. A root outside it is
// shown as given when several roots are scanned (`dir /a /b` must not
// report a/x and b/x both as x), and not at all when it is the only one.
// Paths rules and allowlists see, and fingerprints, stay relative to the
// root, so a tree's own config and ignore file hold wherever it is
// scanned from.
func (s *Source) shownRoot(root string) string {
	r := filepath.Clean(root)
	inside := !filepath.IsAbs(r)
	if wd, err := os.Getwd(); err == nil {
		abs, err := filepath.Abs(r)
		if err == nil {
			if rel, err := filepath.Rel(wd, abs); err == nil {
				inside = rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
				if inside {
					r = rel
				}
			}
		}
	}
	if !inside && len(s.opts.Paths) == 1 {
		return ""
	}
	if r == "." {
		return ""
	}
	return filepath.ToSlash(r)
}

func (s *Source) walk(ctx context.Context, root, shown string, jobs chan<- job, sink source.Sink) error {
	info, err := os.Stat(root) // the root itself may be a symlink the user chose
	if err != nil {
		return fmt.Errorf("scan %s: %w", root, err)
	}
	if !info.IsDir() {
		return s.send(ctx, jobs, job{path: root, rel: filepath.ToSlash(filepath.Clean(root)), named: true})
	}
	// filepath.WalkDir never follows symbolic links, so a link out of the
	// tree or a link loop can't take the walk anywhere: links are counted
	// as skipped. Their targets inside the tree are scanned where they are.
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		rel, relErr := filepath.Rel(root, path)
		if relErr != nil {
			rel = path
		}
		rel = filepath.ToSlash(rel)
		if err != nil {
			sink.Problem(joinShown(shown, rel), err)
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if rel == "." {
			return nil
		}
		switch t := d.Type(); {
		case t&fs.ModeSymlink != 0:
			sink.Skip(joinShown(shown, rel), "symlink")
			return nil
		case d.IsDir():
			if s.ex.excluded(rel, true) {
				sink.Skip(joinShown(shown, rel), "excluded")
				return fs.SkipDir
			}
			return nil
		case !t.IsRegular():
			sink.Skip(joinShown(shown, rel), "not a regular file")
			return nil
		}
		if s.ex.excluded(rel, false) {
			sink.Skip(joinShown(shown, rel), "excluded")
			return nil
		}
		// The size is read by the worker (fstat on the open file), not
		// here: the walk is one goroutine, and a stat per file in it would
		// serialise what the workers do in parallel.
		return s.send(ctx, jobs, job{path: path, rel: rel, root: shown})
	})
}

func (s *Source) send(ctx context.Context, jobs chan<- job, j job) error {
	select {
	case jobs <- j:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// joinShown is a path as reports show it.
func joinShown(shown, rel string) string {
	if shown == "" {
		return rel
	}
	return shown + "/" + rel
}

// firstRead is the size of a file's first read: the whole of most source
// files, so the read that follows the head's is saved.
const firstRead = 16 << 10

var firstReads = sync.Pool{New: func() any { b := make([]byte, firstRead); return &b }}

func (s *Source) scanFile(ctx context.Context, j job, sink source.Sink) {
	shown := joinShown(j.root, j.rel)
	if ctx.Err() != nil {
		return
	}
	f, err := openFile(j.path)
	if err != nil {
		sink.Problem(shown, err)
		return
	}
	defer f.Close()
	size, regular, err := f.size()
	if err != nil {
		sink.Problem(shown, err)
		return
	}
	if !regular {
		// Only what the user named may be a pipe or a device: anything
		// else was a regular file when the walk saw it, and is skipped
		// rather than read (a FIFO put in its place would never end).
		if !j.named {
			sink.Skip(shown, "not a regular file")
			return
		}
		if err := f.block(); err != nil {
			sink.Problem(shown, err)
			return
		}
	}
	// A pipe or device named on the command line, or a file the kernel
	// gives no size (procfs), is read to its end; its size is unknown.
	sized := regular && size > 0
	if !sized {
		size = -1
	}
	// The head decides whether the file is an archive; read with plain
	// reads (no seek back), it is then the start of the content. It is
	// read in one piece as large as most source files, so most files
	// take one read.
	hp := firstReads.Get().(*[]byte)
	defer firstReads.Put(hp)
	head := *hp
	if sized {
		head = head[:min(int64(len(head)), size)]
	} else {
		head = head[:source.HeadLen]
	}
	n, err := io.ReadFull(f, head)
	head = head[:n]
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		sink.Problem(shown, fmt.Errorf("read: %w", err))
		return
	}
	origin := finding.Origin{Kind: "file", Path: j.rel, Root: j.root}
	if s.opts.Archive != nil && sized {
		ok, err := s.opts.Archive(ctx, f, head, size, origin, sink)
		if err != nil {
			sink.Problem(shown, err)
		}
		if ok || err != nil {
			return
		}
	}
	// The size cap is for plain files: an archive over it was entered above
	// under the archive's own byte budget.
	if max := s.opts.MaxFileSize; max > 0 && size > max {
		sink.Skip(shown, source.ReasonTooLarge)
		return
	}
	// Read to the size fstat gave: the read that would only say EOF is
	// saved (one syscall per file). A file that grows meanwhile is scanned
	// as it was when opened.
	var r io.Reader = f
	if sized {
		r = io.LimitReader(f, size-int64(len(head)))
	}
	if len(head) > 0 {
		r = io.MultiReader(bytes.NewReader(head), r)
	}
	n64, err := source.ReadChunks(ctx, r, origin, s.opts.Options, sink)
	var skip *source.SkipError
	switch {
	case errors.As(err, &skip):
		sink.Skip(shown, skip.Reason)
	case err != nil && ctx.Err() == nil:
		sink.Problem(shown, fmt.Errorf("read: %w", err))
	case err == nil:
		sink.Item(n64)
	}
}
