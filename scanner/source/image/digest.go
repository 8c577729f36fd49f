package image

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// digestReader digests what is read through it, so a layer's content is
// checked against the digest its image names while it is scanned, with
// no second read. Docker save tarballs and OCI layouts are files anyone
// may have edited after their manifest was written: nothing else checks
// them.
type digestReader struct {
	r    io.Reader
	h    hash.Hash
	alg  string
	want string
}

// newDigestReader returns nil for a digest it can't check (an algorithm
// other than sha256 and sha512, or a malformed digest).
func newDigestReader(r io.Reader, want string) *digestReader {
	d, err := v1.NewHash(want)
	if err != nil {
		return nil
	}
	var h hash.Hash
	switch d.Algorithm {
	case "sha256":
		h = sha256.New()
	case "sha512":
		h = sha512.New()
	default:
		return nil
	}
	return &digestReader{r: r, h: h, alg: d.Algorithm, want: d.String()}
}

func (d *digestReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	d.h.Write(p[:n])
	return n, err
}

// sum is the digest of what was read, in the form of want.
func (d *digestReader) sum() string {
	return d.alg + ":" + hex.EncodeToString(d.h.Sum(nil))
}

// drain reads r to its end (a tar's trailing padding, or whatever a
// hostile layer put after it, which its digest covers too), watching ctx.
func drain(ctx context.Context, r io.Reader) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		_, err := io.CopyN(io.Discard, r, 1<<20)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
