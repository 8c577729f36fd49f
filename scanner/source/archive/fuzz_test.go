package archive

import (
	"bytes"
	"context"
	"testing"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/scanner/source"
)

// FuzzContent feeds arbitrary bytes, seeded with every format, through
// Content: hostile or corrupt input may be reported, never panic or hang.
func FuzzContent(f *testing.F) {
	text := []byte("hello\ntoken=tok_abcdefghij0123456789\n")
	f.Add(text)
	f.Add(makeZip(f, entry{name: "a/b.txt", data: text}, entry{name: "in.zip", data: makeZip(f, entry{name: "c", data: text})}))
	f.Add(makeTar(f, entry{name: "../x", data: text}, entry{name: "l", link: "/etc"}))
	f.Add(gz(f, makeTar(f, entry{name: "x", data: text})))
	f.Add(gz(f, text))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec := newRecorder()
		opts := Options{Options: source.Options{ChunkSize: 4096, Overlap: 256, MaxFileSize: 1 << 20},
			MaxBytes: 4 << 20, MaxEntries: 1000, MaxZipMemory: 1 << 20, TempDir: t.TempDir()}
		Content(context.Background(), bytes.NewReader(data), int64(len(data)), finding.Origin{Path: "fuzz.bin"}, opts, rec)
	})
}
