package source

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/leakhound/leakhound/finding"
)

// countSink counts what it is given and keeps nothing.
type countSink struct {
	chunks int
	bytes  int64
	found  int
	needle []byte
}

func (s *countSink) Chunk(c finding.Chunk) {
	s.chunks++
	s.bytes += int64(len(c.Data) - c.Tail)
	if s.needle != nil && bytes.Contains(c.Data, s.needle) {
		s.found++
	}
}
func (s *countSink) Item(int64)            {}
func (s *countSink) Skip(string, string)   {}
func (s *countSink) Problem(string, error) {}

// TestHostileInputsBoundedMemory reads inputs built to blow up a naive
// reader: a sparse file of 256 MiB (4 GiB with LEAKHOUND_HUGE_TESTS=1), a
// file of NULs, a single line of 64 MiB, a binary with no strings (all a
// quarter of that with -short or -race). Each is read to its end, with
// allocations that don't grow with its size (a few MiB of buffers). Not
// parallel: the allocation count is the whole process's.
func TestHostileInputsBoundedMemory(t *testing.T) {
	dir := t.TempDir()
	scale := int64(1)
	if testing.Short() || raceEnabled {
		scale = 4
	}
	sparse := 256 << 20 / scale
	if os.Getenv("LEAKHOUND_HUGE_TESTS") == "1" {
		sparse = 4 << 30
	}
	rng := rand.New(rand.NewPCG(7, 7))
	noStrings := make([]byte, 32<<20/scale)
	for i := range noStrings {
		// Short runs only: a printable byte every few bytes at most, and
		// control bytes enough that it is no text.
		switch i % 5 {
		case 4:
			noStrings[i] = 'a' + byte(rng.IntN(26))
		case 0, 2:
			noStrings[i] = byte(1 + rng.IntN(8))
		default:
			noStrings[i] = byte(0x80 + rng.IntN(0x80))
		}
	}
	line := bytes.Repeat([]byte("abcdefghij"), int(64<<20/10/scale))
	copy(line[len(line)-20:], "tok_hostilelinetoken")
	cases := []struct {
		name   string
		write  func(path string) error
		size   int64
		output bool // whether anything is left to scan
		needle string
	}{
		{"sparse", func(p string) error {
			f, err := os.Create(p)
			if err != nil {
				return err
			}
			defer f.Close()
			return f.Truncate(sparse)
		}, sparse, false, ""},
		{"nuls", func(p string) error { return os.WriteFile(p, make([]byte, 64<<20/scale), 0o644) }, 64 << 20 / scale, false, ""},
		{"one line", func(p string) error { return os.WriteFile(p, line, 0o644) }, int64(len(line)), true, "tok_hostilelinetoken"},
		{"no strings", func(p string) error { return os.WriteFile(p, noStrings, 0o644) }, int64(len(noStrings)), false, ""},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.name)
		if err := c.write(path); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sink := &countSink{}
		if c.needle != "" {
			sink.needle = []byte(c.needle)
		}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		n, err := ReadChunks(context.Background(), struct{ io.Reader }{f}, finding.Origin{}, Options{Overlap: 256}, sink)
		took := time.Since(start)
		runtime.ReadMemStats(&after)
		f.Close()
		if err != nil || n != c.size {
			t.Fatalf("%s: read %d of %d bytes: %v", c.name, n, c.size, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
			t.Errorf("%s: %d MiB allocated reading %d MiB", c.name, alloc>>20, c.size>>20)
		}
		if (sink.bytes > 0) != c.output {
			t.Errorf("%s: %d bytes to scan", c.name, sink.bytes)
		}
		if c.needle != "" && sink.found != 1 {
			t.Errorf("%s: the token at the end of the line was in %d chunks, want 1", c.name, sink.found)
		}
		t.Logf("%s: %d MiB in %v (%d chunks)", c.name, c.size>>20, took.Round(time.Millisecond), sink.chunks)
	}
}
