//go:build unix

package dir

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/leakhound/leakhound/finding"
)

type recorder struct {
	mu       sync.Mutex
	data     strings.Builder
	items    int
	problems []string
	skips    []string
}

func (r *recorder) Chunk(c finding.Chunk) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.data.Write(c.Data[:len(c.Data)-c.Tail])
}
func (r *recorder) Item(int64) { r.mu.Lock(); r.items++; r.mu.Unlock() }
func (r *recorder) Skip(p, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.skips = append(r.skips, p+": "+reason)
}
func (r *recorder) Problem(p string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.problems = append(r.problems, p+": "+err.Error())
}

// A pipe named on the command line (`leakhound dir <(cmd)`) has no size:
// it is read to its end, not cut at the zero fstat reports.
func TestFIFORootReadToEnd(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	content := strings.Repeat("line of piped content\n", 5000)
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		f.WriteString(content)
		f.Close()
	}()
	s, err := New(Options{Paths: []string{fifo}})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	if err := s.Scan(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.problems) > 0 {
		t.Fatalf("problems: %v", rec.problems)
	}
	if got := rec.data.String(); got != content || rec.items != 1 {
		t.Errorf("read %d bytes in %d items, want %d in 1", len(got), rec.items, len(content))
	}
}

// A regular file is read exactly, whatever its size relative to the head
// read first.
func TestFileSizes(t *testing.T) {
	dir := t.TempDir()
	want := map[string]string{}
	for _, n := range []int{0, 1, 511, 512, 513, 4096, 1<<20 + 3} {
		body := strings.Repeat("x", n)
		name := filepath.Join(dir, strings.Repeat("f", 1+n%7)+"-"+string(rune('a'+len(want))))
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		want[name] = body
	}
	for name, body := range want {
		s, err := New(Options{Paths: []string{name}})
		if err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		if err := s.Scan(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		if got := rec.data.String(); got != body || len(rec.problems) > 0 {
			t.Errorf("%s: read %d bytes (problems %v), want %d", name, len(got), rec.problems, len(body))
		}
	}
}

// A FIFO that takes a regular file's place between the walk and the open
// is skipped, not read: with no writer, reading it would never end.
func TestFIFOInPlaceOfFileIsSkipped(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "config.env")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	s, err := New(Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		// As the walk would send it: found in the tree, not named.
		s.scanFile(context.Background(), job{path: fifo, rel: "config.env"}, rec)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("scanFile blocked on a FIFO")
	}
	if len(rec.skips) != 1 || rec.skips[0] != "config.env: not a regular file" || rec.items != 0 {
		t.Errorf("skips %v, items %d; want the FIFO skipped", rec.skips, rec.items)
	}
}

// TestShownRoot: roots inside the working directory are shown relative to
// it; a single root outside it is not shown; several are, as given.
func TestShownRoot(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	one := &Source{opts: Options{Paths: []string{"x"}}}
	two := &Source{opts: Options{Paths: []string{"x", "y"}}}
	for _, c := range []struct {
		s          *Source
		root, want string
	}{
		{one, ".", ""},
		{one, "./testdata/../src/", "src"},
		{one, filepath.Join(wd, "sub", "dir"), "sub/dir"},
		{one, "/elsewhere/repo", ""},
		{two, "/elsewhere/a", "/elsewhere/a"},
		{two, "sub", "sub"},
	} {
		if got := c.s.shownRoot(c.root); got != c.want {
			t.Errorf("shownRoot(%q) with %d roots = %q, want %q", c.root, len(c.s.opts.Paths), got, c.want)
		}
	}
}
