// Package image is the source for container images: a `docker save`
// tarball, an OCI image layout (a directory or its tar), or a registry
// reference. It scans every file of every layer, not just the flattened
// filesystem, since a secret added in one layer and deleted in a later one
// is still in the image for anyone who pulls it; whiteout markers are not
// content. It also scans the image config fields where build-time secrets
// leak: Env, Cmd, Entrypoint, Labels, OnBuild and every history entry's
// created_by.
//
// Layers are streamed (decompressed through a tar reader, never unpacked
// to disk nor held whole in memory) and scanned once per run even when
// several images or platforms share them. Files inside layers go through
// package archive, so jars, zips and tarballs in an image are entered.
package image

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/scanner/source"
	"github.com/leakhound/leakhound/scanner/source/archive"
)

// Options configure an image scan.
type Options struct {
	source.Options
	// Archive sets how archives inside layers are entered; its embedded
	// source.Options are replaced by the ones above.
	Archive archive.Options
	// Targets are docker-save tarballs, OCI layouts (directory or tar) or
	// registry references.
	Targets []string
	// Platform ("os/arch" or "os/arch/variant") picks the image from a
	// multi-platform index; default linux on the host's architecture.
	Platform string
	// AllPlatforms scans every image of an index.
	AllPlatforms bool
	// Insecure allows plain HTTP (and falls back to it) for registries.
	Insecure bool
	// Keychain gives registry credentials; default authn.DefaultKeychain
	// (~/.docker/config.json and credential helpers).
	Keychain authn.Keychain
	// Transport replaces the HTTP transport (tests, proxies).
	Transport http.RoundTripper
	// Workers is the number of files scanned at once (default
	// GOMAXPROCS); LayerWorkers the number of layers decompressed at once
	// (default min(4, Workers)).
	Workers, LayerWorkers int
}

// Source scans container images.
type Source struct {
	opts     Options
	platform v1.Platform
	final    finalFS
}

// New checks the options and returns an image source.
func New(opts Options) (*Source, error) {
	if len(opts.Targets) == 0 {
		return nil, errors.New("no image to scan")
	}
	s := &Source{opts: opts}
	p := opts.Platform
	if p == "" {
		p = "linux/" + runtime.GOARCH
	}
	plat, err := v1.ParsePlatform(p)
	if err != nil || plat.OS == "" || plat.Architecture == "" {
		return nil, fmt.Errorf("bad platform %q: want os/arch or os/arch/variant", opts.Platform)
	}
	s.platform = *plat
	if s.opts.Workers <= 0 {
		s.opts.Workers = runtime.GOMAXPROCS(0)
	}
	if s.opts.LayerWorkers <= 0 {
		s.opts.LayerWorkers = min(4, s.opts.Workers)
	}
	s.opts.Archive.Options = opts.Options
	return s, nil
}

// TargetError is a target that could not be opened or resolved: no such
// file, not an image, no such reference, or no image for the platform
// (the user's to fix: source.TargetError, like every source's).
type TargetError = source.TargetError

// RegistryError is a registry that could not be reached or answered with
// an error: the target may be right, the scan could not happen (exit 3,
// not a usage error).
type RegistryError struct {
	Target string
	Err    error
}

func (e *RegistryError) Error() string { return fmt.Sprintf("image %s: %v", e.Target, e.Err) }
func (e *RegistryError) Unwrap() error { return e.Err }

// resolved is one image to scan.
type resolved struct {
	name string // what findings' Image says
	img  v1.Image
	// diffIDs: name layers by their uncompressed digest (docker save
	// tarballs, where that is Docker's own layer id and the compressed
	// digest would cost a gzip of the layer).
	diffIDs bool
	// raw, when set, opens layer i as stored (compressed or not) without
	// go-containerregistry, which would inflate it with the standard
	// library's slower gzip.
	raw func(i int) (io.ReadCloser, error)
	// stream, when set, is a gzip-compressed docker save tarball whose
	// layers (at layerPaths in it) are read in one pass over it.
	stream     *tarFile
	layerPaths []string
	// checkDigests: the layers are read from disk with no check that
	// they are what the manifest names (an OCI layout); registry blobs
	// are checked by go-containerregistry. Docker save layers, named by
	// diff id, are always checked.
	checkDigests bool
}

// Scan resolves every target, then scans each image's config and every
// layer not scanned before in this run.
func (s *Source) Scan(ctx context.Context, sink source.Sink) error {
	var images []resolved
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	for _, t := range s.opts.Targets {
		imgs, c, err := s.resolve(ctx, t)
		if c != nil {
			closers = append(closers, c)
		}
		if err != nil {
			var te *TargetError
			var re *RegistryError
			if errors.As(err, &te) || errors.As(err, &re) {
				return err
			}
			return &TargetError{Target: "image " + t, Err: err}
		}
		images = append(images, imgs...)
	}

	sc := newScheduler(ctx, s, sink)
	seenConfig := map[string]bool{}
	seenLayer := map[string]bool{}
	streamed := map[*tarFile][]streamedLayer{}
	for _, r := range images {
		if ctx.Err() != nil {
			break
		}
		if h, err := r.img.ConfigName(); err == nil {
			if seenConfig[h.String()] {
				continue // the same image reached twice
			}
			seenConfig[h.String()] = true
		}
		// (Not for docker save tarballs: their manifest is computed, and
		// computing it gzips every uncompressed layer to digest it.)
		if m, err := manifestOf(r); err == nil && !isImageConfig(m.Config.MediaType) {
			// A signature, SBOM or other artifact stored as a manifest.
			sink.Skip(r.name, "not a container image")
			continue
		}
		s.scanConfig(r, sink)
		layers, err := r.img.Layers()
		if err != nil {
			sink.Problem(r.name, fmt.Errorf("list layers: %w", err))
			continue
		}
		cf, _ := r.img.ConfigFile() // its error is reported by scanConfig
		ids := make([]string, len(layers))
		s.final.image(r.name, ids)
		for i, l := range layers {
			id, key, err := layerID(l, i, cf, r.diffIDs)
			if err != nil {
				sink.Problem(fmt.Sprintf("%s layer %d", r.name, i), fmt.Errorf("layer digest: %w", err))
				continue
			}
			ids[i] = id
			if seenLayer[key] {
				continue
			}
			seenLayer[key] = true
			j := layerJob{image: r.name, layer: l, id: id, index: i, viaUncompressed: r.diffIDs}
			if r.diffIDs {
				j.wantDiffID = id
			} else if r.checkDigests {
				j.wantDigest = id
			}
			if r.stream != nil && i < len(r.layerPaths) {
				// Read in one pass over the whole tarball, below.
				streamed[r.stream] = append(streamed[r.stream], streamedLayer{path: r.layerPaths[i], job: j})
				continue
			}
			if r.raw != nil {
				i := i
				j.raw = func() (io.ReadCloser, error) { return r.raw(i) }
			}
			sc.layer(j)
		}
	}
	for t, layers := range streamed {
		if ctx.Err() == nil {
			sc.stream(t, layers)
		}
	}
	sc.wait()
	return ctx.Err()
}

func manifestOf(r resolved) (*v1.Manifest, error) {
	if r.diffIDs {
		return nil, errors.New("no stored manifest")
	}
	return r.img.Manifest()
}

// isImageConfig tells container image configs from the configs of other
// artifacts (cosign signatures, SBOMs, Helm charts) that share manifests.
func isImageConfig(mt types.MediaType) bool {
	return mt == "" || mt == types.DockerConfigJSON || mt == types.OCIConfigJSON
}

// layerID names a layer in findings and gives the key it is deduplicated
// on: the uncompressed digest (from the config's rootfs.diff_ids; asking
// the layer would decompress it to hash it), which is the same however a
// registry or tarball compressed the layer.
func layerID(l v1.Layer, i int, cf *v1.ConfigFile, useDiffID bool) (id, key string, err error) {
	var diff string
	if cf != nil && len(cf.RootFS.DiffIDs) > i {
		diff = cf.RootFS.DiffIDs[i].String()
	}
	if useDiffID {
		if diff == "" {
			h, err := l.DiffID()
			if err != nil {
				return "", "", err
			}
			diff = h.String()
		}
		return diff, diff, nil
	}
	d, err := l.Digest()
	if err != nil {
		return "", "", err
	}
	if diff == "" {
		diff = d.String()
	}
	return d.String(), diff, nil
}

// scanConfig scans the config fields where build secrets leak. Each field
// is one chunk, one line per entry, so a finding's line says which entry.
func (s *Source) scanConfig(r resolved, sink source.Sink) {
	cf, err := r.img.ConfigFile()
	if err != nil {
		sink.Problem(r.name+" config", fmt.Errorf("read image config: %w", err))
		return
	}
	emit := func(field string, lines []string) {
		if len(lines) == 0 {
			return
		}
		data := []byte(strings.Join(lines, "\n") + "\n")
		sink.Chunk(finding.Chunk{
			Origin: finding.Origin{Kind: "image", Image: r.name, Layer: "config", LayerIndex: -1, Path: "config:" + field},
			Data:   data,
		})
		sink.Item(int64(len(data)))
	}
	c := cf.Config
	emit("Env", c.Env)
	emit("Cmd", c.Cmd)
	emit("Entrypoint", c.Entrypoint)
	emit("OnBuild", c.OnBuild)
	if len(c.Labels) > 0 {
		keys := make([]string, 0, len(c.Labels))
		for k := range c.Labels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		lines := make([]string, len(keys))
		for i, k := range keys {
			lines[i] = k + "=" + c.Labels[k]
		}
		emit("Labels", lines)
	}
	for i, h := range cf.History {
		if h.CreatedBy != "" {
			emit(fmt.Sprintf("history[%d].created_by", i), []string{h.CreatedBy})
		}
	}
}

type layerJob struct {
	image string
	layer v1.Layer
	id    string
	index int
	// viaUncompressed: the layer may be stored uncompressed (docker save),
	// where Compressed() would gzip it.
	viaUncompressed bool
	// raw opens the layer as stored, when the source can.
	raw func() (io.ReadCloser, error)
	// wantDiffID and wantDigest, when set, are the digests the layer's
	// uncompressed and stored content must have, checked as they stream
	// by (see digestReader).
	wantDiffID, wantDigest string
}

// openLayer streams a layer's tar. Stored layers are decompressed here
// with klauspost's gzip and zstd, which are about twice as fast as the
// standard library's gzip that go-containerregistry uses. stored, when
// set, digests the stored bytes for j.wantDigest.
func openLayer(j layerJob) (rc io.ReadCloser, stored *digestReader, err error) {
	switch {
	case j.raw != nil:
		rc, err = j.raw()
	case j.viaUncompressed:
		rc, err = j.layer.Uncompressed()
		return rc, nil, err
	default:
		rc, err = j.layer.Compressed()
	}
	if err != nil {
		return nil, nil, err
	}
	if j.wantDigest != "" {
		if stored = newDigestReader(rc, j.wantDigest); stored != nil {
			rc = readCloser{stored, rc}
		}
	}
	rc, err = decompress(rc)
	return rc, stored, err
}

type readCloser struct {
	io.Reader
	io.Closer
}

// decompress inflates a stored layer by its magic bytes; an uncompressed
// one is passed through.
func decompress(rc io.ReadCloser) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(rc, 64<<10)
	head, _ := br.Peek(4)
	var dec io.Reader = br
	closeDec := func() {}
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("gzip: %w", err)
		}
		dec = zr
		closeDec = func() { zr.Close() }
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(256<<20))
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("zstd: %w", err)
		}
		dec = zr
		closeDec = zr.Close
	}
	return layerReader{Reader: dec, close: func() error { closeDec(); return rc.Close() }}, nil
}

// ctxReader fails its reads once ctx is done, so a long read (a huge
// member skipped, a compressed tarball inflated to its end) ends when
// the scan is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

type layerReader struct {
	io.Reader
	close func() error
}

func (l layerReader) Close() error { return l.close() }

// Files up to bufferLimit are read whole by the layer's reader and scanned
// by the worker pool, so one large layer (or a layer holding a few big
// jars) still keeps every CPU busy; larger ones are streamed by the
// layer's reader itself. inFlight caps the bytes read and not yet scanned.
const (
	bufferLimit = 16 << 20
	inFlight    = 64 << 20
)

// scheduler runs layer readers and the file workers they feed.
type scheduler struct {
	ctx    context.Context
	s      *Source
	sink   source.Sink
	layers chan layerJob
	files  chan fileJob
	budget *budget
	lw, fw sync.WaitGroup
}

type fileJob struct {
	origin finding.Origin
	buf    *bytes.Buffer
	sink   source.Sink
}

// layerSink names the image and layer in the problems found in a layer's
// files (a zip bomb, a corrupt archive), whose paths alone don't say.
type layerSink struct {
	source.Sink
	where string
}

func (l *layerSink) Problem(p string, err error) {
	l.Sink.Problem(p, fmt.Errorf("%s: %w", l.where, err))
}

func newScheduler(ctx context.Context, s *Source, sink source.Sink) *scheduler {
	sc := &scheduler{ctx: ctx, s: s, sink: sink, layers: make(chan layerJob), files: make(chan fileJob, s.opts.Workers),
		budget: newBudget(inFlight)}
	for i := 0; i < s.opts.Workers; i++ {
		sc.fw.Add(1)
		go func() {
			defer sc.fw.Done()
			for j := range sc.files {
				n := int64(j.buf.Len())
				archive.Content(ctx, bytes.NewReader(j.buf.Bytes()), n, j.origin, s.opts.Archive, j.sink)
				sc.budget.release(n)
				putBuf(j.buf)
			}
		}()
	}
	for i := 0; i < s.opts.LayerWorkers; i++ {
		sc.lw.Add(1)
		go func() {
			defer sc.lw.Done()
			for j := range sc.layers {
				sc.scanLayer(j)
			}
		}()
	}
	return sc
}

func (sc *scheduler) layer(j layerJob) {
	select {
	case sc.layers <- j:
	case <-sc.ctx.Done():
	}
}

func (sc *scheduler) wait() {
	close(sc.layers)
	sc.lw.Wait()
	close(sc.files)
	sc.fw.Wait()
}

// scanLayer reads one layer's tar stream and hands its files on.
func (sc *scheduler) scanLayer(j layerJob) {
	ctx, sink := sc.ctx, sc.sink
	if ctx.Err() != nil {
		return
	}
	rc, stored, err := openLayer(j)
	if err != nil {
		sink.Problem(j.id, fmt.Errorf("%s layer %d: open layer: %w", j.image, j.index, err))
		return
	}
	defer rc.Close()
	sc.walkLayer(j, rc, stored)
}

// walkLayer reads one layer's tar and hands its files on. With a digest
// to check, it reads the layer to its end (past the tar's end marker)
// and reports a layer whose content is not what the image names: its
// findings stand (the content was scanned and is in the file), but it is
// not the layer the image says it is.
func (sc *scheduler) walkLayer(j layerJob, rc io.Reader, stored *digestReader) {
	where := fmt.Sprintf("%s layer %d", j.image, j.index)
	var diff *digestReader
	if j.wantDiffID != "" {
		if diff = newDigestReader(rc, j.wantDiffID); diff != nil {
			rc = diff
		}
	}
	if !sc.walkTar(j, rc, where) || (diff == nil && stored == nil) {
		return
	}
	if err := drain(sc.ctx, rc); err != nil {
		if sc.ctx.Err() == nil {
			sc.sink.Problem(j.id, fmt.Errorf("%s: corrupt layer: %w", where, err))
		}
		return
	}
	if stored != nil {
		if err := drain(sc.ctx, stored); err != nil {
			if sc.ctx.Err() == nil {
				sc.sink.Problem(j.id, fmt.Errorf("%s: corrupt layer: %w", where, err))
			}
			return
		}
	}
	for _, d := range []*digestReader{diff, stored} {
		if d == nil {
			continue
		}
		if got := d.sum(); got != d.want {
			sc.sink.Problem(j.id, fmt.Errorf("%s: layer content does not match its digest %s (it hashes to %s): it was scanned, but it is not the layer the image names", where, d.want, got))
		}
	}
}

// walkTar reads one layer's tar and hands its files on; it reports
// whether it read the tar to its end.
func (sc *scheduler) walkTar(j layerJob, rc io.Reader, where string) bool {
	ctx, sink := sc.ctx, sc.sink
	paths := sc.s.final.layer(j.id)
	fileSink := &layerSink{Sink: sink, where: fmt.Sprintf("%s (%s)", where, j.id)}
	// tar.Reader reads through the data of members it skips: ctx is
	// watched on every read, not only between members.
	tr := tar.NewReader(ctxReader{ctx, rc})
	for {
		if ctx.Err() != nil {
			return false
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			sink.Problem(j.id, fmt.Errorf("%s: corrupt layer: %w; the rest of the layer is not scanned", where, err))
			return false
		}
		name := strings.TrimPrefix(path.Clean("/"+hdr.Name), "/")
		paths.add(name, hdr.Typeflag)
		if strings.HasPrefix(path.Base(name), ".wh.") {
			continue // whiteout: marks a deletion, holds no content
		}
		switch hdr.Typeflag {
		case tar.TypeReg, tar.TypeGNUSparse:
		case tar.TypeSymlink:
			sink.Skip(name, "symlink")
			continue
		case tar.TypeLink:
			// Same content as the file it links to, scanned there.
			sink.Skip(name, "hard link")
			continue
		default:
			continue
		}
		origin := finding.Origin{Kind: "image", Image: j.image, Layer: j.id, LayerIndex: j.index, Path: name}
		if hdr.Size > bufferLimit {
			// Streamed here: archive.Content enters an archive whatever its
			// size and skips other content over the size limit unread.
			archive.Content(ctx, tr, hdr.Size, origin, sc.s.opts.Archive, fileSink)
			continue
		}
		sc.budget.acquire(ctx, hdr.Size)
		buf := getBuf()
		buf.Grow(int(hdr.Size)) // one allocation, not ReadFrom's doubling
		head := min(hdr.Size, archive.HeadLen)
		_, err = io.CopyN(buf, tr, head)
		if max := sc.s.opts.MaxFileSize; err == nil && max > 0 && hdr.Size > max && archive.Detect(buf.Bytes()) == archive.None {
			// Too large, and not an archive (which is entered whatever
			// its size): left unread.
			sc.budget.release(hdr.Size)
			putBuf(buf)
			sink.Skip(name, "too large")
			continue
		}
		if err == nil {
			_, err = io.CopyN(buf, tr, hdr.Size-head)
		}
		if err != nil {
			sc.budget.release(hdr.Size)
			putBuf(buf)
			if ctx.Err() == nil {
				sink.Problem(j.id, fmt.Errorf("%s: corrupt layer: read %s: %w; the rest of the layer is not scanned", where, name, err))
			}
			return false
		}
		select {
		case sc.files <- fileJob{origin: origin, buf: buf, sink: fileSink}:
		case <-ctx.Done():
			sc.budget.release(hdr.Size)
			return false
		}
	}
}

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuf() *bytes.Buffer { return bufs.Get().(*bytes.Buffer) }

func putBuf(b *bytes.Buffer) {
	if b.Cap() > 1<<20 { // big ones go to the GC rather than linger in the pool
		return
	}
	b.Reset()
	bufs.Put(b)
}

// budget bounds the bytes read ahead of the workers.
type budget struct {
	mu   sync.Mutex
	cond *sync.Cond
	max  int64
	used int64
}

func newBudget(max int64) *budget {
	b := &budget{max: max}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// acquire waits until n bytes fit (a single item larger than the budget
// is let through alone). Cancellation is noticed at the next release.
func (b *budget) acquire(ctx context.Context, n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.used > 0 && b.used+n > b.max && ctx.Err() == nil {
		b.cond.Wait()
	}
	b.used += n
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
	b.cond.Broadcast()
}
