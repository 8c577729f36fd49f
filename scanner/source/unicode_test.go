package source

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/leakhound/leakhound/finding"
)

func TestUnicodeDecoded(t *testing.T) {
	t.Parallel()
	// Lines of ASCII, Latin-1, CJK and a character outside the BMP (a
	// surrogate pair in UTF-16), long enough to span several chunks.
	var text strings.Builder
	for i := 0; text.Len() < 20000; i++ {
		text.WriteString("line with key_" + strings.Repeat("x", i%7) + " gr\u00fc\u00df \u4f60\u597d \U0001F511 end\r\n")
	}
	want := text.String()
	type enc struct {
		name  string
		data  []byte
		class Class
		width int
	}
	encs := []enc{
		{"utf-16le", utf16Bytes(want, false, true), UTF16LE, 2},
		{"utf-16be", utf16Bytes(want, true, true), UTF16BE, 2},
		{"utf-16le no bom", utf16Bytes(strings.Repeat("plain ascii line\r\n", 1000), false, false), UTF16LE, 2},
		{"utf-32le", utf32Bytes(want, false), UTF32LE, 4},
		{"utf-32be", utf32Bytes(want, true), UTF32BE, 4},
	}
	for _, e := range encs {
		if c, _ := Classify(e.data); c != e.class {
			t.Fatalf("%s: classified %v", e.name, c)
		}
		wantText := want
		if e.name == "utf-16le no bom" {
			wantText = strings.Repeat("plain ascii line\r\n", 1000)
		}
		for _, wrap := range []func(io.Reader) io.Reader{func(r io.Reader) io.Reader { return r }, iotest.OneByteReader} {
			rec := &spanRecorder{}
			n, err := ReadChunks(context.Background(), wrap(bytes.NewReader(e.data)), finding.Origin{}, Options{ChunkSize: 1024, Overlap: 64}, rec)
			if err != nil || n != int64(len(e.data)) {
				t.Fatalf("%s: n=%d err=%v", e.name, n, err)
			}
			got := rec.own(t)
			if string(got) != wantText {
				t.Fatalf("%s: decoded text differs at byte %d", e.name, firstDiff(string(got), wantText))
			}
			lines := 0
			for _, c := range rec.chunks {
				if c.NoLines || c.LineBase != lines {
					t.Fatalf("%s: chunk at %d: line base %d, want %d (no lines %v)", e.name, c.Offset, c.LineBase, lines, c.NoLines)
				}
				lines += bytes.Count(c.Data[:len(c.Data)-c.Tail], []byte{'\n'})
			}
			// Every ASCII character maps to its own code unit in the
			// input; the item offset of "k" in each "key_" is checked.
			bom := e.width
			if e.name == "utf-16le no bom" {
				bom = 0
			}
			for p := 0; p < len(got); {
				i := bytes.Index(got[p:], []byte("key_"))
				if i < 0 {
					break
				}
				p += i
				chars := utf8.RuneCount(got[:p])
				// Characters outside the BMP take two UTF-16 units.
				extra := 0
				if e.width == 2 {
					extra = strings.Count(string(got[:p]), "\U0001F511")
				}
				wantOff := int64(bom + (chars+extra)*e.width)
				if off := rec.itemOffset(t, int64(p)); off != wantOff {
					t.Fatalf("%s: \"key_\" at decoded %d maps to item offset %d, want %d", e.name, p, off, wantOff)
				}
				p++
			}
		}
	}
}

func TestUnicodeOddEnd(t *testing.T) {
	t.Parallel()
	// A trailing odd byte and a lone surrogate don't stop the decoding.
	in := append(utf16Bytes("secret line one\nline two", false, true), 0x00, 0xd8)
	in = append(in, utf16Bytes(" after\n", false, false)...)
	in = append(in, 'x')
	rec := &spanRecorder{}
	if _, err := ReadChunks(context.Background(), bytes.NewReader(in), finding.Origin{}, Options{}, rec); err != nil {
		t.Fatal(err)
	}
	if got, want := string(rec.own(t)), "secret line one\nline two\ufffd after\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDecodeUnicode(t *testing.T) {
	t.Parallel()
	text := strings.Repeat("gr\u00fc\u00dfe key_x \u4f60\u597d\r\n", 500)
	data := utf16Bytes(text, true, true)
	got, spans, err := Decode(context.Background(), data, UTF16BE)
	if err != nil || string(got) != text {
		t.Fatalf("decoded %d bytes, err %v", len(got), err)
	}
	// "key_" of line k starts after k lines of 16 code units and "grüße ".
	for k, p := 0, 0; ; k++ {
		i := bytes.Index(got[p:], []byte("key_"))
		if i < 0 {
			break
		}
		p += i
		c := finding.Chunk{Spans: SpansIn(spans, p, 4, nil)}
		if off, want := c.ItemOffset(0), int64(2+2*(16*k+6)); off != want {
			t.Fatalf("line %d: key_ at item offset %d, want %d", k+1, off, want)
		}
		p++
	}
	// ASCII and other characters in turn, a span each: refused past the
	// limit rather than held.
	many := utf16Bytes(strings.Repeat("a\u00e9", 600), false, true)
	if _, _, err := decode(context.Background(), many, UTF16LE, 1000); err != ErrTooManySpans {
		t.Errorf("err %v, want too many spans", err)
	}
	if got, spans, err := Decode(context.Background(), []byte("plain"), Text); err != nil || string(got) != "plain" || spans != nil {
		t.Errorf("text: %q %v %v", got, spans, err)
	}
}
