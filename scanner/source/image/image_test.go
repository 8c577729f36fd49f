package image

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/compression"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
	"github.com/leakhound/leakhound/scanner/source"
)

var (
	engineOnce sync.Once
	engine     *detectors.Engine
)

func testEngine(t *testing.T) *detectors.Engine {
	t.Helper()
	engineOnce.Do(func() {
		cfg := &rules.Config{Rules: []rules.Rule{detectortest.TokenRule}}
		e, err := detectors.New(cfg)
		if err != nil {
			panic(err)
		}
		engine = e
	})
	return engine
}

// sink runs the engine and records what the source reports.
type sink struct {
	eng      *detectors.Engine
	mu       sync.Mutex
	findings []finding.Finding
	paths    []string
	problems map[string]string
	skips    map[string]string
	items    int
}

func newSink(t *testing.T) *sink {
	return &sink{eng: testEngine(t), problems: map[string]string{}, skips: map[string]string{}}
}

func (s *sink) Chunk(c finding.Chunk) {
	fs := s.eng.Detect(c)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.findings = append(s.findings, fs...)
	s.paths = append(s.paths, c.Origin.DisplayPath())
}
func (s *sink) Item(int64) { s.mu.Lock(); s.items++; s.mu.Unlock() }
func (s *sink) Skip(p, reason string) {
	s.mu.Lock()
	s.skips[p] = reason
	s.mu.Unlock()
}
func (s *sink) Problem(p string, err error) {
	s.mu.Lock()
	s.problems[p] = err.Error()
	s.mu.Unlock()
}

// find returns the findings of secret.
func (s *sink) find(secret string) []finding.Finding {
	var out []finding.Finding
	for _, f := range s.findings {
		if f.Secret == secret {
			out = append(out, f)
		}
	}
	return out
}

func (s *sink) one(t *testing.T, secret string) finding.Location {
	t.Helper()
	fs := s.find(secret)
	if len(fs) != 1 {
		t.Fatalf("%d findings of %s, want 1 (problems %v)", len(fs), secret, s.problems)
	}
	return fs[0].Location
}

func scan(t *testing.T, opts Options) (*sink, error) {
	t.Helper()
	max := opts.MaxFileSize
	if max == 0 {
		max = 10 << 20
	}
	opts.Options = source.Options{MaxFileSize: max, ChunkSize: source.DefaultChunkSize, Overlap: detectors.MaxOverlap}
	src, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	s := newSink(t)
	return s, src.Scan(context.Background(), s)
}

type file struct {
	name, body string
	link       string
}

func tarOf(t testing.TB, files ...file) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg}
		if f.link != "" {
			h = &tar.Header{Name: f.name, Linkname: f.link, Typeflag: tar.TypeSymlink, Mode: 0o777}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, f.body)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func layer(t testing.TB, files ...file) v1.Layer {
	t.Helper()
	b := tarOf(t, files...)
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// build makes an image from layers, each with its history line, and sets
// the config.
func build(t testing.TB, arch string, cfg v1.Config, layers []v1.Layer, history []string) v1.Image {
	t.Helper()
	img := empty.Image
	var err error
	for i, l := range layers {
		if img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: v1.History{CreatedBy: history[i]}}); err != nil {
			t.Fatal(err)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	cf.Config = cfg
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	return img
}

func TestDockerSaveDeletedSecretEnvHistory(t *testing.T) {
	t.Parallel()
	deleted, env, hist, label, kept := token(), token(), token(), token(), token()
	layers := []v1.Layer{
		layer(t, file{name: "etc/os-release", body: "ID=test\n"}),
		layer(t, file{name: "app/.env", body: "# app\nAPI_TOKEN=" + deleted + "\n"}, file{name: "app/keep.txt", body: "k=" + kept + "\n"}),
		layer(t, file{name: "app/.wh..env"}, file{name: "app/.wh..wh..opq"}, file{name: "app/link", link: "/etc/shadow"}, file{name: "app/other.txt", body: "hello\n"}),
	}
	img := build(t, "amd64", v1.Config{
		Env:    []string{"PATH=/usr/bin", "APP_TOKEN=" + env},
		Cmd:    []string{"/app/run"},
		Labels: map[string]string{"a": "b", "token": label},
	}, layers, []string{"ADD rootfs /", "RUN curl -H 'X-Token: " + hist + "' https://example.invalid/setup | sh", "RUN rm /app/.env"})
	path := filepath.Join(t.TempDir(), "app.tar")
	tag, _ := name.NewTag("example.invalid/team/app:1.0")
	if err := tarball.WriteToFile(path, tag, img); err != nil {
		t.Fatal(err)
	}
	s, err := scan(t, Options{Targets: []string{path}})
	if err != nil {
		t.Fatal(err)
	}
	diffID, _ := layers[1].DiffID()
	loc := s.one(t, deleted)
	if loc.Kind != "image" || loc.Image != path || loc.Layer != diffID.String() || loc.LayerIndex != 1 || loc.Path != "app/.env" || loc.Line != 2 {
		t.Errorf("deleted secret: %+v", loc.Origin)
	}
	if loc := s.one(t, env); loc.Layer != "config" || loc.Path != "config:Env" || loc.Line != 2 {
		t.Errorf("env secret: %+v line %d", loc.Origin, loc.Line)
	}
	if loc := s.one(t, hist); loc.Layer != "config" || loc.Path != "config:history[1].created_by" {
		t.Errorf("history secret: %+v", loc.Origin)
	}
	if loc := s.one(t, label); loc.Path != "config:Labels" || loc.Line != 2 {
		t.Errorf("label secret: %+v line %d", loc.Origin, loc.Line)
	}
	s.one(t, kept)
	for _, p := range s.paths {
		if strings.Contains(p, ".wh.") {
			t.Errorf("whiteout scanned as content: %s", p)
		}
	}
	if s.skips["app/link"] != "symlink" || len(s.problems) != 0 {
		t.Errorf("skips %v problems %v", s.skips, s.problems)
	}

	// The same image gzip-compressed (docker save | gzip).
	gzPath := path + ".gz"
	raw, _ := os.ReadFile(path)
	var gzBuf bytes.Buffer
	zw := newGzip(&gzBuf)
	zw.Write(raw)
	zw.Close()
	os.WriteFile(gzPath, gzBuf.Bytes(), 0o644)
	s, err = scan(t, Options{Targets: []string{gzPath}})
	if err != nil {
		t.Fatal(err)
	}
	if loc := s.one(t, deleted); loc.Layer != diffID.String() || loc.LayerIndex != 1 {
		t.Errorf("gzipped tarball: %+v", loc.Origin)
	}
	s.one(t, kept)
	s.one(t, env)
	s.one(t, hist)
	if len(s.problems) != 0 {
		t.Errorf("gzipped tarball: %v", s.problems)
	}
}

// multiArch builds an index of two images sharing a base layer.
func multiArch(t *testing.T) (idx v1.ImageIndex, shared, amd, arm string) {
	shared, amd, arm = token(), token(), token()
	base := layer(t, file{name: "etc/base.conf", body: "token=" + shared + "\n"})
	a := build(t, "amd64", v1.Config{}, []v1.Layer{base, layer(t, file{name: "bin/a.conf", body: "t=" + amd + "\n"})}, []string{"ADD base", "ADD a"})
	b := build(t, "arm64", v1.Config{}, []v1.Layer{base, layer(t, file{name: "bin/b.conf", body: "t=" + arm + "\n"})}, []string{"ADD base", "ADD b"})
	idx = mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: a, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: b, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}},
	)
	return idx, shared, amd, arm
}

func TestOCILayoutMultiArch(t *testing.T) {
	t.Parallel()
	idx, shared, amd, arm := multiArch(t)
	dir := filepath.Join(t.TempDir(), "layout")
	if _, err := layout.Write(dir, idx); err != nil {
		t.Fatal(err)
	}
	// The same layout as a tar.
	tarPath := filepath.Join(t.TempDir(), "layout.tar")
	tarDir(t, dir, tarPath)
	for _, target := range []string{dir, tarPath} {
		s, err := scan(t, Options{Targets: []string{target}, Platform: "linux/arm64"})
		if err != nil {
			t.Fatal(err)
		}
		if len(s.find(amd)) != 0 || len(s.find(arm)) != 1 || len(s.find(shared)) != 1 {
			t.Errorf("%s arm64: findings %v", target, s.findings)
		}
		if loc := s.one(t, arm); loc.Image != target || loc.LayerIndex != 1 {
			t.Errorf("%s: %+v", target, loc.Origin)
		}
		s, err = scan(t, Options{Targets: []string{target}, AllPlatforms: true})
		if err != nil {
			t.Fatal(err)
		}
		// The shared base layer is scanned once.
		if len(s.find(amd)) != 1 || len(s.find(arm)) != 1 || len(s.find(shared)) != 1 {
			t.Errorf("%s all platforms: %d %d %d findings", target, len(s.find(amd)), len(s.find(arm)), len(s.find(shared)))
		}
		if loc := s.one(t, amd); !strings.HasPrefix(loc.Image, target+"@sha256:") {
			t.Errorf("image of one of several: %q", loc.Image)
		}
		_, err = scan(t, Options{Targets: []string{target}, Platform: "windows/amd64"})
		var te *TargetError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), "linux/arm64/v8") {
			t.Errorf("missing platform: %v", err)
		}
	}
}

func tarDir(t *testing.T, dir, out string) {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	if err := tw.AddFS(os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRegistry(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(registry.New(registry.Logger(nopLogger())))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	idx, shared, amd, arm := multiArch(t)
	ref, err := name.ParseReference(host + "/team/app:1.0")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	single := token()
	img := build(t, "amd64", v1.Config{Env: []string{"K=" + single}}, []v1.Layer{layer(t, file{name: "x", body: "y"})}, []string{"ADD x"})
	ref2, _ := name.ParseReference(host + "/team/single:latest")
	if err := remote.Write(ref2, img); err != nil {
		t.Fatal(err)
	}

	s, err := scan(t, Options{Targets: []string{host + "/team/app:1.0", host + "/team/single:latest"}, Platform: "linux/amd64", Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.find(arm)) != 0 || len(s.find(amd)) != 1 || len(s.find(shared)) != 1 {
		t.Errorf("amd64 from registry: %v (problems %v)", s.findings, s.problems)
	}
	if loc := s.one(t, amd); loc.Image != host+"/team/app:1.0" || !strings.HasPrefix(loc.Layer, "sha256:") {
		t.Errorf("registry origin: %+v", loc.Origin)
	}
	if loc := s.one(t, single); loc.Image != host+"/team/single:latest" || loc.Path != "config:Env" {
		t.Errorf("single: %+v", loc.Origin)
	}
	// By digest, every platform.
	d, _ := idx.Digest()
	s, err = scan(t, Options{Targets: []string{host + "/team/app@" + d.String()}, AllPlatforms: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.find(arm)) != 1 || len(s.find(amd)) != 1 || len(s.find(shared)) != 1 {
		t.Errorf("all platforms from registry: %v", s.findings)
	}
	// A registry's error is not the user's to fix with a flag: exit 3.
	_, err = scan(t, Options{Targets: []string{host + "/team/missing:1"}})
	var re *RegistryError
	if !errors.As(err, &re) {
		t.Errorf("missing image: %v", err)
	}
}

func TestArchivesInLayer(t *testing.T) {
	t.Parallel()
	deep, after := token(), token()
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("conf/app.properties")
	io.WriteString(w, "app.token="+deep+"\n")
	zw.Close()
	bundle := tarOf(t, file{name: "lib/app.zip", body: zbuf.String()})
	var bomb bytes.Buffer
	bw := zip.NewWriter(&bomb)
	w, _ = bw.Create("zeros.txt")
	w.Write(make([]byte, 32<<20))
	bw.Close()
	l := layer(t,
		file{name: "srv/bundle.tar", body: string(bundle)},
		file{name: "srv/bomb.zip", body: bomb.String()},
		file{name: "srv/after.txt", body: after},
		file{name: "srv/big.log", body: strings.Repeat("log line "+token()+"\n", 2000)},
	)
	img := build(t, "amd64", v1.Config{}, []v1.Layer{l}, []string{"ADD srv"})
	dir := filepath.Join(t.TempDir(), "layout")
	if _, err := layout.Write(dir, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img})); err != nil {
		t.Fatal(err)
	}
	// The bomb zip is over the size limit but, being an archive, is
	// entered; the big log is skipped unread.
	s, err := scan(t, Options{Targets: []string{dir}, Options: source.Options{MaxFileSize: 16 << 10}})
	if err != nil {
		t.Fatal(err)
	}
	if s.skips["srv/big.log"] != "too large" || len(s.findings) != 2 {
		t.Errorf("skips %v, %d findings", s.skips, len(s.findings))
	}
	loc := s.one(t, deep)
	if loc.Archive != "srv/bundle.tar!/lib/app.zip" || loc.Path != "conf/app.properties" || loc.Layer == "" || loc.Kind != "image" {
		t.Errorf("nested: %+v", loc.Origin)
	}
	if msg := s.problems["srv/bomb.zip!/zeros.txt"]; !strings.Contains(msg, "zip bomb") || !strings.Contains(msg, "layer 0 (sha256:") {
		t.Errorf("problems: %v", s.problems)
	}
	s.one(t, after)
}

func TestCorruptLayer(t *testing.T) {
	t.Parallel()
	first, last := token(), token()
	layers := []v1.Layer{
		layer(t, file{name: "a.txt", body: first}),
		layer(t, file{name: "big.bin", body: strings.Repeat("corrupt me ", 100000)}),
		layer(t, file{name: "c.txt", body: last}),
	}
	img := build(t, "amd64", v1.Config{}, layers, []string{"a", "b", "c"})
	dir := filepath.Join(t.TempDir(), "layout")
	if _, err := layout.Write(dir, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img})); err != nil {
		t.Fatal(err)
	}
	bad, _ := layers[1].Digest()
	p := filepath.Join(dir, "blobs", "sha256", bad.Hex)
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, raw[:len(raw)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := scan(t, Options{Targets: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	s.one(t, first)
	s.one(t, last)
	if msg := s.problems[bad.String()]; !strings.Contains(msg, "layer 1") {
		t.Errorf("problems: %v", s.problems)
	}
}

func TestBadTargets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notImage := filepath.Join(dir, "x.tar")
	os.WriteFile(notImage, tarOf(t, file{name: "a", body: "b"}), 0o644)
	for _, target := range []string{dir, notImage, filepath.Join(dir, "missing.tar"), "missing.tar", "./missing", "UPPER/case:tag"} {
		_, err := scan(t, Options{Targets: []string{target}})
		var te *TargetError
		var re *RegistryError
		if !errors.As(err, &te) || errors.As(err, &re) {
			t.Errorf("%s: %v", target, err)
		}
	}
	if _, err := New(Options{Targets: []string{"x"}, Platform: "linux"}); err == nil {
		t.Errorf("bad platform accepted")
	}
}

func TestRandomImageLayers(t *testing.T) {
	t.Parallel()
	// Binary layer content from go-containerregistry's random images has
	// its printable strings scanned, without problems or findings.
	img, err := random.Image(4096, 3)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.tar")
	tag, _ := name.NewTag("r:1")
	if err := tarball.WriteToFile(path, tag, img); err != nil {
		t.Fatal(err)
	}
	s, err := scan(t, Options{Targets: []string{path}})
	if err != nil || len(s.problems) != 0 {
		t.Fatalf("%v %v", err, s.problems)
	}
	if len(s.findings) != 0 {
		t.Errorf("findings %v", s.findings)
	}
}

func newGzip(w io.Writer) *gzip.Writer { return gzip.NewWriter(w) }

func nopLogger() *log.Logger { return log.New(io.Discard, "", 0) }

func TestArtifactsInIndexAreNotImages(t *testing.T) {
	t.Parallel()
	secret := token()
	img := build(t, "amd64", v1.Config{}, []v1.Layer{layer(t, file{name: "a.env", body: "T=" + secret})}, []string{"ADD a"})
	sig := mutate.ConfigMediaType(build(t, "amd64", v1.Config{}, []v1.Layer{layer(t, file{name: "sig", body: "x"})}, []string{"sig"}),
		"application/vnd.dev.cosign.simplesigning.v1+json")
	dir := filepath.Join(t.TempDir(), "layout")
	if _, err := layout.Write(dir, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img}, mutate.IndexAddendum{Add: sig})); err != nil {
		t.Fatal(err)
	}
	s, err := scan(t, Options{Targets: []string{dir}})
	if err != nil || len(s.problems) != 0 {
		t.Fatalf("%v %v", err, s.problems)
	}
	s.one(t, secret)
}

func TestZstdLayer(t *testing.T) {
	t.Parallel()
	secret := token()
	b := tarOf(t, file{name: "etc/app.conf", body: "token=" + secret + "\n"})
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil },
		tarball.WithCompression(compression.ZStd))
	if err != nil {
		t.Fatal(err)
	}
	img := build(t, "amd64", v1.Config{}, []v1.Layer{l}, []string{"ADD conf"})
	dir := filepath.Join(t.TempDir(), "layout")
	if _, err := layout.Write(dir, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img})); err != nil {
		t.Fatal(err)
	}
	s, err := scan(t, Options{Targets: []string{dir}})
	if err != nil || len(s.problems) != 0 {
		t.Fatalf("%v %v", err, s.problems)
	}
	if loc := s.one(t, secret); loc.Path != "etc/app.conf" {
		t.Errorf("%+v", loc.Origin)
	}
}

// cancelSink cancels the scan at the first chunk.
type cancelSink struct {
	*sink
	cancel context.CancelFunc
}

func (c *cancelSink) Chunk(finding.Chunk) { c.cancel() }

func TestCancel(t *testing.T) {
	t.Parallel()
	var files []file
	for i := 0; i < 500; i++ {
		files = append(files, file{name: "f/" + strings.Repeat("x", i%50) + string(rune('a'+i%26)) + ".txt", body: strings.Repeat("text\n", 2000)})
	}
	var layers []v1.Layer
	var hist []string
	for i := 0; i < 4; i++ {
		layers = append(layers, layer(t, files...))
		hist = append(hist, "ADD f")
	}
	img := build(t, "amd64", v1.Config{}, layers, hist)
	dir := filepath.Join(t.TempDir(), "layout")
	if _, err := layout.Write(dir, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img})); err != nil {
		t.Fatal(err)
	}
	src, err := New(Options{Targets: []string{dir}, Options: source.Options{ChunkSize: source.DefaultChunkSize, Overlap: 1024}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &cancelSink{sink: newSink(t), cancel: cancel}
	done := make(chan error, 1)
	go func() { done <- src.Scan(ctx, s) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Scan = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Scan did not stop after cancel")
	}
}

func TestInFinalImage(t *testing.T) {
	t.Parallel()
	gone, opaque, kept, replaced, zipped, replacement, deepGone := token(), token(), token(), token(), token(), token(), token()
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("conf/app.properties")
	io.WriteString(w, "t="+zipped+"\n")
	zw.Close()
	layers := []v1.Layer{
		layer(t,
			file{name: "a/secret.env", body: gone},
			file{name: "d/x.env", body: opaque},
			file{name: "keep.env", body: kept},
			file{name: "rep.env", body: replaced},
			file{name: "srv/app.zip", body: zbuf.String()},
			file{name: "var/lib/x/deep.env", body: deepGone},
		),
		layer(t,
			file{name: "a/.wh.secret.env"},
			file{name: "d/.wh..wh..opq"},
			file{name: "rep.env", body: replacement},
			file{name: "var/.wh.lib"},
		),
		layer(t, file{name: "other.txt", body: "x"}),
	}
	img := build(t, "amd64", v1.Config{Env: []string{"T=" + token()}}, layers, []string{"a", "b", "c"})
	dir := filepath.Join(t.TempDir(), "layout")
	if _, err := layout.Write(dir, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img})); err != nil {
		t.Fatal(err)
	}
	src, err := New(Options{Targets: []string{dir}, Options: source.Options{ChunkSize: source.DefaultChunkSize, Overlap: 1024}})
	if err != nil {
		t.Fatal(err)
	}
	s := newSink(t)
	if err := src.Scan(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	for secret, want := range map[string]bool{gone: false, opaque: false, kept: true, replaced: false, zipped: true, replacement: true, deepGone: false} {
		present, ok := src.InFinalImage(s.one(t, secret).Origin)
		if !ok || present != want {
			t.Errorf("%s: InFinalImage = %v, %v; want %v", s.one(t, secret).Path, present, ok, want)
		}
	}
	for _, f := range s.findings {
		if f.Location.Layer == "config" {
			if _, ok := src.InFinalImage(f.Location.Origin); ok {
				t.Errorf("config finding has a final-image answer")
			}
		}
	}
}

// TestDockerSaveUncompressedLayers builds the tarball `docker save` writes:
// uncompressed layer tars next to the config, named by manifest.json.
func TestDockerSaveUncompressedLayers(t *testing.T) {
	t.Parallel()
	secret := token()
	lt := tarOf(t, file{name: "etc/app.env", body: "TOKEN=" + secret + "\n"})
	diff, _, err := v1.SHA256(bytes.NewReader(lt))
	if err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[%q]},"history":[{"created_by":"COPY app.env /etc/"}]}`, diff.String())
	cfgName, _, _ := v1.SHA256(strings.NewReader(cfg))
	manifest := fmt.Sprintf(`[{"Config":"%s.json","RepoTags":["app:1"],"Layers":["abc/layer.tar"]}]`, cfgName.Hex)
	path := filepath.Join(t.TempDir(), "save.tar")
	os.WriteFile(path, tarOf(t,
		file{name: cfgName.Hex + ".json", body: cfg},
		file{name: "abc/layer.tar", body: string(lt)},
		file{name: "manifest.json", body: manifest},
	), 0o644)
	s, err := scan(t, Options{Targets: []string{path}})
	if err != nil || len(s.problems) != 0 {
		t.Fatalf("%v %v", err, s.problems)
	}
	if loc := s.one(t, secret); loc.Layer != diff.String() || loc.Path != "etc/app.env" || loc.LayerIndex != 0 {
		t.Errorf("%+v", loc.Origin)
	}
}

var token = detectortest.Token

// A layer changed after its image's manifest and config were written
// (docker save tarball, plain or gzip-compressed, or OCI layout) is
// scanned, and reported as not matching its digest.
func TestLayerDigestMismatch(t *testing.T) {
	t.Parallel()
	orig, altered, other := token(), token(), token()
	good := tarOf(t, file{name: "etc/app.env", body: "TOKEN=" + orig + "\n"})
	bad := tarOf(t, file{name: "etc/app.env", body: "TOKEN=" + altered + "\n"})
	second := tarOf(t, file{name: "etc/other.env", body: "TOKEN=" + other + "\n"})
	diff, _, _ := v1.SHA256(bytes.NewReader(good))
	diff2, _, _ := v1.SHA256(bytes.NewReader(second))
	cfg := fmt.Sprintf(`{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[%q,%q]}}`, diff.String(), diff2.String())
	cfgName, _, _ := v1.SHA256(strings.NewReader(cfg))
	manifest := fmt.Sprintf(`[{"Config":"%s.json","RepoTags":["app:1"],"Layers":["a/layer.tar","b/layer.tar"]}]`, cfgName.Hex)
	save := tarOf(t,
		file{name: cfgName.Hex + ".json", body: cfg},
		file{name: "a/layer.tar", body: string(bad)}, // edited after the config named good's digest
		file{name: "b/layer.tar", body: string(second)},
		file{name: "manifest.json", body: manifest},
	)
	dir := t.TempDir()
	plain := filepath.Join(dir, "save.tar")
	os.WriteFile(plain, save, 0o644)
	var gz bytes.Buffer
	zw := newGzip(&gz)
	zw.Write(save)
	zw.Close()
	compressed := filepath.Join(dir, "save.tar.gz")
	os.WriteFile(compressed, gz.Bytes(), 0o644)

	// An OCI layout whose first layer blob was replaced by another valid
	// gzip of other content.
	layers := []v1.Layer{layer(t, file{name: "etc/app.env", body: "TOKEN=" + orig + "\n"}), layer(t, file{name: "etc/other.env", body: "TOKEN=" + other + "\n"})}
	img := build(t, "amd64", v1.Config{}, layers, []string{"a", "b"})
	oci := filepath.Join(dir, "layout")
	if _, err := layout.Write(oci, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img})); err != nil {
		t.Fatal(err)
	}
	digest, _ := layers[0].Digest()
	var gzBad bytes.Buffer
	zw = newGzip(&gzBad)
	zw.Write(bad)
	zw.Close()
	os.WriteFile(filepath.Join(oci, "blobs", "sha256", digest.Hex), gzBad.Bytes(), 0o644)

	for _, tc := range []struct{ name, target, layer string }{
		{"docker save", plain, diff.String()},
		{"docker save | gzip", compressed, diff.String()},
		{"OCI layout", oci, digest.String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := scan(t, Options{Targets: []string{tc.target}})
			if err != nil {
				t.Fatal(err)
			}
			if loc := s.one(t, altered); loc.Layer != tc.layer || loc.LayerIndex != 0 {
				t.Errorf("finding in the altered layer: %+v", loc.Origin)
			}
			s.one(t, other)
			if len(s.problems) != 1 {
				t.Fatalf("problems %v, want one for layer 0", s.problems)
			}
			if msg := s.problems[tc.layer]; !strings.Contains(msg, "layer 0: layer content does not match its digest "+tc.layer) {
				t.Errorf("problems: %v", s.problems)
			}
		})
	}
}

// A cancelled scan of a compressed tarball ends within a second even in
// the middle of a huge member (here, while the tarball is indexed).
func TestCancelInLargeMember(t *testing.T) {
	t.Parallel()
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	tw := tar.NewWriter(zw)
	const size = 1 << 30
	tw.WriteHeader(&tar.Header{Name: "padding.bin", Mode: 0o644, Size: size, Typeflag: tar.TypeReg})
	zeros := make([]byte, 1<<20)
	for n := 0; n < size; n += len(zeros) {
		tw.Write(zeros)
	}
	tw.WriteHeader(&tar.Header{Name: "manifest.json", Mode: 0o644, Size: 2, Typeflag: tar.TypeReg})
	tw.Write([]byte("[]"))
	tw.Close()
	zw.Close()
	path := filepath.Join(t.TempDir(), "big.tar.gz")
	if err := os.WriteFile(path, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := New(Options{Targets: []string{path}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Scan(ctx, newSink(t)) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	cancelled := time.Now()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Scan = %v, want context.Canceled", err)
		}
		if d := time.Since(cancelled); d > 5*time.Second { // generous: -race on a loaded 2-core CI machine
			t.Errorf("Scan returned %v after the cancel", d)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Scan did not stop after cancel")
	}
}
