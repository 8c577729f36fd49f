package source

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/leakhound/leakhound/finding"
)

// run is a printable run as the reference finds it.
type run struct {
	offset int64
	text   string
	width  int
}

// referenceRuns is the definition runReader implements, written the
// plainest way, over the whole input at once.
func referenceRuns(b []byte) []run {
	var out []run
	for i := 0; i < len(b); {
		if !printable[b[i]] {
			i++
			continue
		}
		j := i
		for j < len(b) && printable[b[j]] {
			j++
		}
		if j-i >= MinRun {
			out = append(out, run{int64(i), string(b[i:j]), 1})
			i = j
			continue
		}
		if j < len(b) && b[j] == 0 {
			w := j - 1
			k := w
			var text []byte
			for k+1 < len(b) && printable[b[k]] && b[k+1] == 0 {
				text = append(text, b[k])
				k += 2
			}
			if len(text) >= MinRun {
				out = append(out, run{int64(w), string(text), 2})
				i = k
				continue
			}
		}
		i = j
	}
	return out
}

// spanRecorder keeps every chunk, spans included.
type spanRecorder struct{ chunks []finding.Chunk }

func (r *spanRecorder) Chunk(c finding.Chunk) {
	c.Data = append([]byte(nil), c.Data...)
	c.Spans = append([]finding.Span(nil), c.Spans...)
	r.chunks = append(r.chunks, c)
}
func (r *spanRecorder) Item(int64)            {}
func (r *spanRecorder) Skip(string, string)   {}
func (r *spanRecorder) Problem(string, error) {}

// own reassembles the chunks (each less its tail), checking offsets.
func (r *spanRecorder) own(t *testing.T) []byte {
	t.Helper()
	var got []byte
	for _, c := range r.chunks {
		if c.Offset != int64(len(got)) {
			t.Fatalf("chunk at %d, want %d", c.Offset, len(got))
		}
		got = append(got, c.Data[:len(c.Data)-c.Tail]...)
	}
	return got
}

// itemOffset is where content position p sits in the item, by the spans
// of the chunk that owns p.
func (r *spanRecorder) itemOffset(t *testing.T, p int64) int64 {
	t.Helper()
	for _, c := range r.chunks {
		if p >= c.Offset && p < c.Offset+int64(len(c.Data)-c.Tail) {
			return c.ItemOffset(int(p - c.Offset))
		}
	}
	t.Fatalf("no chunk holds position %d", p)
	return -1
}

// binaryInput mixes machine-code-like noise, zero padding, ASCII strings
// and UTF-16LE strings of every length around MinRun.
func binaryInput(seed uint64, size int) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	var b []byte
	word := func(n int) []byte {
		w := make([]byte, n)
		for i := range w {
			w[i] = byte(0x20 + rng.IntN(0x5f))
		}
		return w
	}
	for len(b) < size {
		switch rng.IntN(6) {
		case 0:
			for n := rng.IntN(64); n > 0; n-- {
				b = append(b, byte(rng.IntN(256)))
			}
		case 1:
			b = append(b, make([]byte, rng.IntN(200))...)
		case 2:
			b = append(b, word(1+rng.IntN(2*MinRun))...)
			b = append(b, byte(rng.IntN(2))) // NUL or another control byte
		case 3:
			for _, c := range word(1 + rng.IntN(2*MinRun)) {
				b = append(b, c, 0)
			}
			b = append(b, 0, 0)
		case 4:
			b = append(b, word(rng.IntN(3000))...) // a long run, across buffers
			b = append(b, 0)
		case 5:
			b = append(b, make([]byte, 1000+rng.IntN(4000))...) // a zero stretch, skipped by the kilobyte
		}
	}
	return b
}

func TestRunsMatchReference(t *testing.T) {
	t.Parallel()
	readers := map[string]func(io.Reader) io.Reader{
		"whole":    func(r io.Reader) io.Reader { return r },
		"one byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
	}
	for seed := uint64(1); seed <= 4; seed++ {
		in := binaryInput(seed, 200<<10)
		in[0] = 0 // binary from its first byte
		want := referenceRuns(in)
		var wantOut strings.Builder
		for _, r := range want {
			wantOut.WriteString(r.text + "\n")
		}
		for name, wrap := range readers {
			rec := &spanRecorder{}
			n, err := ReadChunks(context.Background(), wrap(bytes.NewReader(in)), finding.Origin{}, Options{ChunkSize: 4096, Overlap: 300}, rec)
			if err != nil || n != int64(len(in)) {
				t.Fatalf("seed %d %s: n=%d err=%v", seed, name, n, err)
			}
			got := rec.own(t)
			if string(got) != wantOut.String() {
				t.Fatalf("seed %d %s: extracted %d bytes, want %d (first difference at %d)", seed, name, len(got), wantOut.Len(), firstDiff(string(got), wantOut.String()))
			}
			for _, c := range rec.chunks {
				if !c.NoLines {
					t.Fatalf("seed %d %s: chunk of extracted strings has lines", seed, name)
				}
			}
			// Every run's first and last characters map back to where
			// they are in the input.
			var pos int64
			for _, r := range want {
				last := len(r.text) - 1
				for _, k := range []int{0, last} {
					off := rec.itemOffset(t, pos+int64(k))
					if wantOff := r.offset + int64(k*r.width); off != wantOff {
						t.Fatalf("seed %d %s: run %q char %d at item offset %d, want %d", seed, name, r.text, k, off, wantOff)
					}
					if in[off] != r.text[k] {
						t.Fatalf("seed %d %s: input byte at %d is %q, want %q", seed, name, off, in[off], r.text[k])
					}
				}
				pos += int64(len(r.text)) + 1
			}
		}
	}
}

func firstDiff(a, b string) int {
	for i := 0; i < min(len(a), len(b)); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestRunBoundaries(t *testing.T) {
	t.Parallel()
	wide := func(s string) string {
		var b strings.Builder
		for _, c := range []byte(s) {
			b.WriteByte(c)
			b.WriteByte(0)
		}
		return b.String()
	}
	cases := []struct {
		name, in string
		want     []string
	}{
		{"seven is too short", "\x00\x01short77\x00\x02", nil},
		{"eight is a run", "\x00\x01exactly8\x00\x02", []string{"exactly8"}},
		{"at the very end", "\x00\x01at the end", []string{"at the end"}},
		{"wide seven", "\x00\x01" + wide("seven77") + "\x00\x00", nil},
		{"wide eight", "\x00\x01" + wide("wide8888") + "\x00\x00", []string{"wide8888"}},
		{"wide after short ascii", "\x00\x01ab" + wide("cdefghij") + "\x00\x00", []string{"cdefghij"}},
		{"wide with odd end", "\x00\x01" + wide("wide to the end") + "x", []string{"wide to the end"}},
		{"tabs and line ends", "\x00\x01key:\tvalue\r\nnext\x00", []string{"key:\tvalue\r\nnext"}},
		{"high bytes end a run", "\x00\x01caf\xe9 au lait latte\x00", []string{" au lait latte"}},
		{"nothing printable", "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xfe\x80\x81", nil},
	}
	for _, c := range cases {
		// A chunk size smaller than the input cuts runs between chunks.
		for _, chunk := range []int{16, 4096} {
			rec := &spanRecorder{}
			// Control bytes first: binary, not UTF-16 text.
			in := "\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12\x13\x14\x15" + c.in
			if _, err := ReadChunks(context.Background(), strings.NewReader(in), finding.Origin{}, Options{ChunkSize: chunk, Overlap: 4}, rec); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			want := ""
			for _, w := range c.want {
				want += w + "\n"
			}
			if got := string(rec.own(t)); got != want {
				t.Errorf("%s (chunks of %d): got %q, want %q", c.name, chunk, got, want)
			}
		}
	}
}

func TestMayPrint(t *testing.T) {
	t.Parallel()
	// mayPrint must be true whenever a word holds a printable byte; check
	// every byte value in every position against zero and high bytes.
	for pos := 0; pos < 8; pos++ {
		for v := 0; v < 256; v++ {
			for _, fill := range []byte{0x00, 0x80, 0xff, 0x7f, 0x08} {
				w := bytes.Repeat([]byte{fill}, 8)
				w[pos] = byte(v)
				x := uint64(0)
				for i := 7; i >= 0; i-- {
					x = x<<8 | uint64(w[i])
				}
				want := false
				for _, b := range w {
					want = want || (b >= 9 && b <= 126)
				}
				if got := mayPrint(x); got != want {
					t.Fatalf("mayPrint(% x) = %v, want %v", w, got, want)
				}
			}
		}
	}
	if !printable['\t'] || printable[0x7f] || printable[0x08] {
		t.Fatal("printable table")
	}
}

// TestDecodeBinary checks Decode of a binary, the in-memory form git
// compares versions with, against the reference, and SpansIn against the
// offsets every run must map to.
func TestDecodeBinary(t *testing.T) {
	t.Parallel()
	in := binaryInput(9, 300<<10)
	want := referenceRuns(in)
	text, spans, err := Decode(context.Background(), in, Binary)
	if err != nil {
		t.Fatal(err)
	}
	var wantText strings.Builder
	for _, r := range want {
		wantText.WriteString(r.text + "\n")
	}
	if string(text) != wantText.String() {
		t.Fatalf("text differs at %d", firstDiff(string(text), wantText.String()))
	}
	pos := 0
	for _, r := range want {
		for _, k := range []int{0, len(r.text) - 1} {
			// A chunk starting anywhere before the character places it.
			for _, start := range []int{pos + k, pos, max(0, pos-5)} {
				c := finding.Chunk{Spans: SpansIn(spans, start, len(text)-start, nil)}
				if got, wantOff := c.ItemOffset(pos+k-start), r.offset+int64(k*r.width); got != wantOff {
					t.Fatalf("run %q char %d from chunk at %d: offset %d, want %d", r.text, k, start, got, wantOff)
				}
			}
		}
		pos += len(r.text) + 1
	}
	// A hostile number of runs is refused, not held.
	many := bytes.Repeat([]byte("AAAAAAAA\x00\x01"), 1010)
	if _, _, err := decode(context.Background(), many, Binary, 1000); err != ErrTooManySpans {
		t.Errorf("1010 runs, 1000 spans held: err %v", err)
	}
}
