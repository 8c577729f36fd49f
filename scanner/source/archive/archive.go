// Package archive enters archives wherever a source meets them (files on
// disk, image layers, standard input, git blobs): zip and its Java and
// Office flavours, tar, and gzip, bzip2, xz and zstd streams, nested up to
// a depth limit, and the Flate streams of PDFs. Every member's content goes
// to the sink as chunks whose Origin names the archive chain and the path
// inside it.
//
// Archives are hostile input. Each top-level archive has a budget of
// decompressed bytes and of entries, each member a compression-ratio limit
// (zip bombs), and member names that are absolute or climb out with ".."
// are reported. Every limit hit is reported through the sink with the
// archive and member named, and the rest of the scan goes on; nothing here
// writes members to disk.
//
// Zip needs random access to its central directory. A zip on disk is read
// in place; a zip met inside a stream (a jar in a tar, a zip in an image
// layer) is held in memory when it is at most Options.MaxZipMemory bytes
// (default 32 MiB) and otherwise spooled to an unlinked temporary file,
// bounded by the archive's byte budget.
package archive

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/scanner/source"
)

// Defaults for Options fields left zero.
const (
	DefaultDepth         = 3
	DefaultMaxBytes      = 1 << 30
	DefaultMaxEntries    = 100_000
	DefaultMaxRatio      = 100
	DefaultRatioMinBytes = 1 << 20
	DefaultMaxZipMemory  = 32 << 20
	DefaultMaxPDFInflate = 64 << 20
	DefaultMaxHoleBytes  = 8 << 30
)

// Options configure how archives are entered. Zero fields take the
// defaults above.
type Options struct {
	source.Options
	// Depth is how many archive levels are entered: 3 enters an archive,
	// an archive inside it and one inside that. Negative: archives are not
	// entered at all (Scan returns false; Content reads them as plain
	// content, whose printable strings are scanned).
	Depth int
	// MaxBytes caps the decompressed bytes read from one top-level archive,
	// nested archives included.
	MaxBytes int64
	// MaxEntries caps the members of one top-level archive, nested
	// archives included.
	MaxEntries int
	// MaxRatio is the largest decompressed:compressed ratio allowed for a
	// member once it has produced more than RatioMinBytes.
	MaxRatio      float64
	RatioMinBytes int64
	// MaxZipMemory is the largest zip held in memory when it has to be
	// read from a stream; larger ones are spooled to a temporary file in
	// TempDir (default os.TempDir()).
	MaxZipMemory int64
	TempDir      string
	// MaxPDFInflate caps the bytes inflated from one PDF's streams.
	MaxPDFInflate int64
	// MaxHoleBytes caps the zeros read from the holes of sparse tar
	// members in one top-level archive. Holes are not counted against
	// MaxBytes (they stand for no stored byte), but reading them is still
	// a pass over zeros, about a second for 8 GiB.
	MaxHoleBytes int64
}

func (o Options) withDefaults() Options {
	if o.Depth == 0 {
		o.Depth = DefaultDepth
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxEntries <= 0 {
		o.MaxEntries = DefaultMaxEntries
	}
	if o.MaxRatio <= 0 {
		o.MaxRatio = DefaultMaxRatio
	}
	if o.RatioMinBytes <= 0 {
		o.RatioMinBytes = DefaultRatioMinBytes
	}
	if o.MaxZipMemory <= 0 {
		o.MaxZipMemory = DefaultMaxZipMemory
	}
	if o.MaxPDFInflate <= 0 {
		o.MaxPDFInflate = DefaultMaxPDFInflate
	}
	if o.MaxHoleBytes <= 0 {
		o.MaxHoleBytes = DefaultMaxHoleBytes
	}
	return o
}

// Format is an archive or compression format.
type Format int

// Formats recognised by Detect.
const (
	None Format = iota
	Zip
	Tar
	Gzip
	Bzip2
	Xz
	Zstd
	// Pdf is entered for its Flate streams (see pdf).
	Pdf
)

func (f Format) String() string {
	switch f {
	case Zip:
		return "zip"
	case Tar:
		return "tar"
	case Gzip:
		return "gzip"
	case Bzip2:
		return "bzip2"
	case Xz:
		return "xz"
	case Zstd:
		return "zstd"
	case Pdf:
		return "pdf"
	}
	return "none"
}

// HeadLen is how many leading bytes Detect needs to see.
const HeadLen = source.HeadLen

// Detect tells the format of content from its first bytes (HeadLen is
// enough). Magic bytes decide, not names: a .jar that is not a zip is
// scanned as what it is, and a zip named .dat is still entered. Tar has
// no magic in its oldest form, so a valid header checksum also counts.
func Detect(head []byte) Format {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return Zip
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b, 0x08}):
		return Gzip
	case len(head) >= 10 && bytes.HasPrefix(head, []byte("BZh")) && head[3] >= '1' && head[3] <= '9' &&
		(bytes.Equal(head[4:10], []byte{0x31, 0x41, 0x59, 0x26, 0x53, 0x59}) || bytes.Equal(head[4:10], []byte{0x17, 0x72, 0x45, 0x38, 0x50, 0x90})):
		return Bzip2
	case bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}):
		return Xz
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return Zstd
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return Pdf
	case isTar(head):
		return Tar
	}
	return None
}

// isTar checks a tar header block: the ustar magic, or for old v7 archives
// a non-empty name and a valid header checksum.
func isTar(head []byte) bool {
	if len(head) < 512 {
		return false
	}
	if bytes.HasPrefix(head[257:], []byte("ustar")) {
		return true
	}
	if head[0] == 0 {
		return false
	}
	field := strings.TrimRight(strings.TrimSpace(string(bytes.TrimRight(head[148:156], "\x00 "))), "\x00")
	want, err := strconv.ParseInt(field, 8, 64)
	if err != nil || field == "" {
		return false
	}
	var sum int64
	for i, b := range head[:512] {
		if i >= 148 && i < 156 {
			b = ' '
		}
		sum += int64(b)
	}
	return sum == want
}

// Scan enters r if it is an archive and scans every member, reporting
// through sink. When r is not an archive (or opts.Depth is negative) Scan
// returns false and has consumed nothing: the head is only peeked, so the
// caller can read r as plain content. The error is non-nil only when the
// archive itself can't be read (corrupt, truncated); the caller reports it
// under the archive's own path. Problems with members are reported through
// sink directly. A cancelled ctx ends the scan quietly.
func Scan(ctx context.Context, r *bufio.Reader, origin finding.Origin, opts Options, sink source.Sink) (bool, error) {
	opts = opts.withDefaults()
	if opts.Depth < 0 {
		return false, nil
	}
	head, _ := r.Peek(HeadLen)
	f := Detect(head)
	if f == None {
		return false, nil
	}
	w := &walker{ctx: ctx, opts: opts, sink: sink}
	return true, w.result(w.enter(f, r, nil, -1, origin, 1))
}

// ScanFile is Scan for a file on disk (or anything read at offsets): head
// holds the file's first bytes (up to HeadLen, fewer for a shorter file),
// which the caller has read already, and size its size. A zip is read in
// place, with no copy; everything is read with ReadAt. Its signature after
// binding opts fits dir.Options.Archive.
func ScanFile(ctx context.Context, r io.ReaderAt, head []byte, size int64, origin finding.Origin, opts Options, sink source.Sink) (bool, error) {
	opts = opts.withDefaults()
	if opts.Depth < 0 {
		return false, nil
	}
	format := Detect(head)
	if format == None {
		return false, nil
	}
	w := &walker{ctx: ctx, opts: opts, sink: sink}
	sr := io.NewSectionReader(r, 0, size)
	return true, w.result(w.enter(format, bufio.NewReaderSize(sr, 32<<10), sr, size, origin, 1))
}

// result is what Scan returns for the error enter returned: nothing when
// the scan was cancelled or the error was a limit already reported.
func (w *walker) result(err error) error {
	if err == nil || w.ctx.Err() != nil {
		return nil
	}
	var le *limitError
	if errors.As(err, &le) && le == w.lastLimit {
		return nil
	}
	return err
}

// Hook returns ScanFile bound to opts, the shape dir.Options.Archive takes.
func Hook(opts Options) func(ctx context.Context, r io.ReaderAt, head []byte, size int64, origin finding.Origin, sink source.Sink) (bool, error) {
	return func(ctx context.Context, r io.ReaderAt, head []byte, size int64, origin finding.Origin, sink source.Sink) (bool, error) {
		return ScanFile(ctx, r, head, size, origin, opts, sink)
	}
}

// Content scans one item whatever it is: an archive is entered, anything
// else is read as plain content under the size and content policies. size
// is the item's size, or -1 when unknown. Everything is reported through
// sink (Item, Skip, Problem); sources that meet content in a stream (image
// layers, standard input, git blobs) call this.
func Content(ctx context.Context, r io.Reader, size int64, origin finding.Origin, opts Options, sink source.Sink) {
	w := &walker{ctx: ctx, opts: opts.withDefaults(), sink: sink}
	// Content already in memory or on disk (a *bytes.Reader, a
	// *io.SectionReader) gives a zip random access without a copy.
	if ra, ok := r.(interface {
		io.ReaderAt
		Size() int64
	}); ok && w.opts.Depth >= 0 {
		var head [HeadLen]byte
		n, _ := ra.ReadAt(head[:], 0)
		if f := Detect(head[:n]); f == Zip || f == Pdf {
			if err := w.enter(f, nil, ra, ra.Size(), origin, 1); err != nil {
				w.report(origin, err)
			}
			return
		}
	}
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = getReader(r)
		defer putReader(br)
	}
	w.member(br, size, origin, 0)
}

// readers recycles the small buffered readers every member is peeked
// through: images and jars hold tens of thousands of small files.
var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}

func getReader(r io.Reader) *bufio.Reader {
	br := readers.Get().(*bufio.Reader)
	br.Reset(r)
	return br
}

func putReader(br *bufio.Reader) {
	br.Reset(nil)
	readers.Put(br)
}

// Chain is the archive chain for the members of the archive at origin:
// "app.jar" for a top-level app.jar, "app.jar!/lib/x.jar" for a jar in it.
func Chain(origin finding.Origin) string {
	if origin.Archive == "" {
		return origin.Path
	}
	return origin.Archive + "!/" + strings.TrimPrefix(origin.Path, "/")
}

// display is how a member is named in skips and problems.
func display(origin finding.Origin) string {
	return Chain(origin)
}

// limitError is a hostile-archive limit that was hit.
type limitError struct {
	msg string
	// total is set when the whole top-level archive must stop.
	total bool
}

func (e *limitError) Error() string { return e.msg }

// walker scans one top-level item and everything nested in it.
type walker struct {
	ctx     context.Context
	opts    Options
	sink    source.Sink
	bytes   int64 // decompressed bytes read inside archives
	holes   int64 // zeros read from sparse tar members' holes
	entries int
	stopped bool // a limit ended the whole archive
	// lastLimit is the last limit error reported.
	lastLimit *limitError
	budgetErr *limitError
}

// member scans one item met at depth (0: not inside an archive): enters it
// when it is an archive, reads it as plain content otherwise.
func (w *walker) member(r *bufio.Reader, size int64, origin finding.Origin, depth int) {
	if w.ctx.Err() != nil || w.stopped {
		return
	}
	if depth > 0 {
		// Count every byte read from inside an archive against the budget.
		r = getReader(&budgetReader{r: r, w: w})
		defer putReader(r)
	}
	head, _ := r.Peek(HeadLen)
	if f := Detect(head); f != None && w.opts.Depth >= 0 {
		if depth >= w.opts.Depth && f != Pdf {
			w.sink.Skip(display(origin), "archive nested deeper than the archive depth limit")
			return
		}
		if err := w.enter(f, r, nil, size, origin, depth+1); err != nil {
			w.report(origin, err)
		}
		return
	}
	if max := w.opts.MaxFileSize; max > 0 && size > max {
		w.sink.Skip(display(origin), source.ReasonTooLarge)
		return
	}
	n, err := source.ReadChunks(w.ctx, r, origin, w.opts.Options, w.sink)
	var skip *source.SkipError
	switch {
	case errors.As(err, &skip):
		w.sink.Skip(display(origin), skip.Reason)
	case err != nil:
		w.report(origin, fmt.Errorf("read: %w", err))
	default:
		w.sink.Item(n)
	}
}

// report sends err for the item at origin to the sink, unless the scan was
// cancelled. A total-budget limit stops the whole archive.
func (w *walker) report(origin finding.Origin, err error) {
	if w.ctx.Err() != nil {
		return
	}
	var le *limitError
	if errors.As(err, &le) {
		// A limit error surfaces again in every reader above the one that
		// hit it (member, then its archive); report it once.
		if le == w.lastLimit {
			return
		}
		w.lastLimit = le
		if le.total {
			w.stopped = true
		}
		err = le
	}
	w.sink.Problem(display(origin), err)
}

// enter opens the archive at origin and scans its members at depth. ra and
// size give random access when the caller has it (a file on disk). The
// error is for the archive as a whole (it could not be opened or its
// structure is corrupt).
func (w *walker) enter(f Format, r *bufio.Reader, ra io.ReaderAt, size int64, origin finding.Origin, depth int) error {
	switch f {
	case Zip:
		return w.zip(r, ra, size, origin, depth)
	case Pdf:
		// Read whatever the depth: a PDF is content too, and past the
		// depth limit only its streams are left out.
		return w.pdf(r, ra, size, origin, depth)
	case Tar:
		return w.tar(r, origin, depth)
	default:
		return w.stream(f, r, origin, depth)
	}
}

// memberOrigin is the origin of the member called name inside the archive
// at parent.
func memberOrigin(parent finding.Origin, name string) finding.Origin {
	o := parent
	o.Archive = Chain(parent)
	o.Path = name
	return o
}

// cleanName turns a member name into a safe relative slash path, and says
// whether the name was unsafe (absolute, or climbing out with "..").
func cleanName(name string) (string, bool) {
	n := strings.ReplaceAll(name, "\\", "/")
	unsafe := strings.HasPrefix(n, "/") || (len(n) >= 2 && n[1] == ':')
	if len(n) >= 2 && n[1] == ':' {
		n = n[2:]
	}
	for _, seg := range strings.Split(n, "/") {
		if seg == ".." {
			unsafe = true
		}
	}
	c := strings.TrimPrefix(path.Clean("/"+n), "/")
	if c == "" {
		c = "."
	}
	return c, unsafe
}

// checkName reports an unsafe member name; the member is still scanned,
// under its cleaned name, since nothing is written to disk and a secret
// in it is still a secret.
func (w *walker) checkName(parent finding.Origin, raw string) string {
	clean, unsafe := cleanName(raw)
	if unsafe {
		w.sink.Problem(Chain(parent)+"!/"+raw, fmt.Errorf("unsafe member name (absolute or \"..\" path traversal); scanned as %q", clean))
	}
	return clean
}

// countEntry counts a member against the entry budget.
func (w *walker) countEntry(parent finding.Origin) bool {
	w.entries++
	if w.entries > w.opts.MaxEntries {
		w.stopped = true
		w.sink.Problem(Chain(parent), fmt.Errorf("more than %d archive entries; the rest of the archive is not scanned", w.opts.MaxEntries))
		return false
	}
	return true
}

// budgetReader counts decompressed bytes against the top-level archive's
// budget.
type budgetReader struct {
	r io.Reader
	w *walker
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.w.bytes >= b.w.opts.MaxBytes {
		if b.w.budgetErr == nil {
			b.w.budgetErr = &limitError{total: true, msg: fmt.Sprintf("archive decompresses to more than %d bytes (limit); the rest of it is not scanned", b.w.opts.MaxBytes)}
		}
		return 0, b.w.budgetErr
	}
	if rem := b.w.opts.MaxBytes - b.w.bytes; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := b.r.Read(p)
	b.w.bytes += int64(n)
	return n, err
}

// ratioReader stops a member whose output grows too far beyond its
// compressed input.
type ratioReader struct {
	r          io.Reader
	compressed func() int64
	out        int64
	opts       *Options
	err        *limitError
	// declared is the decompressed size the member states (a zip entry's
	// header, a zstd frame's), or 0 when it states none.
	declared int64
}

// declaredUnchecked is the largest stated size read without the ratio
// check up to that size. Compressible data (JSON, logs, test vectors)
// often passes 100:1 well within a few megabytes, and output bounded by
// its own declaration is no bomb; past it (a lying header, more frames)
// the ratio check applies as usual.
const declaredUnchecked = 8 << 20

// ratioFrom is the output size from which a member's ratio is checked,
// given the size it declares (0: none).
func (o *Options) ratioFrom(declared int64) int64 {
	from := o.RatioMinBytes
	if declared > 0 && declared <= declaredUnchecked {
		from = max(from, declared)
	}
	return from
}

func (rr *ratioReader) Read(p []byte) (int, error) {
	if rr.err != nil {
		return 0, rr.err
	}
	n, err := rr.r.Read(p)
	rr.out += int64(n)
	if rr.out > rr.opts.ratioFrom(rr.declared) {
		c := rr.compressed()
		if c < 1 {
			c = 1
		}
		if ratio := float64(rr.out) / float64(c); ratio > rr.opts.MaxRatio {
			rr.err = &limitError{msg: fmt.Sprintf("compression ratio over %.0f:1 after %d bytes (zip bomb?); the rest is not scanned", rr.opts.MaxRatio, rr.out)}
			return n, rr.err
		}
	}
	return n, err
}
