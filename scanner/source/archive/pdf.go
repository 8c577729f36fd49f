package archive

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/klauspost/compress/flate"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/scanner/source"
)

// A PDF's text is mostly in Flate-compressed streams: page content
// (the text drawn), object streams (annotations, form fields, link URIs,
// metadata), embedded files. A PDF is scanned twice over: its raw bytes
// as any content (uncompressed objects, the document information), and
// every Flate stream inflated, as a member named after its object, e.g.
// "report.pdf!/12 0 obj". Image streams are pixels and are not inflated.

// pdfLookBack is how far before a "stream" keyword its dictionary is
// looked for. Stream dictionaries are short; a longer one is not read.
const pdfLookBack = 4096

// pdfWindow is how much of a PDF is searched for streams at a time.
const pdfWindow = 1 << 20

var (
	pdfStream  = []byte("stream")
	pdfEncrypt = []byte("/Encrypt")
)

// pdf scans a PDF at origin: its raw content, then its Flate streams as
// members at depth (inflated only when depth is within the archive
// depth limit).
func (w *walker) pdf(r io.Reader, ra io.ReaderAt, size int64, origin finding.Origin, depth int) error {
	if ra == nil {
		var cleanup func()
		var err error
		ra, size, cleanup, err = w.spool(r, "pdf")
		if err != nil {
			return err
		}
		defer cleanup()
	}
	n, err := source.ReadChunks(w.ctx, io.NewSectionReader(ra, 0, size), origin, w.opts.Options, w.sink)
	var skip *source.SkipError
	switch {
	case errors.As(err, &skip):
		w.sink.Skip(display(origin), skip.Reason)
	case err != nil:
		return fmt.Errorf("read: %w", err)
	default:
		w.sink.Item(n)
	}
	if depth > w.opts.Depth {
		w.sink.Skip(display(origin), "pdf streams nested deeper than the archive depth limit")
		return nil
	}
	if pdfEncrypted(ra, size) {
		// Encrypted streams inflate to nothing; what the raw pass saw is
		// all there is to scan.
		w.sink.Skip(display(origin), "encrypted pdf streams")
		return nil
	}
	p := &pdfScan{w: w, ra: ra, size: size, origin: origin, depth: depth}
	return p.streams()
}

// pdfEncrypted looks for the /Encrypt entry of a trailer at either end of
// the file (the start for linearized files).
func pdfEncrypted(ra io.ReaderAt, size int64) bool {
	const edge = 64 << 10
	buf := make([]byte, min(size, edge))
	for _, off := range []int64{0, max(0, size-edge)} {
		n, _ := ra.ReadAt(buf, off)
		if bytes.Contains(buf[:n], pdfEncrypt) {
			return true
		}
	}
	return false
}

// pdfScan walks one PDF's streams.
type pdfScan struct {
	w        *walker
	ra       io.ReaderAt
	size     int64
	origin   finding.Origin
	depth    int
	inflated int64
	limitErr *limitError
	failed   int
	firstErr error
}

// limit is the error of a PDF whose streams inflate past MaxPDFInflate
// (Options), one value so it is reported once.
func (p *pdfScan) limit() *limitError {
	if p.limitErr == nil {
		p.limitErr = &limitError{msg: fmt.Sprintf("pdf streams inflate to more than %d bytes (limit); the rest are not scanned", p.w.opts.MaxPDFInflate)}
	}
	return p.limitErr
}

func (p *pdfScan) streams() error {
	buf := make([]byte, pdfLookBack+pdfWindow)
	// buf[:keep] repeats the end of the previous window: the dictionaries
	// of streams near a window's start, and keywords cut in two.
	keep := 0
	next := int64(0) // keywords before this file offset are done
	for base := int64(0); ; {
		if p.w.ctx.Err() != nil || p.w.stopped {
			return nil
		}
		n, err := p.ra.ReadAt(buf[keep:], base)
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read: %w", err)
		}
		win := buf[:keep+n]
		winStart := base - int64(keep) // file offset of win[0]
		last := base+int64(n) >= p.size
		for i := 0; ; {
			j := bytes.Index(win[i:], pdfStream)
			if j < 0 {
				break
			}
			at := i + j
			i = at + len(pdfStream)
			if winStart+int64(at) < next {
				continue
			}
			if !last && at+len(pdfStream)+2 > len(win) {
				break // its line end is in the next window
			}
			next = winStart + int64(i)
			if err := p.stream(win, at, winStart); err != nil {
				return err
			}
		}
		if last || n == 0 {
			break
		}
		base += int64(n)
		keep = min(len(win), pdfLookBack)
		copy(buf, win[len(win)-keep:])
	}
	if p.failed > 0 {
		p.w.sink.Problem(display(p.origin), fmt.Errorf("%d Flate streams could not be inflated to their end (first: %w); what was inflated was scanned", p.failed, p.firstErr))
	}
	return nil
}

// stream looks at the "stream" keyword at win[at] and, when it opens a
// Flate stream that is no image, scans the stream inflated.
func (p *pdfScan) stream(win []byte, at int, winStart int64) error {
	if at >= 3 && string(win[at-3:at]) == "end" {
		return nil // "endstream"
	}
	// The keyword is followed by CRLF or LF (CR alone from some writers).
	data := at + len(pdfStream)
	switch {
	case data+1 < len(win) && win[data] == '\r' && win[data+1] == '\n':
		data += 2
	case data < len(win) && (win[data] == '\n' || win[data] == '\r'):
		data++
	default:
		return nil
	}
	// The dictionary ends with ">>" just before the keyword.
	head := bytes.TrimRight(win[max(0, at-pdfLookBack):at], " \t\r\n\f\x00")
	if !bytes.HasSuffix(head, []byte(">>")) {
		return nil
	}
	objAt := bytes.LastIndex(head, []byte("obj"))
	if objAt < 0 {
		return nil
	}
	dict := head[objAt+3:]
	if !flateFirst(dict) {
		return nil
	}
	name := objectName(head[:objAt])
	if name == "" {
		name = "stream at " + strconv.FormatInt(winStart+int64(data), 10)
	}
	mo := memberOrigin(p.origin, name)
	if pdfName(dict, "/Subtype", "/Image") {
		p.w.sink.Skip(display(mo), "media: pdf image")
		return nil
	}
	if !p.w.countEntry(p.origin) {
		return nil
	}
	if p.inflated >= p.w.opts.MaxPDFInflate {
		return p.limit()
	}
	off := winStart + int64(data)
	cr := &source.CountingReader{R: io.NewSectionReader(p.ra, off, p.size-off)}
	// The zlib header, when there is one, is skipped and the checksum
	// not checked: many PDFs end their streams early or oddly, and what
	// inflates is what is scanned.
	var hdr [2]byte
	if n, _ := io.ReadFull(cr, hdr[:]); n < 2 {
		return nil
	}
	var in io.Reader = cr
	if hdr[0]&0x0f != 8 || (uint16(hdr[0])<<8|uint16(hdr[1]))%31 != 0 {
		in = io.MultiReader(bytes.NewReader(hdr[:]), cr) // raw deflate
	}
	fr := flate.NewReader(in)
	defer fr.Close()
	q := &quietReader{r: fr}
	rr := &ratioReader{r: q, compressed: func() int64 { return cr.N }, opts: &p.w.opts}
	lr := &pdfLimit{r: rr, p: p}
	br := getReader(lr)
	p.w.member(br, -1, mo, p.depth)
	putReader(br)
	if p.inflated >= p.w.opts.MaxPDFInflate {
		return p.limit()
	}
	if q.err != nil {
		p.failed++
		if p.firstErr == nil {
			p.firstErr = fmt.Errorf("%s: %w", name, q.err)
		}
	}
	return nil
}

// flateFirst reports whether a stream dictionary's first filter is
// FlateDecode: /Filter /FlateDecode or /Filter [/FlateDecode ...].
func flateFirst(dict []byte) bool {
	i := bytes.Index(dict, []byte("/Filter"))
	if i < 0 {
		return false
	}
	rest := bytes.TrimLeft(dict[i+len("/Filter"):], " \t\r\n\f[")
	return bytes.HasPrefix(rest, []byte("/FlateDecode"))
}

// pdfName reports whether a dictionary maps key to the name value.
func pdfName(dict []byte, key, value string) bool {
	i := bytes.Index(dict, []byte(key))
	if i < 0 {
		return false
	}
	rest := bytes.TrimLeft(dict[i+len(key):], " \t\r\n\f")
	return bytes.HasPrefix(rest, []byte(value)) &&
		(len(rest) == len(value) || !isNameByte(rest[len(value)]))
}

func isNameByte(c byte) bool {
	return c > ' ' && c < 0x7f && !bytes.ContainsRune([]byte("/[]<>(){}%"), rune(c))
}

// objectName turns the text before "obj" ("... 12 0 ") into "12 0 obj",
// or "" when it does not end with two numbers.
func objectName(b []byte) string {
	b = bytes.TrimRight(b, " \t\r\n\f")
	gen := lastNumber(b)
	if gen == "" {
		return ""
	}
	b = bytes.TrimRight(b[:len(b)-len(gen)], " \t\r\n\f")
	num := lastNumber(b)
	if num == "" {
		return ""
	}
	return num + " " + gen + " obj"
}

func lastNumber(b []byte) string {
	i := len(b)
	for i > 0 && b[i-1] >= '0' && b[i-1] <= '9' {
		i--
	}
	if i == len(b) || len(b)-i > 10 {
		return ""
	}
	return string(b[i:])
}

// quietReader ends a stream at its first error, keeping the error: the
// inflated bytes before a corrupt spot are scanned, and the failures of
// one PDF are reported together.
type quietReader struct {
	r   io.Reader
	err error
}

func (q *quietReader) Read(b []byte) (int, error) {
	if q.err != nil {
		return 0, io.EOF
	}
	n, err := q.r.Read(b)
	if err != nil && err != io.EOF {
		q.err = err
		err = io.EOF
	}
	return n, err
}

// pdfLimit counts a PDF's inflated bytes against its limit.
type pdfLimit struct {
	r io.Reader
	p *pdfScan
}

func (l *pdfLimit) Read(b []byte) (int, error) {
	if rem := l.p.w.opts.MaxPDFInflate - l.p.inflated; rem <= 0 {
		return 0, l.p.limit()
	} else if int64(len(b)) > rem {
		b = b[:rem]
	}
	n, err := l.r.Read(b)
	l.p.inflated += int64(n)
	return n, err
}
