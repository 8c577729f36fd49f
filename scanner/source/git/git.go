package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/sourcegraph/conc/pool"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/scanner/source"
)

// Options configure a git scan.
type Options struct {
	source.Options
	// Path is a local repository: a work tree or a directory in one, a
	// .git directory, or a bare repository. Default ".".
	Path string
	// URL, when set instead of Path, is cloned (bare) and scanned.
	URL string
	// CloneDir keeps the clone of URL here (and updates it when it is
	// already one); by default the clone goes to a temporary directory
	// that is removed after the scan.
	CloneDir string

	// Range "A..B" scans the commits reachable from B and not from A, as
	// `git log A..B` lists them. An empty side means HEAD.
	Range string
	// Since leaves out commits committed before this time.
	Since time.Time
	// Branches, when set, replace all refs as starting points.
	Branches []string
	// MaxCommits keeps only the newest N selected commits (0: all).
	MaxCommits int
	// Staged scans what the index holds that HEAD does not, instead of
	// history.
	Staged bool

	// Workers is the number of blobs read and scanned at once (default
	// GOMAXPROCS).
	Workers int
	// CacheSize bounds the object cache shared by all readers, in bytes
	// (default 96 MiB).
	CacheSize int64
}

// DefaultCacheSize is the default bound of the shared object cache: enough
// to hold the delta bases of the files being read without growing with the
// repository.
const DefaultCacheSize = 96 << 20

// TargetError is an error in what the user asked to scan: a path that is
// not a repository, a revision or branch that does not exist. A failed
// clone is not one: the target may be fine and the network not.
type TargetError struct{ Err error }

func (e *TargetError) Error() string { return e.Err.Error() }
func (e *TargetError) Unwrap() error { return e.Err }

// Source scans a git repository.
type Source struct {
	opts Options
	repo string // as shown in Origin.Repository
}

// New checks the options and returns a git source.
func New(opts Options) (*Source, error) {
	if opts.Path != "" && opts.URL != "" {
		return nil, errors.New("give a path or a URL, not both")
	}
	if opts.Path == "" && opts.URL == "" {
		opts.Path = "."
	}
	if opts.Range != "" {
		if _, _, err := splitRange(opts.Range); err != nil {
			return nil, err
		}
	}
	if opts.MaxCommits < 0 {
		return nil, errors.New("max commits must not be negative")
	}
	if opts.Staged && (opts.Range != "" || !opts.Since.IsZero() || len(opts.Branches) > 0 || opts.MaxCommits > 0) {
		return nil, errors.New("staged scans the index: it can't be combined with a range, since, branches or max commits")
	}
	s := &Source{opts: opts, repo: opts.Path}
	if opts.URL != "" {
		s.repo = DisplayURL(opts.URL)
	}
	return s, nil
}

func splitRange(r string) (from, to string, err error) {
	if strings.Contains(r, "...") {
		return "", "", fmt.Errorf("range %q: symmetric ranges (A...B) are not supported; use A..B", r)
	}
	from, to, ok := strings.Cut(r, "..")
	if !ok {
		return "", "", fmt.Errorf("range %q: want A..B", r)
	}
	if from == "" {
		from = "HEAD"
	}
	if to == "" {
		to = "HEAD"
	}
	return from, to, nil
}

// Scan scans the repository's history, or its staged changes.
func (s *Source) Scan(ctx context.Context, sink source.Sink) error {
	path := s.opts.Path
	if s.opts.URL != "" {
		dir := s.opts.CloneDir
		if dir == "" {
			tmp, err := os.MkdirTemp("", "leakhound-clone-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			dir = tmp
		}
		if err := clone(ctx, s.opts.URL, dir); err != nil {
			return err
		}
		path = dir
	}
	r, err := openRepo(path)
	if err != nil {
		return &TargetError{err}
	}
	c := cache.NewObjectLRU(cache.FileSize(s.cacheSize()))
	if s.opts.Staged {
		return s.scanStaged(ctx, r, c, sink)
	}
	return s.scanHistory(ctx, r, c, sink)
}

func (s *Source) cacheSize() int64 {
	if s.opts.CacheSize > 0 {
		return s.opts.CacheSize
	}
	return DefaultCacheSize
}

func (s *Source) workers() int {
	if s.opts.Workers > 0 {
		return s.opts.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// meta is what a finding says about the commit that introduced its blob.
type meta struct {
	commit, author, email, message string
	date                           time.Time
}

// job is one blob to scan at one path.
type job struct {
	blob plumbing.Hash
	path string
	meta *meta
	// prev are the versions of the file at this path in the commit's
	// parents (or in HEAD, for a staged file): lines found there are not
	// new in this blob and are not scanned again.
	prev []plumbing.Hash
}

// runWorkers starts the blob readers and returns the channel to feed them
// and a function that closes it and waits for them.
func (s *Source) runWorkers(ctx context.Context, r *repo, c cache.Object, sink source.Sink) (chan<- job, func()) {
	n := s.workers()
	jobs := make(chan job, n*64)
	p := pool.New().WithMaxGoroutines(n)
	for i := 0; i < n; i++ {
		p.Go(func() {
			sto := r.storage(c)
			defer sto.Close()
			seed := maphash.MakeSeed()
			for j := range jobs {
				if ctx.Err() != nil {
					continue // drain
				}
				s.scanBlob(ctx, sto, seed, j, sink)
			}
		})
	}
	return jobs, func() {
		close(jobs)
		p.Wait()
	}
}

func (s *Source) scanBlob(ctx context.Context, sto *filesystem.Storage, seed maphash.Seed, j job, sink source.Sink) {
	where := func(err error) error {
		if j.meta.commit != "" {
			return fmt.Errorf("blob %s in commit %s: %w", j.blob, j.meta.commit, err)
		}
		return fmt.Errorf("blob %s: %w", j.blob, err)
	}
	max := s.opts.MaxFileSize
	if max > 0 {
		size, err := sto.EncodedObjectSize(j.blob)
		if err != nil {
			sink.Problem(j.path, where(err))
			return
		}
		if size > max {
			sink.Skip(j.path, "too large")
			return
		}
	}
	obj, err := sto.EncodedObject(plumbing.BlobObject, j.blob)
	if err != nil {
		sink.Problem(j.path, where(err))
		return
	}
	rd, err := obj.Reader()
	if err != nil {
		sink.Problem(j.path, where(err))
		return
	}
	defer rd.Close()
	origin := finding.Origin{
		Kind:       "git",
		Path:       j.path,
		Repository: s.repo,
		Commit:     j.meta.commit,
		Author:     j.meta.author,
		Email:      j.meta.email,
		Date:       j.meta.date,
		Message:    j.meta.message,
	}
	if len(j.prev) == 0 || (max == 0 && obj.Size() > diffLimit) {
		// A new file: scan all of it, streaming.
		n, err := source.ReadChunks(ctx, rd, origin, s.opts.Options, sink)
		switch {
		case errors.Is(err, source.ErrBinary):
			sink.Skip(j.path, "binary")
		case err != nil && ctx.Err() == nil:
			sink.Problem(j.path, where(err))
		case err == nil:
			sink.Item(n)
		}
		return
	}
	// A changed file: scan only the lines its previous versions lack.
	data, err := io.ReadAll(rd)
	if err != nil {
		sink.Problem(j.path, where(err))
		return
	}
	if !s.opts.ScanBinary && source.IsBinary(data) {
		sink.Skip(j.path, "binary")
		return
	}
	old := s.oldLines(sto, seed, j.prev)
	opts := s.opts.Options
	opts.ScanBinary = true // decided above, for the whole blob
	var err2 error
	forNewLines(data, seed, old, func(start, end int64, lineBase int) {
		if err2 != nil {
			return
		}
		sh := &shifted{Sink: sink, offset: start, lineBase: lineBase}
		_, err2 = source.ReadChunks(ctx, bytes.NewReader(data[start:end]), origin, opts, sh)
	})
	switch {
	case err2 != nil && ctx.Err() == nil:
		sink.Problem(j.path, where(err2))
	case err2 == nil:
		sink.Item(int64(len(data)))
	}
}

// diffLimit is the largest blob compared line by line with its previous
// versions when no size cap applies; bigger ones are scanned in full.
const diffLimit = 64 << 20

// oldLines hashes every line of the given blobs. A version that can't be
// read adds nothing, so its lines are scanned again rather than missed.
func (s *Source) oldLines(sto *filesystem.Storage, seed maphash.Seed, prev []plumbing.Hash) map[uint64]struct{} {
	set := map[uint64]struct{}{}
	for _, h := range prev {
		obj, err := sto.EncodedObject(plumbing.BlobObject, h)
		if err != nil || obj.Size() > diffLimit {
			continue
		}
		rd, err := obj.Reader()
		if err != nil {
			continue
		}
		data, err := io.ReadAll(rd)
		rd.Close()
		if err != nil {
			continue
		}
		for len(data) > 0 {
			i := bytes.IndexByte(data, '\n')
			line := data
			if i >= 0 {
				line, data = data[:i], data[i+1:]
			} else {
				data = nil
			}
			set[maphash.Bytes(seed, line)] = struct{}{}
		}
	}
	return set
}

// forNewLines calls fn for every run of consecutive lines of data not in
// old, with the run's byte range and the number of lines before it.
func forNewLines(data []byte, seed maphash.Seed, old map[uint64]struct{}, fn func(start, end int64, lineBase int)) {
	runStart, runLines := -1, 0
	line := 0
	for pos := 0; pos < len(data); line++ {
		end := len(data)
		next := end
		if i := bytes.IndexByte(data[pos:], '\n'); i >= 0 {
			end = pos + i
			next = end + 1
		}
		_, seen := old[maphash.Bytes(seed, data[pos:end])]
		switch {
		case !seen && runStart < 0:
			runStart, runLines = pos, line
		case seen && runStart >= 0:
			fn(int64(runStart), int64(pos), runLines)
			runStart = -1
		}
		pos = next
	}
	if runStart >= 0 {
		fn(int64(runStart), int64(len(data)), runLines)
	}
}

// shifted places the chunks of a part of a blob in the whole blob.
type shifted struct {
	source.Sink
	offset   int64
	lineBase int
}

func (s *shifted) Chunk(c finding.Chunk) {
	c.Offset += s.offset
	c.LineBase += s.lineBase
	s.Sink.Chunk(c)
}

// send hands a job to the workers unless the scan is cancelled.
func send(ctx context.Context, jobs chan<- job, j job) error {
	select {
	case jobs <- j:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
