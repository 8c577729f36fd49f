package git

import (
	"bytes"
	"compress/zlib"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	kzlib "github.com/klauspost/compress/zlib"
)

// inflateCorpus is content of the kinds a pack holds: text, repeats short
// and long (overlapping copies), random bytes (stored blocks), and sizes
// from nothing to several blocks.
func inflateCorpus(r *rand.Rand) [][]byte {
	text := []byte("package git\n\nfunc (d *inflater) run() (int, error) {\n\treturn 0, nil\n}\n// tree 100644 blob\n")
	var out [][]byte
	for _, n := range []int{0, 1, 2, 3, 7, 100, 258, 259, 1000, 32 << 10, 70 << 10, 300 << 10} {
		t := make([]byte, n)
		for i := range t {
			t[i] = text[(i*7+i/13)%len(text)]
		}
		rnd := make([]byte, n)
		for i := range rnd {
			rnd[i] = byte(r.IntN(256))
		}
		mixed := make([]byte, 0, n)
		for len(mixed) < n {
			if r.IntN(3) == 0 {
				mixed = append(mixed, bytes.Repeat([]byte{byte(r.IntN(4))}, 1+r.IntN(300))...)
			} else {
				mixed = append(mixed, rnd[:min(len(rnd), r.IntN(40))]...)
				mixed = append(mixed, t[:min(len(t), r.IntN(200))]...)
			}
			if n == 0 {
				break
			}
		}
		out = append(out, t, rnd, mixed[:min(len(mixed), n)], bytes.Repeat([]byte{'a'}, n))
	}
	return out
}

// compressAll compresses p every way a pack writer might: stdlib zlib at
// every level (stored, Huffman only, fast, best), and klauspost's.
func compressAll(t testing.TB, p []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for _, level := range []int{zlib.NoCompression, zlib.HuffmanOnly, zlib.BestSpeed, 4, zlib.DefaultCompression, zlib.BestCompression} {
		var b bytes.Buffer
		w, err := zlib.NewWriterLevel(&b, level)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(p)
		w.Close()
		out = append(out, b.Bytes())
	}
	for _, level := range []int{kzlib.BestSpeed, kzlib.DefaultCompression, kzlib.BestCompression} {
		var b bytes.Buffer
		w, _ := kzlib.NewWriterLevel(&b, level)
		w.Write(p)
		w.Close()
		out = append(out, b.Bytes())
	}
	return out
}

// TestInflateMatchesZlib: every stream decodes to its content, with bytes
// after the stream (the next pack entry) ignored, through one reused
// sizedInflater.
func TestInflateMatchesZlib(t *testing.T) {
	t.Parallel()
	var d sizedInflater
	r := rand.New(rand.NewPCG(1, 2))
	for _, p := range inflateCorpus(r) {
		for i, z := range compressAll(t, p) {
			dst := make([]byte, len(p))
			src := append(append([]byte(nil), z...), 0x78, 0x9c, 1, 2, 3)
			if err := d.zlib(dst, src); err != nil {
				t.Fatalf("%d-byte content, writer %d: %v", len(p), i, err)
			}
			if !bytes.Equal(dst, p) {
				t.Fatalf("%d-byte content, writer %d: decoded content differs", len(p), i)
			}
		}
	}
}

// TestInflateRejects: a stream that is cut short, whose size is not the
// one given, or whose checksum does not match, is an error, never a panic
// and never a wrong success.
func TestInflateRejects(t *testing.T) {
	t.Parallel()
	var d sizedInflater
	r := rand.New(rand.NewPCG(3, 4))
	p := inflateCorpus(r)[30]
	for _, z := range compressAll(t, p) {
		for cut := 0; cut < len(z); cut += 1 + len(z)/200 {
			if err := d.zlib(make([]byte, len(p)), z[:cut]); err == nil {
				t.Fatalf("stream cut at %d of %d bytes decoded", cut, len(z))
			}
		}
		if err := d.zlib(make([]byte, len(p)+1), z); err == nil {
			t.Fatal("stream decoded into a buffer one byte longer than its content")
		}
		if len(p) > 0 {
			if err := d.zlib(make([]byte, len(p)-1), z); err == nil {
				t.Fatal("stream decoded into a buffer one byte shorter than its content")
			}
		}
		bad := append([]byte(nil), z...)
		bad[len(bad)-1] ^= 1
		if err := d.zlib(make([]byte, len(p)), bad); err == nil {
			t.Fatal("stream with a wrong checksum decoded")
		}
	}
}

// FuzzInflate: on any input, the inflater agrees with compress/zlib: where
// zlib reads exactly the given size and a valid end, so must it, with the
// same bytes; where zlib fails, it fails too. Never a panic.
func FuzzInflate(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, p := range inflateCorpus(r)[:24] {
		for _, z := range compressAll(f, p) {
			f.Add(z, uint16(len(p)))
		}
	}
	var d sizedInflater
	f.Fuzz(func(t *testing.T, src []byte, size uint16) {
		got := make([]byte, size)
		err := d.zlib(got, src)
		want, werr := stdInflate(src, int(size))
		if (err == nil) != (werr == nil) {
			t.Fatalf("inflater error %v, zlib error %v", err, werr)
		}
		if err == nil && !bytes.Equal(got, want) {
			t.Fatal("inflater and zlib decode different bytes")
		}
	})
}

// stdInflate is what the pack reader did before: read exactly size bytes
// and require the stream to end there, checksum included.
func stdInflate(src []byte, size int) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(src))
	if err != nil {
		return nil, err
	}
	out := make([]byte, size)
	if _, err := io.ReadFull(zr, out); err != nil {
		return nil, err
	}
	var one [1]byte
	if n, err := zr.Read(one[:]); n != 0 || err != io.EOF {
		return nil, errCorrupt
	}
	return out, nil
}

// BenchmarkInflatePack inflates every object of a real pack, as the pack
// reader does, with this inflater and with klauspost's zlib reader.
func BenchmarkInflatePack(b *testing.B) {
	dir := b.TempDir()
	run := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = dir, gitEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run("init", "-q")
	r := rand.New(rand.NewPCG(7, 8))
	for round := range 20 {
		for i, p := range inflateCorpus(r) {
			// Each round changes every file a little: the pack gets
			// deltas as well as whole objects, as a history's does.
			p = append(append([]byte(nil), p...), []byte(itoa(round))...)
			if err := os.WriteFile(filepath.Join(dir, "f"+itoa(i)), p, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		run("add", "-A")
		run("commit", "-q", "-m", "round "+itoa(round))
	}
	run("gc", "-q")
	db := openODB(filepath.Join(dir, ".git", "objects"), DefaultCacheSize)
	defer db.Close()
	rd := db.reader()
	p := db.packs[0]
	var es []entry
	var total int64
	for i := uint32(0); i < p.idx.fanout[255]; i++ {
		off, _ := p.idx.offset(i)
		e, err := rd.entry(p, off)
		if err != nil {
			b.Fatal(err)
		}
		es = append(es, e)
		total += e.size
	}
	dst := make([]byte, 4<<20)
	src := func(e entry) []byte {
		if p.data != nil {
			return p.data[e.data : p.size-20]
		}
		buf := make([]byte, p.size-20-e.data)
		if _, err := p.f.ReadAt(buf, e.data); err != nil {
			b.Fatal(err)
		}
		return buf
	}
	srcs := make([][]byte, len(es))
	for i, e := range es {
		srcs[i] = src(e)
	}
	b.Run("inflater", func(b *testing.B) {
		b.SetBytes(total)
		var d sizedInflater
		for range b.N {
			for i, e := range es {
				if err := d.zlib(dst[:e.size], srcs[i]); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("klauspost", func(b *testing.B) {
		b.SetBytes(total)
		var zr io.ReadCloser
		var br bytes.Reader
		for range b.N {
			for i, e := range es {
				br.Reset(srcs[i])
				if zr == nil {
					zr, _ = kzlib.NewReader(&br)
				} else {
					zr.(kzlib.Resetter).Reset(&br, nil)
				}
				if _, err := io.ReadFull(zr, dst[:e.size]); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
