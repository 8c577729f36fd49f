package source

import (
	"encoding/binary"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// unicodeReader decodes UTF-16 or UTF-32 text to UTF-8, dropping a
// leading byte-order mark, so it is scanned as the text it is: lines are
// the text's lines and columns count bytes of the decoded text (characters,
// on ASCII lines). Spans place the decoded text in the item: exactly for
// ASCII, which secrets are made of; an offset inside a stretch of other
// characters is that stretch's start.
type unicodeReader struct {
	r     io.Reader
	class Class
	width int // bytes per code unit
	spans *spanQueue
	raw   []byte
	lo    int
	hi    int
	base  int64 // item offset of raw[0]
	out   int64 // bytes of output so far
	ascii int8  // the stretch being written: 1 ASCII, 0 other, -1 none yet
	pend  []byte
	tmp   [utf8.UTFMax]byte
	eof   bool
	err   error
	first bool
}

func newUnicodeReader(r io.Reader, class Class, spans *spanQueue) *unicodeReader {
	w := 2
	if class == UTF32LE || class == UTF32BE {
		w = 4
	}
	return &unicodeReader{r: r, class: class, width: w, spans: spans, raw: make([]byte, runInput), ascii: -1, first: true}
}

// more reads input, keeping the unread raw[lo:hi]; false when there is no
// more.
func (u *unicodeReader) more() bool {
	if u.eof || u.err != nil {
		return false
	}
	n := copy(u.raw, u.raw[u.lo:u.hi])
	u.base += int64(u.lo)
	u.lo, u.hi = 0, n
	for {
		m, err := u.r.Read(u.raw[u.hi:])
		u.hi += m
		if err == io.EOF {
			u.eof = true
			return m > 0
		}
		if err != nil {
			u.err = err
			return m > 0
		}
		if m > 0 {
			return true
		}
	}
}

func (u *unicodeReader) unit(b []byte) rune {
	switch u.class {
	case UTF16LE:
		return rune(binary.LittleEndian.Uint16(b))
	case UTF16BE:
		return rune(binary.BigEndian.Uint16(b))
	case UTF32LE:
		return rune(binary.LittleEndian.Uint32(b))
	}
	return rune(binary.BigEndian.Uint32(b))
}

func (u *unicodeReader) Read(p []byte) (int, error) {
	n := copy(p, u.pend)
	u.pend = u.pend[n:]
	u.out += int64(n)
	for n < len(p) {
		// Two units at hand, for a surrogate pair.
		if u.hi-u.lo < 2*u.width && !u.eof && u.err == nil {
			u.more()
			continue
		}
		if u.hi-u.lo < u.width {
			// The end (a trailing odd byte is not a character).
			u.lo = u.hi
			if n > 0 {
				return n, nil
			}
			if u.err != nil {
				return 0, u.err
			}
			return 0, io.EOF
		}
		if u.first {
			u.first = false
			if u.unit(u.raw[u.lo:]) == 0xfeff {
				u.lo += u.width
				continue
			}
		}
		at := u.base + int64(u.lo)
		c := u.unit(u.raw[u.lo:])
		u.lo += u.width
		if c < utf8.RuneSelf {
			if u.ascii != 1 {
				if !u.spans.add(u.out, at, u.width) {
					return u.tooMany(n)
				}
				u.ascii = 1
			}
			p[n] = byte(c)
			n++
			u.out++
			continue
		}
		if u.ascii != 0 {
			if !u.spans.add(u.out, at, 0) {
				return u.tooMany(n)
			}
			u.ascii = 0
		}
		if u.width == 2 && utf16.IsSurrogate(c) {
			c2 := utf8.RuneError
			if u.hi-u.lo >= 2 {
				c2 = u.unit(u.raw[u.lo:])
			}
			if r := utf16.DecodeRune(c, c2); r != utf8.RuneError {
				c = r
				u.lo += 2
			} else {
				c = utf8.RuneError
			}
		}
		if !utf8.ValidRune(c) {
			c = utf8.RuneError
		}
		enc := utf8.AppendRune(u.tmp[:0], c)
		m := copy(p[n:], enc)
		n += m
		u.out += int64(m)
		u.pend = append(u.pend[:0], enc[m:]...)
	}
	return n, nil
}

// tooMany ends the decoding when the spans are more than Decode holds.
func (u *unicodeReader) tooMany(n int) (int, error) {
	u.err, u.eof = ErrTooManySpans, true
	u.lo = u.hi
	if n > 0 {
		return n, nil
	}
	return 0, u.err
}
