package source

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

type recorder struct {
	mu     sync.Mutex
	chunks []finding.Chunk
}

func (r *recorder) Chunk(c finding.Chunk) {
	r.mu.Lock()
	c.Data = append([]byte(nil), c.Data...)
	r.chunks = append(r.chunks, c)
	r.mu.Unlock()
}
func (r *recorder) Item(int64)            {}
func (r *recorder) Skip(string, string)   {}
func (r *recorder) Problem(string, error) {}

// TestReadChunksCoversInput reassembles the chunks (each minus its tail)
// and checks it is the input, for overlaps from none to large.
func TestReadChunksCoversInput(t *testing.T) {
	t.Parallel()
	input := strings.Repeat("line of text number x\n", 500) + strings.Repeat("y", 9000)
	for _, overlap := range []int{0, 1, 100, 1000} {
		rec := &recorder{}
		n, err := ReadChunks(context.Background(), strings.NewReader(input), finding.Origin{}, Options{ChunkSize: 4096, Overlap: overlap}, rec)
		if err != nil || n != int64(len(input)) {
			t.Fatalf("overlap %d: n=%d err=%v", overlap, n, err)
		}
		var got bytes.Buffer
		lines := 0
		for _, c := range rec.chunks {
			if c.Offset != int64(got.Len()) || c.LineBase != lines {
				t.Fatalf("overlap %d: chunk at offset %d (line %d), want %d (line %d)", overlap, c.Offset, c.LineBase, got.Len(), lines)
			}
			own := c.Data[:len(c.Data)-c.Tail]
			got.Write(own)
			lines += bytes.Count(own, []byte{'\n'})
		}
		if got.String() != input {
			t.Fatalf("overlap %d: reassembled %d bytes, want %d", overlap, got.Len(), len(input))
		}
	}
}

type truncated struct{ r io.Reader }

func (t truncated) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err == io.EOF {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

func TestReadChunksReportsTruncation(t *testing.T) {
	t.Parallel()
	_, err := ReadChunks(context.Background(), truncated{strings.NewReader("some text")}, finding.Origin{}, Options{ChunkSize: 1024}, &recorder{})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want unexpected EOF", err)
	}
}

func TestClassifyText(t *testing.T) {
	t.Parallel()
	cases := map[string]Class{
		"plain text\n":             Text,
		"caf\xe9 latin-1 text\n":   Text,
		"\xef\xbb\xbfutf-8 bom\n":  Text,
		"\x00\x01\x02 nul byte":    Binary,
		"\x01\x02\x03\x04\x05\x06": Binary,
	}
	for in, want := range cases {
		if got, _ := Classify([]byte(in)); got != want {
			t.Errorf("Classify(%q) = %v, want %v", in, got, want)
		}
	}
}
