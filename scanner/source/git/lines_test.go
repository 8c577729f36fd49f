package git

import (
	"fmt"
	"hash/maphash"
	"math/rand"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func newLinesOf(data string, olds ...string) []string {
	var ob [][]byte
	for _, o := range olds {
		ob = append(ob, []byte(o))
	}
	var out []string
	forNewLines([]byte(data), ob, maphash.MakeSeed(), func(_, start, end, ctxEnd, lineBase int) {
		out = append(out, itoa(lineBase)+":"+data[start:end])
	})
	return out
}

func itoa(i int) string {
	s := ""
	for {
		s = string(rune('0'+i%10)) + s
		i /= 10
		if i == 0 {
			return s
		}
	}
}

func TestForNewLines(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		data string
		olds []string
		want string
	}{
		{"a\nb\nc\n", nil, "0:a\nb\nc\n"},
		{"a\nb\nc\n", []string{""}, "0:a\nb\nc\n"},
		{"a\nb\nc\n", []string{"a\nb\n"}, "2:c\n"},
		{"a\nb\nc", []string{"a\nb\nc\n"}, ""},        // only the final newline went
		{"a\nX\nc\n", []string{"a\nb\nc\n"}, "1:X\n"}, // one line changed
		{"aaaaaaaaaa\nXXXXXXXXXX\ncccccccccc\nYYYYYYYYYY\neeeeeeeeee\n", []string{"aaaaaaaaaa\nbbbbbbbbbb\ncccccccccc\ndddddddddd\neeeeeeeeee\n"}, "1:XXXXXXXXXX\n|3:YYYYYYYYYY\n"}, // two hunks, shared line between
		{"a\nX\nc\nY\ne\n", []string{"a\nb\nc\nd\ne\n"}, "1:X\nc\nY\n"},                                // a short shared line doesn't split a run
		{"BEGIN KEY\n\nbodybodybody\n", []string{"zzzzzzzzzzzz\n\n"}, "0:BEGIN KEY\n\nbodybodybody\n"}, // nor a blank one
		{"c\na\nb\n", []string{"a\nb\nc\n"}, ""},                                                       // moved within the changed region
		{"ab\n", []string{"b\n"}, "0:ab\n"},                                                            // suffix that is not a whole line
		{"x\nab\n", []string{"x\nb\n"}, "1:ab\n"},
		{"a\nM\nS\nz\n", []string{"a\nM\nz\n", "a\nS\nz\n"}, ""}, // clean merge: nothing new
		{"a\nM\nS\nN\nz\n", []string{"a\nM\nz\n", "a\nS\nz\n"}, "3:N\n"},
		{"", []string{"a\n"}, ""},
	} {
		got := strings.Join(newLinesOf(tc.data, tc.olds...), "|")
		if got != tc.want {
			t.Errorf("forNewLines(%q, %q) = %q, want %q", tc.data, tc.olds, got, tc.want)
		}
	}
}

// A line that no old version has anywhere is always scanned.
func TestForNewLinesMissesNothing(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(1))
	words := []string{"a", "b", "c", "d", "", "ab", "ba", "a b"}
	gen := func() string {
		var b strings.Builder
		n := rng.Intn(8)
		for i := 0; i < n; i++ {
			b.WriteString(words[rng.Intn(len(words))])
			if i < n-1 || rng.Intn(3) > 0 {
				b.WriteByte('\n')
			}
		}
		return b.String()
	}
	for iter := 0; iter < 20000; iter++ {
		data := gen()
		olds := []string{gen()}
		if rng.Intn(3) == 0 {
			olds = append(olds, gen())
		}
		starts := lineStarts([]byte(data))
		scanned := make([]bool, len(starts))
		var ob [][]byte
		for _, o := range olds {
			ob = append(ob, []byte(o))
		}
		prevEnd := 0
		forNewLines([]byte(data), ob, maphash.MakeSeed(), func(ctxStart, start, end, ctxEnd, lineBase int) {
			if ctxEnd < end || ctxEnd > len(data) {
				t.Fatalf("context end %d outside [%d, %d]", ctxEnd, end, len(data))
			}
			if ctxStart > start || ctxStart < prevEnd || ctxStart > 0 && data[ctxStart-1] != '\n' {
				t.Fatalf("data %q: context start %d is not a line start in [%d, %d]", data, ctxStart, prevEnd, start)
			}
			prevEnd = end
			if start != starts[lineBase] {
				t.Fatalf("run start %d is not line %d's start %d", start, lineBase, starts[lineBase])
			}
			for i := lineBase; i < len(starts) && starts[i] < end; i++ {
				scanned[i] = true
			}
		})
		lines := strings.SplitAfter(data, "\n")
		if len(lines) > 0 && lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		for i, l := range lines {
			l = strings.TrimSuffix(l, "\n")
			inOld := false
			for _, o := range olds {
				for _, ol := range strings.SplitAfter(o, "\n") {
					if ol != "" && strings.TrimSuffix(ol, "\n") == l {
						inOld = true
					}
				}
			}
			if !inOld && !scanned[i] {
				t.Fatalf("data %q olds %q: line %d %q not scanned", data, olds, i, l)
			}
		}
	}
}

// lineStarts returns the offset of every line of data.
func lineStarts(data []byte) []int {
	var starts []int
	for pos := 0; pos < len(data); {
		starts = append(starts, pos)
		i := strings.IndexByte(string(data[pos:]), '\n')
		if i < 0 {
			break
		}
		pos += i + 1
	}
	return starts
}

func TestForNewLinesContext(t *testing.T) {
	t.Parallel()
	old := "intro line one\n-----END KEY-----\nfooter line\nlast\n"
	data := "intro line one\n-----BEGIN KEY-----\nnewkeybodynewkeybody\n-----END KEY-----\nfooter line\nlast\n"
	var got []string
	forNewLines([]byte(data), [][]byte{[]byte(old)}, maphash.MakeSeed(), func(_, start, end, ctxEnd, lineBase int) {
		got = append(got, data[start:end]+"|"+data[end:ctxEnd])
	})
	// The END line is in the old version, so it is context: a match may
	// end in it, none may start there.
	want := "-----BEGIN KEY-----\nnewkeybodynewkeybody\n|-----END KEY-----\nfooter line\n"
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A key replaced by another keeps its BEGIN and END lines: the new body
// is the run, and the lines before it are its head, so the new key is
// matched whole.
func TestForNewLinesHead(t *testing.T) {
	t.Parallel()
	old := "name: deploy\nkey: |\n  -----BEGIN RSA PRIVATE KEY-----\n  Proc-Type: 4,ENCRYPTED\n  DEK-Info: AES-128-CBC,00FF\n\n  oldbodyoldbodyoldbody\n  -----END RSA PRIVATE KEY-----\n"
	data := strings.Replace(old, "oldbodyoldbodyoldbody", "newbodynewbodynewbody", 1)
	var got []string
	forNewLines([]byte(data), [][]byte{[]byte(old)}, maphash.MakeSeed(), func(ctxStart, start, end, ctxEnd, lineBase int) {
		got = append(got, data[ctxStart:start]+"|"+data[start:end]+"|"+data[end:ctxEnd])
	})
	want := "  -----BEGIN RSA PRIVATE KEY-----\n  Proc-Type: 4,ENCRYPTED\n  DEK-Info: AES-128-CBC,00FF\n\n|  newbodynewbodynewbody\n|  -----END RSA PRIVATE KEY-----\n"
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// Two runs with one old line between: the second run's head is that
	// line, not the first run.
	old = "aaaaaaaaaa\nbbbbbbbbbb\ncccccccccc\n"
	data = "XXXXXXXXXX\nbbbbbbbbbb\nYYYYYYYYYY\n"
	got = nil
	forNewLines([]byte(data), [][]byte{[]byte(old)}, maphash.MakeSeed(), func(ctxStart, start, end, ctxEnd, lineBase int) {
		got = append(got, data[ctxStart:start]+"|"+data[start:end])
	})
	if want := "|XXXXXXXXXX\n,bbbbbbbbbb\n|YYYYYYYYYY\n"; strings.Join(got, ",") != want {
		t.Errorf("got %q, want %q", strings.Join(got, ","), want)
	}
}

func TestShiftedTail(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	sh := &shifted{Sink: rec, offset: 100, lineBase: 7, size: 30, context: 10}
	sh.Chunk(finding.Chunk{Data: make([]byte, 30)})
	sh.Chunk(finding.Chunk{Data: make([]byte, 20), Offset: 0, Tail: 5}) // not the last chunk
	if len(rec.chunks) != 2 || rec.chunks[0].Tail != 10 || rec.chunks[0].Offset != 100 || rec.chunks[0].LineBase != 7 || rec.chunks[1].Tail != 5 {
		t.Errorf("chunks = %+v", rec.chunks)
	}
}

// A lineDiff reused from blob to blob (as a worker does) finds what a
// fresh one finds, across table sizes and a file too big to keep scratch
// for.
func TestLineDiffReuse(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(2))
	gen := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "line %d\n", rng.Intn(2*n+1))
		}
		return b.String()
	}
	seed := maphash.MakeSeed()
	reused := lineDiff{seed: seed}
	runs := func(d *lineDiff, data string, olds [][]byte) string {
		var out []string
		d.newLines([]byte(data), olds, func(ctxStart, start, end, ctxEnd, lineBase int) {
			out = append(out, fmt.Sprint(ctxStart, start, end, ctxEnd, lineBase))
		})
		return strings.Join(out, ",")
	}
	for iter, n := range []int{3, 50, 1000, 10, maxKeptLines + 10, 20, 2000, 5} {
		data := gen(n)
		var olds [][]byte
		for k := 0; k <= iter%3; k++ {
			olds = append(olds, []byte(gen(n)))
		}
		fresh := lineDiff{seed: seed}
		if got, want := runs(&reused, data, olds), runs(&fresh, data, olds); got != want {
			t.Fatalf("%d lines: reused lineDiff found %.80s, a fresh one %.80s", n, got, want)
		}
	}
}

// forNewLines is newLines with fresh scratch.
func forNewLines(data []byte, olds [][]byte, seed maphash.Seed, fn func(ctxStart, start, end, ctxEnd, lineBase int)) {
	d := lineDiff{seed: seed}
	d.newLines(data, olds, fn)
}
