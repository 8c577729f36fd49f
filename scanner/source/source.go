// Package source defines what every content source (directories, stdin,
// git history, images, archives) gives the scanner, and the shared pieces
// they use to give it: chunking with overlap, and the content policy
// (Classify) that decides how an item is read: as text, decoded from
// UTF-16, as a binary's printable strings, or not at all (media).
package source

import (
	"bytes"
	"context"
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
	// MaxFileSize skips items larger than this many bytes (0: no limit,
	// the default: large items are read in chunks, in bounded memory).
	MaxFileSize int64
	// ChunkSize is the size of the pieces large items are cut into.
	ChunkSize int
	// Overlap is the number of bytes consecutive chunks share.
	Overlap int
	// AsText reads content as text without classifying it: the caller
	// has classified the whole item already (git scans the new lines of a
	// changed text blob as parts of it).
	AsText bool
}

// DefaultChunkSize is large enough that nearly every file is one chunk and
// small enough that in-flight memory stays a few MiB per worker.
const DefaultChunkSize = 1 << 20

// HeadLen is how many leading bytes of an item sources read first to tell
// an archive from plain content.
const HeadLen = 512

// ReasonTooLarge is the skip reason of items over Options.MaxFileSize.
const ReasonTooLarge = "too large"

// SkipError says an item was left out on purpose, and why; sources pass
// the reason to Sink.Skip. It is never a problem.
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return "skipped: " + e.Reason }

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

// ReadChunks reads r to the end and hands it to sink in chunks of
// opts.ChunkSize that overlap by opts.Overlap bytes, cutting at a newline
// where one is near so line numbers and columns stay exact. What is
// chunked depends on the content's class (Classify, on the first chunk):
// text as it is; UTF-16 and UTF-32 text decoded to UTF-8; a binary's
// printable strings, with no lines; media that can't hold text is not read
// further and a *SkipError names its kind. Chunks of decoded or extracted
// content carry Spans that place them in the item. It returns the number
// of bytes read from r.
func ReadChunks(ctx context.Context, r io.Reader, origin finding.Origin, opts Options, sink Sink) (int64, error) {
	size := opts.ChunkSize
	if size <= 0 {
		size = DefaultChunkSize
	}
	overlap := opts.Overlap
	if overlap >= size/2 {
		overlap = size / 2
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	bp := getBuffer(size + overlap)
	defer putBuffer(bp)
	buf := (*bp)[: 0 : size+overlap]
	n, err := fill(r, buf[:cap(buf)])
	buf = buf[:n]
	eof := err == io.EOF
	if err != nil && !eof {
		return int64(n), err
	}
	class, kind := Text, ""
	if !opts.AsText {
		class, kind = Classify(buf)
	}
	cr := &CountingReader{R: r, N: int64(n)}
	c := &chunker{origin: origin, size: size, overlap: overlap, sink: sink}
	switch class {
	case Text:
		err := c.run(ctx, cr, buf, eof)
		return cr.N, err
	case Media:
		// Not read further: a video's gigabytes hold no text.
		return cr.N, &SkipError{Reason: "media: " + kind}
	}
	// Decoded or extracted content is chunked from a buffer of its own;
	// the raw input is the first chunk's bytes and the rest of r.
	var raw io.Reader = bytes.NewReader(buf)
	if !eof {
		raw = io.MultiReader(raw, cr)
	}
	c.spans = &spanQueue{}
	var dec io.Reader
	switch class {
	case UTF16LE, UTF16BE, UTF32LE, UTF32BE:
		dec = newUnicodeReader(raw, class, c.spans)
	default:
		rr := newRunReader(ctx, raw, c.spans)
		defer rr.release()
		dec = rr
		c.noLines = true
	}
	dp := getBuffer(size + overlap)
	defer putBuffer(dp)
	err = c.run(ctx, dec, (*dp)[:0:size+overlap], false)
	return cr.N, err
}

// chunker cuts one item's content into chunks for a sink.
type chunker struct {
	origin        finding.Origin
	size, overlap int
	sink          Sink
	// noLines marks the chunks as having no lines (extracted strings).
	noLines bool
	// spans place content in the item when it was decoded or extracted;
	// nil when the content is the item's bytes.
	spans   *spanQueue
	spanBuf []finding.Span
}

// run reads r to the end into buf (cap: chunk size plus overlap), which
// may already hold the content's first bytes; eof says r has ended.
func (c *chunker) run(ctx context.Context, r io.Reader, buf []byte, eof bool) error {
	size, overlap := c.size, c.overlap
	var (
		offset   int64 // offset of buf[0] in the content
		lineBase int
		colBase  int
	)
	for {
		if !eof && len(buf) < cap(buf) {
			if err := ctx.Err(); err != nil {
				return err
			}
			// Fill the buffer up to size+overlap bytes.
			n, err := fill(r, buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			eof = err == io.EOF
			if err != nil && !eof {
				return err
			}
		}
		if eof {
			if len(buf) > 0 {
				c.emit(buf, offset, lineBase, colBase, 0)
			}
			return nil
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
		c.emit(buf[:cut+tail], offset, lineBase, colBase, tail)
		lineBase += bytes.Count(buf[:cut], []byte{'\n'})
		if nl := bytes.LastIndexByte(buf[:cut], '\n'); nl >= 0 {
			colBase = cut - nl - 1
		} else {
			colBase += cut
		}
		offset += int64(cut)
		if c.spans != nil {
			c.spans.drop(offset)
		}
		rest := copy(buf, buf[cut:])
		buf = buf[:rest]
	}
}

func (c *chunker) emit(data []byte, offset int64, lineBase, colBase, tail int) {
	ch := finding.Chunk{Origin: c.origin, Data: data, Offset: offset, LineBase: lineBase, ColumnBase: colBase, Tail: tail, NoLines: c.noLines}
	if c.spans != nil {
		c.spanBuf = c.spans.slice(offset, len(data), c.spanBuf[:0])
		ch.Spans = c.spanBuf
	}
	c.sink.Chunk(ch)
}

// CountingReader counts the bytes read through it.
type CountingReader struct {
	R io.Reader
	N int64
}

func (c *CountingReader) Read(p []byte) (int, error) {
	n, err := c.R.Read(p)
	c.N += int64(n)
	return n, err
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
