package source

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"sort"
	"sync"

	"github.com/leakhound/leakhound/finding"
)

// MinRun is the shortest printable run taken out of a binary. A secret
// is longer, and shorter runs in machine code and tables are noise.
const MinRun = 8

// printable marks the bytes a printable run is made of: printable ASCII,
// tab and line ends (text embedded in a binary keeps its lines together).
var printable = func() (t [256]bool) {
	for b := 0x20; b < 0x7f; b++ {
		t[b] = true
	}
	t['\t'], t['\n'], t['\r'] = true, true, true
	return t
}()

// noRun marks the bytes that can be in no run: neither printable nor NUL.
var noRun = func() (t [256]bool) {
	for b := range t {
		t[b] = !printable[b] && b != 0
	}
	return t
}()

// runReader reads the printable strings of a binary, as strings(1) finds
// them: runs of at least MinRun printable ASCII bytes, and runs of at
// least MinRun printable ASCII characters in UTF-16LE (each followed by a
// NUL, as `strings -el` finds them: Windows resources and .NET binaries
// hold their strings so). Each run is followed by a newline, and a span
// places it in the item. Memory is one input buffer, whatever the input.
type runReader struct {
	ctx   context.Context
	r     io.Reader
	spans *spanQueue
	raw   []byte
	rawp  *[]byte // raw's pooled buffer (see release)
	lo    int     // raw[lo:hi] is input not yet looked at
	hi    int     //
	base  int64   // item offset of raw[0]
	out   int64   // bytes of output so far
	mode  uint8
	nl    bool // a newline is owed after the run that ended
	eof   bool // r has ended
	err   error
}

const (
	outside uint8 = iota // between runs
	inASCII
	inWide // UTF-16LE
)

// runInput is the input buffer's size.
const runInput = 64 << 10

// runBuffers recycles input buffers: a tree holds many small binaries,
// and a fresh 64 KiB each cost more than scanning the small ones.
var runBuffers = sync.Pool{New: func() any { b := make([]byte, runInput); return &b }}

func newRunReader(ctx context.Context, r io.Reader, spans *spanQueue) *runReader {
	bp := runBuffers.Get().(*[]byte)
	return &runReader{ctx: ctx, r: r, spans: spans, raw: *bp, rawp: bp}
}

// release gives the input buffer back; the reader is not used after.
func (rr *runReader) release() {
	if rr.rawp != nil {
		runBuffers.Put(rr.rawp)
		rr.rawp, rr.raw = nil, nil
	}
}

// more reads input after keeping raw[keep:hi] (moved to the start); it
// returns false at the end of the input or on an error.
func (rr *runReader) more(keep int) bool {
	if rr.eof || rr.err != nil {
		return false
	}
	if err := rr.ctx.Err(); err != nil {
		rr.err = err
		return false
	}
	n := copy(rr.raw, rr.raw[keep:rr.hi])
	rr.base += int64(keep)
	rr.lo -= keep
	rr.hi = n
	for {
		m, err := rr.r.Read(rr.raw[rr.hi:])
		rr.hi += m
		if err == io.EOF {
			rr.eof = true
			return m > 0
		}
		if err != nil {
			rr.err = err
			return m > 0
		}
		if m > 0 {
			return true
		}
	}
}

func (rr *runReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if rr.nl {
			p[n] = '\n'
			n++
			rr.out++
			rr.nl = false
			continue
		}
		switch rr.mode {
		case inASCII:
			i, lim := rr.lo, min(rr.hi, rr.lo+len(p)-n)
			for i < lim && printable[rr.raw[i]] {
				i++
			}
			n += copy(p[n:], rr.raw[rr.lo:i])
			rr.out += int64(i - rr.lo)
			rr.lo = i
			switch {
			case i < rr.hi && !printable[rr.raw[i]]:
				rr.mode, rr.nl = outside, true
			case i == rr.hi && !rr.more(rr.hi):
				rr.mode, rr.nl = outside, true
			}
		case inWide:
			i := rr.lo
			for i+1 < rr.hi && n < len(p) && printable[rr.raw[i]] && rr.raw[i+1] == 0 {
				p[n] = rr.raw[i]
				n++
				i += 2
			}
			rr.out += int64(i-rr.lo) / 2
			rr.lo = i
			switch {
			case n == len(p):
			case i+1 >= rr.hi:
				// Half a character or none left: read on, keeping it.
				if !rr.more(i) {
					rr.mode, rr.nl = outside, true
					rr.lo = rr.hi // a lone trailing byte ends the input
				}
			default:
				rr.mode, rr.nl = outside, true
			}
		default:
			if !rr.next() {
				if n > 0 {
					return n, nil
				}
				if rr.err != nil {
					return 0, rr.err
				}
				return 0, io.EOF
			}
		}
	}
	return n, nil
}

// next finds where the next run starts and enters it; false at the end
// of the input.
func (rr *runReader) next() bool {
	for {
		i, hi, raw := rr.lo, rr.hi, rr.raw
		// Most of a binary is skipped eight bytes at a time. A run that
		// starts in raw[i:i+8] and is long enough covers raw[i+7] with a
		// printable byte (ASCII) or a printable byte or NUL (UTF-16LE),
		// so when raw[i+7] is neither, none starts there. Zero padding is
		// skipped by the word: no run starts in eight NULs.
		// Long zero stretches (sparse holes, padding, zeroed sections)
		// go a kilobyte at a time, compared with vector instructions.
		for i+len(zeroBlock) <= hi && bytes.Equal(raw[i:i+len(zeroBlock)], zeroBlock[:]) {
			i += len(zeroBlock)
		}
		for i+32 <= hi && binary.LittleEndian.Uint64(raw[i:])|binary.LittleEndian.Uint64(raw[i+8:])|
			binary.LittleEndian.Uint64(raw[i+16:])|binary.LittleEndian.Uint64(raw[i+24:]) == 0 {
			i += 32
		}
		for i+8 <= hi {
			if noRun[raw[i+7]] || !mayPrint(binary.LittleEndian.Uint64(raw[i:])) {
				i += 8
				continue
			}
			break
		}
		for i < hi && !printable[raw[i]] {
			i++
		}
		if i == hi {
			rr.lo = hi
			if !rr.more(hi) {
				return false
			}
			continue
		}
		j := i + 1
		for j < hi && printable[raw[j]] {
			j++
		}
		if j-i >= MinRun {
			if !rr.spans.add(rr.out, rr.base+int64(i), 1) {
				rr.err = ErrTooManySpans
				return false
			}
			rr.lo, rr.mode = i, inASCII
			return true
		}
		if j == hi && !rr.eof {
			// A run cut by the end of the buffer: read on, keeping it,
			// and look again. At the end of the input it is too short.
			rr.lo = i
			if !rr.more(i) {
				rr.lo = rr.hi
			}
			continue
		}
		if j < hi && raw[j] == 0 {
			// A run's last character followed by a NUL may start a
			// UTF-16LE string.
			w := j - 1
			k := w
			for k+1 < hi && k-w < 2*MinRun && printable[raw[k]] && raw[k+1] == 0 {
				k += 2
			}
			if k-w >= 2*MinRun {
				if !rr.spans.add(rr.out, rr.base+int64(w), 2) {
					rr.err = ErrTooManySpans
					return false
				}
				rr.lo, rr.mode = w, inWide
				return true
			}
			if k+1 >= hi && !rr.eof {
				// Cut by the end of the buffer: the same.
				rr.lo = w
				if !rr.more(w) {
					rr.lo = rr.hi
				}
				continue
			}
		}
		rr.lo = j
	}
}

// zeroBlock is what next compares long zero stretches with.
var zeroBlock [1024]byte

// mayPrint reports whether any of the eight bytes of x is in 0x09..0x7e,
// the range holding every printable byte (a superset: some bytes in it
// are not printable, and are then looked at one by one).
func mayPrint(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	// Bit twiddling hacks' hasbetween(x, 8, 127): a byte b with 8 < b < 127.
	low := x &^ highs
	return ((ones*(127+127))-low)&^x&(low+ones*(127-8))&highs != 0
}

// ErrTooManySpans is Decode's error for content with more spans than it
// holds; the caller scans the content with ReadChunks instead.
var ErrTooManySpans = errors.New("too many spans to hold")

// maxHeldSpans bounds the spans Decode holds (24 bytes each): a hostile
// blob of 32 MiB made of 8-byte runs, or of ASCII and other characters in
// turn, would have millions.
const maxHeldSpans = 1 << 20

// Decode returns content held in memory, of the class Classify gave it,
// as ReadChunks scans it: text as it is (no spans), UTF-16 and UTF-32
// decoded, a binary's printable strings (each run followed by a newline),
// with the spans that place the result in data (At counts from its
// start). Callers that compare versions of an item line by line (git) use
// it; the result is at most twice as long as data.
func Decode(ctx context.Context, data []byte, class Class) ([]byte, []finding.Span, error) {
	return decode(ctx, data, class, maxHeldSpans)
}

func decode(ctx context.Context, data []byte, class Class, maxSpans int) ([]byte, []finding.Span, error) {
	q := &spanQueue{max: maxSpans}
	var r io.Reader
	switch class {
	case Text:
		return data, nil, nil
	case Media:
		return nil, nil, errors.New("media holds no text")
	case Binary:
		rr := newRunReader(ctx, bytes.NewReader(data), q)
		defer rr.release()
		r = rr
	default:
		r = newUnicodeReader(bytes.NewReader(data), class, q)
	}
	text, err := io.ReadAll(r)
	if err == nil && q.over {
		err = ErrTooManySpans
	}
	if err != nil {
		return nil, nil, err
	}
	spans := make([]finding.Span, len(q.s))
	for i, s := range q.s {
		spans[i] = finding.Span{At: int(s.at), Offset: s.offset, Width: s.width}
	}
	return text, spans, nil
}

// SpansIn appends to out the spans of text[start:start+n] (spans as
// Decode returns them), placed relative to start.
func SpansIn(spans []finding.Span, start, n int, out []finding.Span) []finding.Span {
	// The last span starting at or before start.
	i := sort.Search(len(spans), func(i int) bool { return spans[i].At > start }) - 1
	for i = max(i, 0); i < len(spans) && spans[i].At < start+n; i++ {
		s := spans[i]
		if s.At < start {
			s.Offset += int64(start-s.At) * int64(s.Width)
			s.At = start
		}
		s.At -= start
		out = append(out, s)
	}
	return out
}
