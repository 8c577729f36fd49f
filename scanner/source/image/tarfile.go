package image

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"

	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
)

// tarFile is an image tarball on disk. An uncompressed one is indexed in
// one pass (headers only: the reader seeks over the data) so blobs can be
// read in place as sections of the file; a gzip-compressed one can only
// be read in order, which the docker-save reader does per layer.
type tarFile struct {
	path    string
	f       *os.File
	gzipped bool
	entries map[string]section
	// small holds the small files of a compressed tarball (see stream.go).
	small      map[string][]byte
	smallTotal int64
}

type section struct {
	off, size int64
	link      string // hard or symbolic link target, cleaned
}

func cleanTarName(n string) string {
	return strings.TrimPrefix(path.Clean("/"+n), "/")
}

func openTar(ctx context.Context, p string) (*tarFile, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	t := &tarFile{path: p, f: f, entries: map[string]section{}}
	head := make([]byte, 2)
	if _, err := f.ReadAt(head, 0); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		t.gzipped = true
	}
	if err := t.index(ctx); err != nil {
		f.Close()
		return nil, fmt.Errorf("not an image tarball: %w", err)
	}
	return t, nil
}

// offsetReader tracks the offset tar headers are read at; Seek lets the
// tar reader skip file data without reading it.
type offsetReader struct {
	f   *os.File
	pos int64
}

func (o *offsetReader) Read(p []byte) (int, error) {
	n, err := o.f.Read(p)
	o.pos += int64(n)
	return n, err
}

func (o *offsetReader) Seek(off int64, whence int) (int64, error) {
	n, err := o.f.Seek(off, whence)
	if err == nil {
		o.pos = n
	}
	return n, err
}

// index reads the tarball's headers. A compressed tarball is inflated to
// its end here, which for a large one takes a while: ctx is watched on
// every read.
func (t *tarFile) index(ctx context.Context) error {
	var tr *tar.Reader
	var or *offsetReader
	if t.gzipped {
		zr, err := gzip.NewReader(bufio.NewReader(io.NewSectionReader(t.f, 0, 1<<62)))
		if err != nil {
			return err
		}
		defer zr.Close()
		tr = tar.NewReader(ctxReader{ctx, zr})
	} else {
		if _, err := t.f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		or = &offsetReader{f: t.f}
		tr = tar.NewReader(or)
	}
	for n := 0; ; n++ {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			if n == 0 {
				return errors.New("empty tar")
			}
			return nil
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			return err
		}
		name := cleanTarName(hdr.Name)
		switch hdr.Typeflag {
		case tar.TypeReg:
			s := section{size: hdr.Size}
			if or != nil {
				s.off = or.pos
			} else {
				t.keepSmall(name, hdr, tr)
			}
			t.entries[name] = s
		case tar.TypeSymlink:
			t.entries[name] = section{link: cleanTarName(path.Join(path.Dir(name), hdr.Linkname))}
		case tar.TypeLink:
			t.entries[name] = section{link: cleanTarName(hdr.Linkname)}
		}
	}
}

func (t *tarFile) has(name string) bool {
	_, ok := t.entries[name]
	return ok
}

// open returns the content of a member of an uncompressed tar.
func (t *tarFile) open(name string) (*io.SectionReader, error) {
	for i := 0; i < 8; i++ {
		s, ok := t.entries[name]
		if !ok {
			return nil, fmt.Errorf("%s not found in %s", name, t.path)
		}
		if s.link == "" {
			return io.NewSectionReader(t.f, s.off, s.size), nil
		}
		name = s.link
	}
	return nil, fmt.Errorf("%s: too many links in %s", name, t.path)
}

func (t *tarFile) bytes(name string) ([]byte, error) {
	sr, err := t.open(name)
	if err != nil {
		return nil, err
	}
	if sr.Size() > 64<<20 {
		return nil, fmt.Errorf("%s is too large (%d bytes) for an image manifest or config", name, sr.Size())
	}
	return io.ReadAll(sr)
}

// opener gives the docker-save reader the whole tarball, decompressed.
func (t *tarFile) opener() (io.ReadCloser, error) {
	f, err := os.Open(t.path)
	if err != nil {
		return nil, err
	}
	if !t.gzipped {
		return f, nil
	}
	zr, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		f.Close()
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, f}, nil
}

var _ tarball.Opener = (*tarFile)(nil).opener

// layerOpener opens the layers of a docker save manifest entry in place,
// as stored; nil for a gzip-compressed tarball, which has no random access.
func (t *tarFile) layerOpener(d tarball.Descriptor) func(i int) (io.ReadCloser, error) {
	if t.gzipped {
		return nil
	}
	return func(i int) (io.ReadCloser, error) {
		if i >= len(d.Layers) {
			return nil, fmt.Errorf("layer %d not in manifest.json", i)
		}
		sr, err := t.open(cleanTarName(d.Layers[i]))
		if err != nil {
			return nil, err
		}
		return io.NopCloser(sr), nil
	}
}

func (t *tarFile) Close() error { return t.f.Close() }

func blobName(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }

// ociTarIndex is an image index read from an OCI layout tar.
type ociTarIndex struct {
	t *tarFile
	m *v1.IndexManifest
}

func (t *tarFile) ociIndex() (*ociTarIndex, error) {
	raw, err := t.bytes("index.json")
	if err != nil {
		return nil, err
	}
	m, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read index.json: %w", err)
	}
	return &ociTarIndex{t: t, m: m}, nil
}

func (o *ociTarIndex) IndexManifest() (*v1.IndexManifest, error) { return o.m, nil }

func (o *ociTarIndex) child(h v1.Hash) (index, error) {
	raw, err := o.t.bytes(blobName(h))
	if err != nil {
		return nil, err
	}
	m, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	return &ociTarIndex{t: o.t, m: m}, nil
}

func (o *ociTarIndex) Image(h v1.Hash) (v1.Image, error) {
	raw, err := o.t.bytes(blobName(h))
	if err != nil {
		return nil, err
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", h, err)
	}
	return partial.CompressedToImage(&ociTarImage{t: o.t, raw: raw, m: m})
}

// ociTarImage is an image whose blobs are sections of an OCI layout tar.
type ociTarImage struct {
	t   *tarFile
	raw []byte
	m   *v1.Manifest
}

func (i *ociTarImage) RawConfigFile() ([]byte, error) { return i.t.bytes(blobName(i.m.Config.Digest)) }
func (i *ociTarImage) RawManifest() ([]byte, error)   { return i.raw, nil }
func (i *ociTarImage) MediaType() (types.MediaType, error) {
	if i.m.MediaType != "" {
		return i.m.MediaType, nil
	}
	return types.OCIManifestSchema1, nil
}

func (i *ociTarImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, d := range i.m.Layers {
		if d.Digest == h {
			return &ociTarBlob{t: i.t, desc: d}, nil
		}
	}
	if i.m.Config.Digest == h {
		return &ociTarBlob{t: i.t, desc: i.m.Config}, nil
	}
	return nil, fmt.Errorf("blob %s not in manifest", h)
}

type ociTarBlob struct {
	t    *tarFile
	desc v1.Descriptor
}

func (b *ociTarBlob) Digest() (v1.Hash, error) { return b.desc.Digest, nil }
func (b *ociTarBlob) Size() (int64, error)     { return b.desc.Size, nil }
func (b *ociTarBlob) MediaType() (types.MediaType, error) {
	return b.desc.MediaType, nil
}
func (b *ociTarBlob) Compressed() (io.ReadCloser, error) {
	sr, err := b.t.open(blobName(b.desc.Digest))
	if err != nil {
		return nil, err
	}
	return io.NopCloser(sr), nil
}
