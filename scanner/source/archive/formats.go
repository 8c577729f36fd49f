package archive

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/bzip2"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/scanner/source"
)

// zip scans a zip archive. Without random access (ra nil) the zip is first
// held in memory or spooled to a temporary file.
func (w *walker) zip(r io.Reader, ra io.ReaderAt, size int64, origin finding.Origin, depth int) error {
	if ra == nil {
		var cleanup func()
		var err error
		ra, size, cleanup, err = w.spool(r, "zip archive")
		if err != nil {
			return err
		}
		defer cleanup()
	}
	// archive/zip reads the whole central directory up front; refuse one
	// that declares more entries than the budget has left before it does.
	if n, ok := zipEntryCount(ra, size); ok && n > uint64(w.opts.MaxEntries-w.entries) {
		w.stopped = true
		w.sink.Problem(Chain(origin), fmt.Errorf("zip archive declares %d entries, over the limit of %d; not scanned", n, w.opts.MaxEntries))
		return nil
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		w.plainFallback(ra, size, origin)
		return fmt.Errorf("corrupt zip archive: %w", err)
	}
	// klauspost's inflate is about twice as fast as the standard library's.
	zr.RegisterDecompressor(zip.Deflate, func(r io.Reader) io.ReadCloser { return flate.NewReader(r) })
	for _, f := range zr.File {
		if w.ctx.Err() != nil || w.stopped {
			return nil
		}
		if !w.countEntry(origin) {
			return nil
		}
		if strings.HasSuffix(f.Name, "/") || f.Mode().IsDir() {
			continue
		}
		mo := memberOrigin(origin, w.checkName(origin, f.Name))
		switch {
		case f.Mode()&fs.ModeSymlink != 0:
			w.sink.Skip(display(mo), "symlink")
			continue
		case f.Flags&0x1 != 0:
			w.sink.Skip(display(mo), "encrypted")
			continue
		}
		// The declared sizes are checked by archive/zip as the member is
		// read, so a bomb can't hide behind a small declared size.
		comp := int64(f.CompressedSize64)
		unc := int64(min(f.UncompressedSize64, 1<<62))
		if unc > w.opts.ratioFrom(unc) && float64(unc) > w.opts.MaxRatio*float64(max(comp, 1)) {
			w.sink.Problem(display(mo), fmt.Errorf("compression ratio %.0f:1 is over the %.0f:1 limit (zip bomb?); member not scanned",
				float64(unc)/float64(max(comp, 1)), w.opts.MaxRatio))
			continue
		}
		rc, err := f.Open()
		if err != nil {
			w.report(mo, fmt.Errorf("open member: %w", err))
			continue
		}
		rr := &ratioReader{r: rc, compressed: func() int64 { return comp }, opts: &w.opts, declared: unc}
		br := getReader(rr)
		w.member(br, int64(f.UncompressedSize64), mo, depth)
		putReader(br)
		rc.Close()
	}
	return nil
}

// plainFallback reads a would-be zip that can't be opened as one as plain
// content: a file that starts with a zip's magic bytes and holds anything
// else (a truncated upload, a hostile tree's "bad.zip") must not hide a
// secret from the scan. The caller still reports the archive as corrupt.
func (w *walker) plainFallback(ra io.ReaderAt, size int64, origin finding.Origin) {
	br := getReader(io.NewSectionReader(ra, 0, size))
	defer putReader(br)
	_, err := source.ReadChunks(w.ctx, br, origin, w.opts.Options, w.sink)
	var skip *source.SkipError
	if err != nil && !errors.As(err, &skip) && w.ctx.Err() == nil {
		w.sink.Problem(display(origin), fmt.Errorf("read as plain content: %w", err))
	}
}

// spool makes a zip or a PDF (what) read from a stream randomly
// accessible: in memory up to MaxZipMemory bytes, else in a temporary
// file removed afterwards. The spool is bounded by the archive byte
// budget.
func (w *walker) spool(r io.Reader, what string) (io.ReaderAt, int64, func(), error) {
	limit := w.opts.MaxZipMemory
	buf, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, 0, nil, fmt.Errorf("read %s: %w", what, err)
	}
	if int64(len(buf)) <= limit {
		return bytes.NewReader(buf), int64(len(buf)), func() {}, nil
	}
	f, err := os.CreateTemp(w.opts.TempDir, "leakhound-spool-*")
	if err != nil {
		return nil, 0, nil, fmt.Errorf("spool %s: %w", what, err)
	}
	cleanup := func() {
		f.Close()
		os.Remove(f.Name())
	}
	if _, err := f.Write(buf); err != nil {
		cleanup()
		return nil, 0, nil, fmt.Errorf("spool %s: %w", what, err)
	}
	buf = nil
	rest := w.opts.MaxBytes - limit
	n, err := io.Copy(f, io.LimitReader(r, rest+1))
	if err != nil {
		cleanup()
		var le *limitError
		if errors.As(err, &le) {
			return nil, 0, nil, err
		}
		return nil, 0, nil, fmt.Errorf("spool %s: %w", what, err)
	}
	if n > rest {
		cleanup()
		return nil, 0, nil, &limitError{total: true, msg: fmt.Sprintf("%s larger than %d bytes (limit); not scanned", what, w.opts.MaxBytes)}
	}
	return f, limit + 1 + n, cleanup, nil
}

// tar scans a tar archive, reading it once, in order.
func (w *walker) tar(r io.Reader, origin finding.Origin, depth int) error {
	in := &source.CountingReader{R: r}
	tr := tar.NewReader(in)
	for {
		if w.ctx.Err() != nil || w.stopped {
			return nil
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			var le *limitError
			if errors.As(err, &le) {
				return err
			}
			return fmt.Errorf("corrupt tar archive: %w", err)
		}
		if !w.countEntry(origin) {
			return nil
		}
		switch hdr.Typeflag {
		case tar.TypeReg, tar.TypeGNUSparse:
		case tar.TypeSymlink:
			w.sink.Skip(display(memberOrigin(origin, hdr.Name)), "symlink")
			continue
		case tar.TypeLink:
			// The content is scanned under the name it was first stored as.
			w.sink.Skip(display(memberOrigin(origin, hdr.Name)), "hard link")
			continue
		default:
			continue // directories, devices, fifos
		}
		mo := memberOrigin(origin, w.checkName(origin, hdr.Name))
		br := getReader(&holeReader{tr: tr, in: in, w: w})
		w.member(br, hdr.Size, mo, depth)
		putReader(br)
	}
}

// holeReader reads a tar member and gives the archive's byte budget back
// the zeros the tar reader fills a sparse member's holes with: they were
// never stored, and a sparse member of a few kilobytes that declares
// gigabytes of holes must not use up the budget and leave every member
// after it unscanned. A hole is the part of a read that took nothing
// from the tar's input. Holes have their own cap (MaxHoleBytes).
type holeReader struct {
	tr *tar.Reader
	in *source.CountingReader // the tar reader's input
	w  *walker
}

func (h *holeReader) Read(p []byte) (int, error) {
	before := h.in.N
	n, err := h.tr.Read(p)
	holes := int64(n) - (h.in.N - before)
	if holes <= 0 {
		return n, err
	}
	h.w.holes += holes
	if h.w.holes > h.w.opts.MaxHoleBytes {
		return 0, &limitError{msg: fmt.Sprintf("sparse file holes over %d bytes in this archive (limit); the rest of the member is not scanned", h.w.opts.MaxHoleBytes)}
	}
	// The budget reader above counts all n bytes once they are read
	// through the member's buffer.
	h.w.bytes -= holes
	return n, err
}

// stream scans a compressed stream: a compressed tar is entered as one
// archive level ("logs.tar.gz!/app.log"); anything else is one member
// named after the stream less its extension ("app.log.gz!/app.log").
func (w *walker) stream(f Format, r io.Reader, origin finding.Origin, depth int) error {
	cr := &source.CountingReader{R: r}
	var dec io.Reader
	var declared int64
	switch f {
	case Gzip:
		gz, err := gzip.NewReader(cr)
		if err != nil {
			return fmt.Errorf("corrupt gzip stream: %w", err)
		}
		defer gz.Close()
		dec = gz
	case Bzip2:
		dec = bzip2.NewReader(cr)
	case Xz:
		xr, err := xz.NewReader(cr)
		if err != nil {
			return fmt.Errorf("corrupt xz stream: %w", err)
		}
		dec = xr
	case Zstd:
		// A frame that states its size (zstd writes it by default) is
		// held to the ratio check only past that size.
		if pk, ok := r.(interface{ Peek(int) ([]byte, error) }); ok {
			var h zstd.Header
			if b, _ := pk.Peek(zstd.HeaderMaxSize); h.Decode(b) == nil && h.HasFCS {
				declared = int64(min(h.FrameContentSize, 1<<62))
			}
		}
		zr, err := zstd.NewReader(cr, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(128<<20))
		if err != nil {
			return fmt.Errorf("corrupt zstd stream: %w", err)
		}
		defer zr.Close()
		dec = zr
	default:
		return fmt.Errorf("unsupported format %s", f)
	}
	rr := &ratioReader{r: &truncReader{r: dec, format: f}, compressed: func() int64 { return cr.N }, opts: &w.opts, declared: declared}
	br := bufio.NewReaderSize(rr, 4096)
	head, err := br.Peek(HeadLen)
	if len(head) < HeadLen && err != nil && !errors.Is(err, io.EOF) {
		var le *limitError
		if errors.As(err, &le) {
			return err
		}
		return fmt.Errorf("corrupt %s stream: %w", f, err)
	}
	if isTar(head) {
		return w.tar(br, origin, depth)
	}
	if !w.countEntry(origin) {
		return nil
	}
	w.member(br, -1, memberOrigin(origin, innerName(origin.Path, f)), depth)
	return nil
}

// innerName names what a compressed stream holds: its own name less the
// compression extension.
func innerName(p string, f Format) string {
	base := path.Base(strings.ReplaceAll(p, "\\", "/"))
	lower := strings.ToLower(base)
	var exts [][2]string
	switch f {
	case Gzip:
		exts = [][2]string{{".tgz", ".tar"}, {".gz", ""}, {".gzip", ""}}
	case Bzip2:
		exts = [][2]string{{".tbz2", ".tar"}, {".tbz", ".tar"}, {".bz2", ""}}
	case Xz:
		exts = [][2]string{{".txz", ".tar"}, {".xz", ""}}
	case Zstd:
		exts = [][2]string{{".tzst", ".tar"}, {".zst", ""}, {".zstd", ""}}
	}
	for _, e := range exts {
		if strings.HasSuffix(lower, e[0]) && len(base) > len(e[0]) {
			return base[:len(base)-len(e[0])] + e[1]
		}
	}
	if base == "." || base == "/" || base == "" {
		return "content"
	}
	return base
}

// truncReader turns a decompressor's io.ErrUnexpectedEOF into an error of
// its own: source.ReadChunks, like io.ReadFull, takes an unexpected EOF for
// the plain end of a short input, and a truncated stream must be reported.
type truncReader struct {
	r      io.Reader
	format Format
}

func (t *truncReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("corrupt %s stream: truncated (unexpected end of data)", t.format)
	}
	return n, err
}

// zipEntryCount reads the entry count from a zip's end of central
// directory record (zip64 too). ok is false when there is none to read;
// archive/zip then says what is wrong.
func zipEntryCount(ra io.ReaderAt, size int64) (n uint64, ok bool) {
	const eocdLen, maxComment = 22, 65535
	tailLen := min(size, eocdLen+maxComment)
	tail := make([]byte, tailLen)
	if _, err := ra.ReadAt(tail, size-tailLen); err != nil && !errors.Is(err, io.EOF) {
		return 0, false
	}
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 || len(tail)-i < eocdLen {
		return 0, false
	}
	n = uint64(binary.LittleEndian.Uint16(tail[i+10:]))
	if n != 0xffff {
		return n, true
	}
	// Zip64: the locator just before the record points at the zip64 record.
	loc := int64(i) + size - tailLen - 20
	if loc < 0 {
		return 0, false
	}
	l := make([]byte, 20)
	if _, err := ra.ReadAt(l, loc); err != nil || !bytes.HasPrefix(l, []byte("PK\x06\x07")) {
		return 0, false
	}
	off := int64(binary.LittleEndian.Uint64(l[8:]))
	rec := make([]byte, 56)
	if off < 0 || off > size-56 {
		return 0, false
	}
	if _, err := ra.ReadAt(rec, off); err != nil || !bytes.HasPrefix(rec, []byte("PK\x06\x06")) {
		return 0, false
	}
	return binary.LittleEndian.Uint64(rec[32:]), true
}
