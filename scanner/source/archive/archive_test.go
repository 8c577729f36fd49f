package archive

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/scanner/source"
)

// recorder is a Sink that keeps everything it is given.
type recorder struct {
	mu       sync.Mutex
	content  map[string]string // display path -> data
	origins  map[string]finding.Origin
	skips    map[string]string
	problems map[string]string
	items    int
}

func newRecorder() *recorder {
	return &recorder{content: map[string]string{}, origins: map[string]finding.Origin{}, skips: map[string]string{}, problems: map[string]string{}}
}

func (r *recorder) Chunk(c finding.Chunk) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := c.Origin.DisplayPath()
	r.content[k] += string(c.Data[:len(c.Data)-c.Tail])
	r.origins[k] = c.Origin
}
func (r *recorder) Item(int64) { r.mu.Lock(); r.items++; r.mu.Unlock() }
func (r *recorder) Skip(p, reason string) {
	r.mu.Lock()
	r.skips[p] = reason
	r.mu.Unlock()
}
func (r *recorder) Problem(p string, err error) {
	r.mu.Lock()
	r.problems[p] = err.Error()
	r.mu.Unlock()
}

// found returns the display path of the content holding s, or "".
func (r *recorder) found(s string) string {
	for k, v := range r.content {
		if strings.Contains(v, s) {
			return k
		}
	}
	return ""
}

type entry struct {
	name string
	data []byte
	link string // symlink target
}

func makeZip(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.link != "" {
			h.SetMode(os.ModeSymlink | 0o777)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		data := e.data
		if e.link != "" {
			data = []byte(e.link)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func makeTar(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.data)), Typeflag: tar.TypeReg}
		if e.link != "" {
			h = &tar.Header{Name: e.name, Linkname: e.link, Typeflag: tar.TypeSymlink, Mode: 0o777}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// scanStream runs Scan over data read as a stream (no random access).
func scanStream(t *testing.T, name string, data []byte, opts Options) (*recorder, bool, error) {
	t.Helper()
	rec := newRecorder()
	if opts.Overlap == 0 {
		opts.Overlap = 4096
	}
	ok, err := Scan(context.Background(), bufio.NewReader(bytes.NewReader(data)), finding.Origin{Kind: "file", Path: name}, opts, rec)
	return rec, ok, err
}

func TestNestedZipInTarGz(t *testing.T) {
	t.Parallel()
	secret, plain := token(), token()
	inner := makeZip(t, entry{name: "conf/secret.env", data: []byte("API_TOKEN=" + secret + "\n")})
	outer := gz(t, makeTar(t,
		entry{name: "app/bundle.zip", data: inner},
		entry{name: "app/readme.txt", data: []byte("see " + plain + "\n")},
	))
	rec, ok, err := scanStream(t, "release.tar.gz", outer, Options{})
	if !ok || err != nil {
		t.Fatalf("Scan = %v, %v", ok, err)
	}
	p := rec.found(secret)
	if p != "release.tar.gz!/app/bundle.zip!/conf/secret.env" {
		t.Fatalf("secret found at %q; content: %v", p, rec.content)
	}
	o := rec.origins[p]
	if o.Archive != "release.tar.gz!/app/bundle.zip" || o.Path != "conf/secret.env" || o.Kind != "file" {
		t.Errorf("origin = %+v", o)
	}
	if got := rec.found(plain); got != "release.tar.gz!/app/readme.txt" {
		t.Errorf("plain member at %q", got)
	}
	if rec.items != 2 || len(rec.problems) != 0 {
		t.Errorf("items %d, problems %v", rec.items, rec.problems)
	}
}

func TestJarOnDisk(t *testing.T) {
	t.Parallel()
	secret, libSecret := token(), token()
	lib := makeZip(t, entry{name: "config.properties", data: []byte("db.token=" + libSecret + "\n")})
	jar := makeZip(t,
		entry{name: "META-INF/MANIFEST.MF", data: []byte("Manifest-Version: 1.0\n")},
		entry{name: "BOOT-INF/classes/application.properties", data: []byte("spring.app=demo\napi.token=" + secret + "\n")},
		entry{name: "BOOT-INF/lib/x.jar", data: lib},
	)
	path := filepath.Join(t.TempDir(), "app.jar")
	if err := os.WriteFile(path, jar, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec := newRecorder()
	ok, err := Hook(Options{})(context.Background(), f, jar[:HeadLen], int64(len(jar)), finding.Origin{Kind: "file", Path: "app.jar"}, rec)
	if !ok || err != nil {
		t.Fatalf("ScanFile = %v, %v", ok, err)
	}
	if p := rec.found(secret); p != "app.jar!/BOOT-INF/classes/application.properties" {
		t.Errorf("secret at %q", p)
	}
	if p := rec.found(libSecret); p != "app.jar!/BOOT-INF/lib/x.jar!/config.properties" {
		t.Errorf("lib secret at %q", p)
	}
	if o := rec.origins["app.jar!/BOOT-INF/lib/x.jar!/config.properties"]; o.Archive != "app.jar!/BOOT-INF/lib/x.jar" || o.Path != "config.properties" {
		t.Errorf("origin = %+v", o)
	}
	// ReadAt only: the file offset is where it was.
	if off, _ := f.Seek(0, io.SeekCurrent); off != 0 {
		t.Errorf("offset moved to %d", off)
	}
}

func TestZipBomb(t *testing.T) {
	t.Parallel()
	secret := token()
	zeros := make([]byte, 16<<20)
	bomb := makeZip(t,
		entry{name: "bomb.txt", data: zeros},
		entry{name: "ok.env", data: []byte("T=" + secret + "\n")},
	)
	rec, ok, err := scanStream(t, "upload.zip", bomb, Options{})
	if !ok || err != nil {
		t.Fatalf("Scan = %v, %v", ok, err)
	}
	if msg := rec.problems["upload.zip!/bomb.txt"]; !strings.Contains(msg, "zip bomb") {
		t.Errorf("bomb not reported: %v", rec.problems)
	}
	if rec.found(secret) == "" {
		t.Errorf("member after the bomb not scanned")
	}

	// A bomb as a gzip stream and inside a tar: stopped while it is being
	// decompressed. (Text, so the binary policy does not stop it first.)
	zeros = bytes.Repeat([]byte("aaaaaaa\n"), 2<<20)
	rec, _, _ = scanStream(t, "zeros.bin.gz", gz(t, zeros), Options{})
	if msg := rec.problems["zeros.bin.gz!/zeros.bin"]; !strings.Contains(msg, "zip bomb") {
		t.Errorf("gzip bomb not reported: %v", rec.problems)
	}
	rec, _, _ = scanStream(t, "x.tar", makeTar(t, entry{name: "z.gz", data: gz(t, zeros)}, entry{name: "ok.env", data: []byte(secret)}), Options{})
	if msg := rec.problems["x.tar!/z.gz!/z"]; !strings.Contains(msg, "zip bomb") {
		t.Errorf("nested gzip bomb not reported: %v", rec.problems)
	}
	if rec.found(secret) == "" {
		t.Errorf("member after the nested bomb not scanned")
	}
}

func TestCorrupt(t *testing.T) {
	t.Parallel()
	secret := token()
	good := makeZip(t, entry{name: "a.txt", data: []byte(secret)})
	bad := append([]byte(nil), good[:len(good)/2]...) // central directory cut off
	rec, ok, err := scanStream(t, "bad.zip", bad, Options{})
	if !ok || err == nil || !strings.Contains(err.Error(), "corrupt zip") {
		t.Fatalf("Scan = %v, %v", ok, err)
	}
	// Nested: reported under its chain, the other members still scanned.
	rec, _, err = scanStream(t, "outer.tar", makeTar(t,
		entry{name: "bad.zip", data: bad},
		entry{name: "trunc.gz", data: gz(t, []byte(strings.Repeat("x", 1000)))[:20]},
		entry{name: "good.txt", data: []byte(secret)},
	), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rec.problems["outer.tar!/bad.zip"], "corrupt zip") {
		t.Errorf("problems = %v", rec.problems)
	}
	if len(rec.problems) != 2 {
		t.Errorf("want 2 problems (bad.zip, trunc.gz), got %v", rec.problems)
	}
	if rec.found(secret) != "outer.tar!/good.txt" {
		t.Errorf("good member not scanned: %v", rec.content)
	}
	// A file that only starts like a zip is read as what it holds, and
	// still reported as corrupt: the magic bytes must not hide a secret.
	fake := []byte("PK\x03\x04 not really a zip\ntoken=" + secret + "\n")
	rec, ok, err = scanStream(t, "fake.zip", fake, Options{})
	if !ok || err == nil || !strings.Contains(err.Error(), "corrupt zip") {
		t.Errorf("fake.zip: Scan = %v, %v", ok, err)
	}
	if rec.found(secret) != "fake.zip" {
		t.Errorf("fake.zip's content not scanned: %v", rec.content)
	}
	rec, _, _ = scanStream(t, "outer.tar", makeTar(t, entry{name: "lib/fake.jar", data: fake}), Options{})
	if rec.found(secret) != "outer.tar!/lib/fake.jar" || !strings.Contains(rec.problems["outer.tar!/lib/fake.jar"], "corrupt zip") {
		t.Errorf("nested fake.jar: content %v, problems %v", rec.content, rec.problems)
	}
	// Garbage after a valid tar header block: a clear error, no panic.
	tb := makeTar(t, entry{name: "a.txt", data: bytes.Repeat([]byte("a"), 2000)})
	rec, ok, err = scanStream(t, "cut.tar", tb[:700], Options{})
	if !ok || (err == nil && len(rec.problems) == 0) {
		t.Errorf("truncated tar: ok %v err %v problems %v", ok, err, rec.problems)
	}
}

func TestDepthLimit(t *testing.T) {
	t.Parallel()
	s3, s4 := token(), token()
	l4 := makeZip(t, entry{name: "deep.txt", data: []byte(s4)})
	l3 := makeZip(t, entry{name: "l4.zip", data: l4}, entry{name: "s.txt", data: []byte(s3)})
	l2 := makeZip(t, entry{name: "l3.zip", data: l3})
	l1 := makeZip(t, entry{name: "l2.zip", data: l2})
	rec, _, err := scanStream(t, "l1.zip", l1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.found(s3) != "l1.zip!/l2.zip!/l3.zip!/s.txt" {
		t.Errorf("level 3 not scanned: %v", rec.content)
	}
	if rec.found(s4) != "" {
		t.Errorf("level 4 scanned past the depth limit")
	}
	if !strings.Contains(rec.skips["l1.zip!/l2.zip!/l3.zip!/l4.zip"], "depth") {
		t.Errorf("skips = %v", rec.skips)
	}
	rec, _, _ = scanStream(t, "l1.zip", l1, Options{Depth: 4})
	if rec.found(s4) == "" {
		t.Errorf("Depth 4 did not reach level 4")
	}
	// Negative depth: not entered, nothing consumed.
	br := bufio.NewReader(bytes.NewReader(l1))
	ok, err := Scan(context.Background(), br, finding.Origin{Path: "l1.zip"}, Options{Depth: -1}, newRecorder())
	if ok || err != nil {
		t.Errorf("Depth -1: Scan = %v, %v", ok, err)
	}
	if all, _ := io.ReadAll(br); !bytes.Equal(all, l1) {
		t.Errorf("Scan consumed input it did not enter")
	}
}

func TestHostileNames(t *testing.T) {
	t.Parallel()
	s1, s2 := token(), token()
	tb := makeTar(t,
		entry{name: "../../etc/evil.env", data: []byte(s1)},
		entry{name: "/abs/x.env", data: []byte(s2)},
		entry{name: "link", link: "/etc/shadow"},
	)
	rec, _, err := scanStream(t, "t.tar", tb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rec.problems["t.tar!/../../etc/evil.env"], "path traversal") || !strings.Contains(rec.problems["t.tar!//abs/x.env"], "path traversal") {
		t.Errorf("problems = %v", rec.problems)
	}
	// Scanned all the same, under the cleaned name.
	if rec.found(s1) != "t.tar!/etc/evil.env" || rec.found(s2) != "t.tar!/abs/x.env" {
		t.Errorf("content = %v", rec.content)
	}
	if rec.skips["t.tar!/link"] != "symlink" {
		t.Errorf("skips = %v", rec.skips)
	}
	zb := makeZip(t, entry{name: "..\\..\\win.ini", data: []byte(s1)}, entry{name: "l", link: "../../x"})
	rec, _, _ = scanStream(t, "w.zip", zb, Options{})
	if rec.found(s1) != "w.zip!/win.ini" || len(rec.problems) != 1 || rec.skips["w.zip!/l"] != "symlink" {
		t.Errorf("zip: content %v problems %v skips %v", rec.content, rec.problems, rec.skips)
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	var es []entry
	for i := 0; i < 10; i++ {
		es = append(es, entry{name: "f" + string(rune('a'+i)), data: bytes.Repeat([]byte("x"), 1000)})
	}
	tb := makeTar(t, es...)
	rec, _, err := scanStream(t, "many.tar", tb, Options{MaxEntries: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rec.problems["many.tar"], "more than 3 archive entries") || rec.items != 3 {
		t.Errorf("entries: items %d problems %v", rec.items, rec.problems)
	}
	rec, _, err = scanStream(t, "big.tar", tb, Options{MaxBytes: 2500})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.problems) != 1 || rec.items > 2 {
		t.Errorf("bytes: items %d problems %v", rec.items, rec.problems)
	}
	for _, msg := range rec.problems {
		if !strings.Contains(msg, "more than 2500 bytes") {
			t.Errorf("bytes: %q", msg)
		}
	}
	// Large members are skipped by the file size policy, archives are not.
	rec, _, _ = scanStream(t, "sz.tar", makeTar(t, entry{name: "big.txt", data: bytes.Repeat([]byte("y\n"), 600)}, entry{name: "in.zip", data: makeZip(t, entry{name: "s", data: []byte("x")})}), Options{Options: source.Options{MaxFileSize: 1000}})
	if rec.skips["sz.tar!/big.txt"] != "too large" || rec.items != 1 {
		t.Errorf("size: items %d skips %v", rec.items, rec.skips)
	}
}

func TestFormats(t *testing.T) {
	t.Parallel()
	secret := token()
	text := []byte("line one\ntoken=" + secret + "\n")
	var xzBuf, zstBuf bytes.Buffer
	xw, err := xz.NewWriter(&xzBuf)
	if err != nil {
		t.Fatal(err)
	}
	xw.Write(makeTar(t, entry{name: "etc/app.conf", data: text}))
	xw.Close()
	zw, _ := zstd.NewWriter(&zstBuf)
	zw.Write(text)
	zw.Close()
	bz, err := os.ReadFile("testdata/notes.txt.bz2")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string // display path of the content holding the needle
		need string
	}{
		{"a.tgz", gz(t, makeTar(t, entry{name: "x/y.txt", data: text})), "a.tgz!/x/y.txt", secret},
		{"a.txt.gz", gz(t, text), "a.txt.gz!/a.txt", secret},
		{"rootfs.tar.xz", xzBuf.Bytes(), "rootfs.tar.xz!/etc/app.conf", secret},
		{"dump.sql.zst", zstBuf.Bytes(), "dump.sql.zst!/dump.sql", secret},
		{"notes.txt.bz2", bz, "notes.txt.bz2!/notes.txt", "tok_"},
		{"plain.tar", makeTar(t, entry{name: "p", data: text}), "plain.tar!/p", secret},
		{"app.war", makeZip(t, entry{name: "WEB-INF/web.xml", data: text}), "app.war!/WEB-INF/web.xml", secret},
	} {
		rec, ok, err := scanStream(t, tc.name, tc.data, Options{})
		if !ok || err != nil {
			t.Errorf("%s: Scan = %v, %v", tc.name, ok, err)
			continue
		}
		if got := rec.found(tc.need); got != tc.want {
			t.Errorf("%s: found at %q, want %q (problems %v)", tc.name, got, tc.want, rec.problems)
		}
	}
	// Not an archive: false, and Content reads it as plain content.
	rec, ok, err := scanStream(t, "notes.txt", text, Options{})
	if ok || err != nil || len(rec.content) != 0 {
		t.Errorf("plain file: %v %v %v", ok, err, rec.content)
	}
	rec = newRecorder()
	Content(context.Background(), bytes.NewReader(text), int64(len(text)), finding.Origin{Path: "notes.txt"}, Options{}, rec)
	if rec.found(secret) != "notes.txt" || rec.items != 1 {
		t.Errorf("Content: %v", rec.content)
	}
}

func TestSpoolLargeZip(t *testing.T) {
	t.Parallel()
	secret := token()
	noise := make([]byte, 200<<10)
	rand.Read(noise)
	z := makeZip(t, entry{name: "noise.bin", data: noise}, entry{name: "s.env", data: []byte(secret)})
	tb := makeTar(t, entry{name: "big.zip", data: z})
	rec, _, err := scanStream(t, "x.tar", tb, Options{MaxZipMemory: 64 << 10, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if rec.found(secret) != "x.tar!/big.zip!/s.env" {
		t.Errorf("spooled zip not scanned: %v %v", rec.problems, rec.skips)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := newRecorder()
	ok, err := Scan(ctx, bufio.NewReader(bytes.NewReader(makeTar(t, entry{name: "a", data: []byte("x")}))), finding.Origin{Path: "a.tar"}, Options{}, rec)
	if !ok || err != nil || len(rec.problems) != 0 || rec.items != 0 {
		t.Errorf("cancelled: %v %v %v", ok, err, rec.problems)
	}
}

func TestZipEntryCountChecked(t *testing.T) {
	t.Parallel()
	var es []entry
	for i := 0; i < 10; i++ {
		es = append(es, entry{name: "f" + string(rune('a'+i)), data: []byte("x")})
	}
	rec, _, err := scanStream(t, "ten.zip", makeZip(t, es...), Options{MaxEntries: 3})
	if err != nil || !strings.Contains(rec.problems["ten.zip"], "declares 10 entries") || rec.items != 0 {
		t.Errorf("err %v problems %v items %d", err, rec.problems, rec.items)
	}
	// Over 65535 entries: the count is in the zip64 record.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < 70000; i++ {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: "d/" + strings.Repeat("x", i%7) + string(rune('a'+i%26)), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	zw.Close()
	n, ok := zipEntryCount(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if !ok || n != 70000 {
		t.Errorf("zip64 count = %d, %v", n, ok)
	}
}

var token = detectortest.Token

// Compressible data well past 100:1 (a JSON dump, a log) is no bomb when
// the member states a small size: it is scanned to the end, with no
// problem reported. Past the stated size, or without one, the ratio check
// applies as before (TestZipBomb).
func TestHighRatioMemberWithStatedSize(t *testing.T) {
	t.Parallel()
	secret := token()
	data := append(bytes.Repeat([]byte(`{"id": 1, "name": "seat", "price": 100},`+"\n"), 80_000), []byte("API_TOKEN="+secret+"\n")...)
	// EncodeAll writes the frame's content size, as the zstd command does
	// for a file.
	zw, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	zst := zw.EncodeAll(data, nil)
	zw.Close()
	if ratio := len(data) / len(zst); ratio < 200 {
		t.Fatalf("test data compresses only %d:1", ratio)
	}
	for name, archive := range map[string][]byte{
		"catalog.json.zst": zst,
		"dump.zip":         makeZip(t, entry{name: "catalog.json", data: data}),
	} {
		rec, ok, err := scanStream(t, name, archive, Options{})
		if !ok || err != nil {
			t.Fatalf("%s: Scan = %v, %v", name, ok, err)
		}
		if len(rec.problems) > 0 {
			t.Errorf("%s: problems %v", name, rec.problems)
		}
		if rec.found(secret) == "" {
			t.Errorf("%s: secret at the end of a %d-byte member not found", name, len(data))
		}
	}
	// The same content in a gzip stream, which states no size up front, is
	// still held to the ratio from 1 MiB on.
	rec, _, _ := scanStream(t, "catalog.json.gz", gz(t, data), Options{})
	if msg := rec.problems["catalog.json.gz!/catalog.json"]; !strings.Contains(msg, "zip bomb") {
		t.Errorf("gzip stream without a stated size: problems %v", rec.problems)
	}
}

// fragment is a stored part of a sparse tar member; the rest is holes.
type fragment struct {
	off  int64
	data []byte
}

// sparseTarMember is one member of a GNU tar in the old sparse format
// (type 'S', the map in the header), as `tar --sparse` writes: size is
// the file's logical size, frags (at most four) the parts stored. Go's
// tar writer no longer writes sparse files, so the header is built here.
func sparseTarMember(t testing.TB, name string, size int64, frags ...fragment) []byte {
	t.Helper()
	if len(frags) > 4 {
		t.Fatal("at most four fragments fit the header")
	}
	var blk [512]byte
	octal := func(field []byte, v int64) {
		s := strconv.FormatInt(v, 8)
		s = strings.Repeat("0", len(field)-1-len(s)) + s
		copy(field, s)
	}
	copy(blk[0:100], name)
	octal(blk[100:108], 0o644)
	octal(blk[108:116], 0)
	octal(blk[116:124], 0)
	var stored int64
	for _, f := range frags {
		stored += int64(len(f.data))
	}
	octal(blk[124:136], stored)
	octal(blk[136:148], 0)
	blk[156] = tar.TypeGNUSparse
	copy(blk[257:265], "ustar  \x00")
	for i, f := range frags {
		octal(blk[386+24*i:386+24*i+12], f.off)
		octal(blk[386+24*i+12:386+24*i+24], int64(len(f.data)))
	}
	octal(blk[483:495], size)
	copy(blk[148:156], "        ")
	sum := 0
	for _, b := range blk {
		sum += int(b)
	}
	copy(blk[148:156], fmt.Sprintf("%06o\x00 ", sum))
	out := append([]byte(nil), blk[:]...)
	for _, f := range frags {
		out = append(out, f.data...)
	}
	if pad := len(out) % 512; pad != 0 {
		out = append(out, make([]byte, 512-pad)...)
	}
	return out
}

// TestSparseTarHoles: the holes of a sparse member are zeros nobody
// stored. They do not use up the archive's byte budget, so a tiny member
// declaring a large hole leaves the members after it scanned; and they
// have their own cap, which ends only the member that passes it.
func TestSparseTarHoles(t *testing.T) {
	t.Parallel()
	atEnd, after := token(), token()
	const size = 48 << 20
	last := []byte("token=" + atEnd + "\n")
	sparse := sparseTarMember(t, "disk.img", size,
		fragment{off: 4096, data: []byte("header block\n")},
		fragment{off: size - int64(len(last)), data: last})
	regular := makeTar(t, entry{name: "after.env", data: []byte("API_TOKEN=" + after + "\n")})
	archive := append(sparse, regular...) // makeTar's end-of-archive blocks close both

	// Check that Go's tar reader takes the header as sparse, so the test
	// measures holes and not a corrupt member.
	tr := tar.NewReader(bytes.NewReader(archive))
	hdr, err := tr.Next()
	if err != nil || hdr.Size != size {
		t.Fatalf("sparse member: %+v, %v", hdr, err)
	}

	rec, _, err := scanStream(t, "backup.tar", archive, Options{MaxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.problems) != 0 {
		t.Errorf("problems: %v", rec.problems)
	}
	if p := rec.found(atEnd); p != "backup.tar!/disk.img" {
		t.Errorf("secret stored after a 48 MiB hole found at %q", p)
	}
	if p := rec.found(after); p != "backup.tar!/after.env" {
		t.Errorf("member after the sparse one found at %q", p)
	}

	// A hole cap ends the sparse member, reported, and the scan goes on.
	rec, _, err = scanStream(t, "backup.tar", archive, Options{MaxBytes: 1 << 20, MaxHoleBytes: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if msg := rec.problems["backup.tar!/disk.img"]; !strings.Contains(msg, "sparse file holes over 8388608 bytes") {
		t.Errorf("hole cap: problems %v", rec.problems)
	}
	if rec.found(atEnd) != "" {
		t.Error("secret past the hole cap reported as scanned")
	}
	if p := rec.found(after); p != "backup.tar!/after.env" {
		t.Errorf("member after the capped one found at %q", p)
	}
}
