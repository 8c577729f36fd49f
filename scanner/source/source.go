// Package source defines what every content source (directories, stdin,
// git history, images, archives) gives the scanner, and the shared pieces
// they use to give it: chunking with overlap and the binary policy.
package source

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"

	"github.com/leakhound/leakhound/finding"
)

// Source walks a target and yields its content.
type Source interface {
	// Scan calls sink for every chunk of content and every item skipped or
	// failed. It may call sink methods from several goroutines at once.
	// It returns only errors that stop the whole scan (the target does not
	// exist); per-item errors go to sink.Problem and the walk goes on.
	Scan(ctx context.Context, sink Sink) error
}

// TargetError is an error in what the user asked to scan, found before
// anything was scanned: a path that does not exist, a directory that is
// not a repository, an unknown revision, a file that is not an image. It
// is the user's to fix (exit 2), unlike a failure to reach or read a
// target that exists (a clone or registry that fails, exit 3). Every
// source returns this one type, so no wrapper is needed to tell them
// apart.
type TargetError struct {
	Target string
	Err    error
}

func (e *TargetError) Error() string {
	if e.Target == "" {
		return e.Err.Error()
	}
	return e.Target + ": " + e.Err.Error()
}

func (e *TargetError) Unwrap() error { return e.Err }

// Annotator is a Source that learns things about a finding's place only
// once the whole target has been walked (an image's later layer deleting a
// file). The scanner calls Annotate on every finding after Scan returns.
type Annotator interface {
	Annotate(f *finding.Finding)
}

// Sink receives what a source yields. Implementations must be safe for
// concurrent use.
type Sink interface {
	// Chunk hands over content to scan; it blocks while the scanner is
	// busy (backpressure). The sink does not keep Data after returning,
	// so a source may reuse the buffer.
	Chunk(c finding.Chunk)
	// Item records that one whole item (file, blob, entry) was scanned.
	Item(size int64)
	// Skip records an item left out on purpose, with a reason such as
	// "binary", "too large", "excluded", "symlink".
	Skip(path, reason string)
	// Problem records an item that could not be scanned.
	Problem(path string, err error)
}

// Options every source honours.
type Options struct {
	// MaxFileSize skips items larger than this many bytes (0: no limit).
	MaxFileSize int64
	// ChunkSize is the size of the pieces large items are cut into.
	ChunkSize int
	// Overlap is the number of bytes consecutive chunks share.
	Overlap int
	// ScanBinary scans items the binary policy would skip.
	ScanBinary bool
}

// DefaultChunkSize is large enough that nearly every file is one chunk and
// small enough that in-flight memory stays a few MiB per worker.
const DefaultChunkSize = 1 << 20

// HeadLen is how many leading bytes of an item sources read first to tell
// an archive from plain content.
const HeadLen = 512

// sniffLen is how much of an item the binary policy looks at.
const sniffLen = 8000

// IsBinary is the binary policy: content whose first 8000 bytes hold a NUL
// byte, or are mostly not text, is binary. It is one value-level decision,
// like git's and ripgrep's, so every source agrees on it.
func IsBinary(head []byte) bool {
	if len(head) > sniffLen {
		head = head[:sniffLen]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	// Text, UTF-8 or not (Latin-1 and other 8-bit text is common in old
	// files), is rarely more than a tenth control bytes.
	ctrl := 0
	for _, b := range head {
		ctrl += int(controlByte[b])
	}
	return ctrl*10 > len(head)
}

// controlByte is 1 for the control bytes text does not use (a table: this
// runs over the head of every file).
var controlByte = func() (t [256]uint8) {
	for b := 0; b < 0x20; b++ {
		switch b {
		case '\n', '\r', '\t', '\f', 0x1b:
		default:
			t[b] = 1
		}
	}
	return t
}()

// buffers recycles chunk buffers: most items are small, and allocating a
// full chunk buffer per file would churn memory on trees of many files.
var buffers sync.Pool

func getBuffer(n int) *[]byte {
	if bp, ok := buffers.Get().(*[]byte); ok && cap(*bp) >= n {
		return bp
	}
	b := make([]byte, 0, n)
	return &b
}

func putBuffer(bp *[]byte) { buffers.Put(bp) }

// ErrBinary is reported through Skip, never as a problem.
var ErrBinary = errors.New("binary")

// ReadChunks reads r to the end and hands it to sink in chunks of
// opts.ChunkSize that overlap by opts.Overlap bytes, cutting at a newline
// where one is near so line numbers and columns stay exact. The first
// chunk is checked against the binary policy; a binary item returns
// ErrBinary before any chunk is sent. It returns the number of bytes read.
func ReadChunks(ctx context.Context, r io.Reader, origin finding.Origin, opts Options, sink Sink) (int64, error) {
	size := opts.ChunkSize
	if size <= 0 {
		size = DefaultChunkSize
	}
	overlap := opts.Overlap
	if overlap >= size/2 {
		overlap = size / 2
	}
	bp := getBuffer(size + overlap)
	defer putBuffer(bp)
	buf := (*bp)[: 0 : size+overlap]
	var (
		offset   int64 // offset of buf[0] in the input
		lineBase int
		colBase  int
		total    int64
		first    = true
	)
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		// Fill the buffer up to size+overlap bytes.
		n, err := fill(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		total += int64(n)
		eof := err == io.EOF
		if err != nil && !eof {
			return total, err
		}
		if first {
			first = false
			if !opts.ScanBinary && IsBinary(buf) {
				return total, ErrBinary
			}
		}
		if eof {
			if len(buf) > 0 {
				sink.Chunk(finding.Chunk{Origin: origin, Data: buf, Offset: offset, LineBase: lineBase, ColumnBase: colBase})
			}
			return total, nil
		}
		// Cut after the last newline in the final quarter of the chunk, so
		// the next chunk starts at a line start.
		cut := size
		if i := bytes.LastIndexByte(buf[size-size/4:size], '\n'); i >= 0 {
			cut = size - size/4 + i + 1
		}
		tail := len(buf) - cut
		if tail > overlap {
			tail = overlap
		}
		sink.Chunk(finding.Chunk{Origin: origin, Data: buf[:cut+tail], Offset: offset, LineBase: lineBase, ColumnBase: colBase, Tail: tail})
		lineBase += bytes.Count(buf[:cut], []byte{'\n'})
		if nl := bytes.LastIndexByte(buf[:cut], '\n'); nl >= 0 {
			colBase = cut - nl - 1
		} else {
			colBase += cut
		}
		offset += int64(cut)
		rest := copy(buf, buf[cut:])
		buf = buf[:rest]
	}
}

// fill reads into b until it is full or r ends. Unlike io.ReadFull it
// passes on every error of r unchanged, so a truncated stream (a reader
// failing with io.ErrUnexpectedEOF) is an error, not a clean end; r's own
// io.EOF is returned as io.EOF.
func fill(r io.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
