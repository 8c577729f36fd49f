package image

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// A gzip-compressed docker save tarball (`docker save | gzip`) can only be
// read from the start. Opening each layer on its own would inflate the
// tarball once per layer, so its small files (manifest.json, configs) are
// kept while the tarball is indexed, and its layers are then scanned in a
// single second pass.

// streamedLayer is a layer to scan in that pass, at path in the tarball.
type streamedLayer struct {
	path string
	job  layerJob
}

// Small files kept from a compressed tarball's index pass.
const (
	smallFileMax  = 256 << 10
	smallTotalMax = 32 << 20
)

func (t *tarFile) keepSmall(name string, hdr *tar.Header, r io.Reader) {
	if hdr.Size > smallFileMax || t.smallTotal+hdr.Size > smallTotalMax {
		return
	}
	b, err := io.ReadAll(io.LimitReader(r, hdr.Size))
	if err != nil {
		return
	}
	if t.small == nil {
		t.small = map[string][]byte{}
	}
	t.small[name] = b
	t.smallTotal += int64(len(b))
}

// resolve follows links in the tarball to the regular file they name.
func (t *tarFile) resolve(name string) string {
	for i := 0; i < 8; i++ {
		s, ok := t.entries[name]
		if !ok || s.link == "" {
			return name
		}
		name = s.link
	}
	return name
}

// streamImage is the image of a docker save manifest entry whose config
// was kept from the index pass; its layers are only read by stream.
func (t *tarFile) streamImage(d tarball.Descriptor) (v1.Image, error) {
	cfg, ok := t.small[t.resolve(cleanTarName(d.Config))]
	if !ok {
		return nil, errors.New("config not kept")
	}
	return partial.UncompressedToImage(&streamedImage{config: cfg})
}

type streamedImage struct{ config []byte }

func (s *streamedImage) RawConfigFile() ([]byte, error)      { return s.config, nil }
func (s *streamedImage) MediaType() (types.MediaType, error) { return types.DockerManifestSchema2, nil }
func (s *streamedImage) LayerByDiffID(h v1.Hash) (partial.UncompressedLayer, error) {
	return streamedLayerStub{h}, nil
}

// streamedLayerStub stands for a layer that is read by the single pass,
// never opened on its own.
type streamedLayerStub struct{ diffID v1.Hash }

func (l streamedLayerStub) DiffID() (v1.Hash, error) { return l.diffID, nil }
func (l streamedLayerStub) Uncompressed() (io.ReadCloser, error) {
	return nil, errors.New("layer of a compressed tarball is read in one pass")
}
func (l streamedLayerStub) MediaType() (types.MediaType, error) { return types.DockerLayer, nil }

// stream scans the given layers of a compressed tarball in one pass.
func (sc *scheduler) stream(t *tarFile, layers []streamedLayer) {
	want := map[string]layerJob{}
	for _, l := range layers {
		want[t.resolve(cleanTarName(l.path))] = l.job
	}
	fail := func(err error) {
		for _, j := range want {
			sc.sink.Problem(j.id, fmt.Errorf("%s layer %d: %w", j.image, j.index, err))
		}
	}
	rc, err := t.opener()
	if err != nil {
		fail(err)
		return
	}
	defer rc.Close()
	// Members that are not layers are read through, never seeked over:
	// ctx is watched on every read.
	tr := tar.NewReader(ctxReader{sc.ctx, rc})
	for len(want) > 0 {
		if sc.ctx.Err() != nil {
			return
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if sc.ctx.Err() != nil {
			return
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			fail(fmt.Errorf("read %s: %w", t.path, err))
			return
		}
		name := cleanTarName(hdr.Name)
		j, ok := want[name]
		if !ok || hdr.Typeflag != tar.TypeReg {
			continue
		}
		delete(want, name)
		dec, err := decompress(io.NopCloser(tr))
		if err != nil {
			sc.sink.Problem(j.id, fmt.Errorf("%s layer %d: open layer: %w", j.image, j.index, err))
			continue
		}
		sc.walkLayer(j, dec, nil)
		dec.Close()
	}
	fail(fmt.Errorf("not found in %s", t.path))
}
