package detectors_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/scanner/source"
)

// TestFindingOffsets checks that every finding carries the byte offset
// of its secret in the item: in text (also across chunks and for decoded
// secrets), in UTF-16 text decoded for scanning, and in the strings of a
// binary, which have no lines.
func TestFindingOffsets(t *testing.T) {
	t.Parallel()
	e := testEngine(t, tokRule)
	s := tok()
	wide := func(text string) string {
		var b []byte
		for _, u := range utf16.Encode([]rune(text)) {
			b = binary.LittleEndian.AppendUint16(b, u)
		}
		return string(b)
	}
	filler := strings.Repeat("some filler text\n", 400) // past the first chunk
	cases := []struct {
		name    string
		content string
		offset  int
		line    int
	}{
		{"text", filler + "key = " + s + "\n", len(filler) + 6, 401},
		{"base64", filler + "key: " + base64.StdEncoding.EncodeToString([]byte("token="+s)) + "\n", len(filler) + 5, 401},
		{"utf-16le", "\xff\xfe" + wide("line one\r\nline two\r\nkey = "+s+"\r\n"), 2 + 2*len("line one\r\nline two\r\nkey = "), 3},
		{"binary", "\x7fELF\x02\x01\x01\x00\x00\x00\x01\x02" + strings.Repeat("\x00\x90\xff", 3000) + "key=" + s + "\x00\x01\x02", 12 + 9000 + 4, 0},
		{"binary utf-16", "MZ\x90\x00\x03\x00\x00\x00\x04\x00" + strings.Repeat("\x00\xe8\x01", 3000) + wide("token "+s) + "\x00\x00", 10 + 9000 + 2*6, 0},
	}
	for _, c := range cases {
		k := &sink{e: e}
		opts := source.Options{ChunkSize: 4096, Overlap: 512}
		if _, err := source.ReadChunks(context.Background(), strings.NewReader(c.content), finding.Origin{Path: c.name}, opts, k); err != nil {
			t.Fatal(err)
		}
		if len(k.fs) != 1 {
			t.Fatalf("%s: %d findings, want 1", c.name, len(k.fs))
		}
		l := k.fs[0].Location
		if l.Offset != int64(c.offset) || l.Line != c.line {
			t.Errorf("%s: offset %d line %d, want offset %d line %d", c.name, l.Offset, l.Line, c.offset, c.line)
		}
		if c.line == 0 && (l.Column != 0 || l.EndLine != 0 || l.EndColumn != 0) {
			t.Errorf("%s: a binary's finding has a position %+v", c.name, l)
		}
	}
}
