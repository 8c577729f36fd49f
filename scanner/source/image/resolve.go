package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// resolve turns a target into the images to scan. A path that exists is a
// file target (docker save tarball, OCI layout directory or tar);
// anything else is a registry reference.
func (s *Source) resolve(ctx context.Context, target string) ([]resolved, io.Closer, error) {
	st, err := os.Stat(target)
	switch {
	case err == nil && st.IsDir():
		if _, err := os.Stat(filepath.Join(target, "index.json")); err != nil {
			return nil, nil, &TargetError{Target: "image " + target, Err: errors.New("directory is not an OCI image layout (no index.json)")}
		}
		idx, err := layout.ImageIndexFromPath(target)
		if err != nil {
			return nil, nil, &TargetError{Target: "image " + target, Err: fmt.Errorf("read OCI layout: %w", err)}
		}
		imgs, err := s.walkIndex(ggcrIndex{idx}, target, true)
		return imgs, nil, err
	case err == nil:
		return s.resolveTar(ctx, target)
	}
	if looksLikePath(target) {
		// Looks like a path, not a reference: say the file is missing.
		return nil, nil, &TargetError{Target: "image " + target, Err: err}
	}
	return s.resolveRemote(ctx, target)
}

func (s *Source) resolveRemote(ctx context.Context, target string) ([]resolved, io.Closer, error) {
	var nopts []name.Option
	if s.opts.Insecure {
		nopts = append(nopts, name.Insecure)
	}
	ref, err := name.ParseReference(target, nopts...)
	if err != nil {
		return nil, nil, &TargetError{Target: "image " + target, Err: fmt.Errorf("not a file, directory or image reference: %w", err)}
	}
	kc := s.opts.Keychain
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	ropts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(kc)}
	if s.opts.Transport != nil {
		ropts = append(ropts, remote.WithTransport(s.opts.Transport))
	}
	desc, err := remote.Get(ref, ropts...)
	if err != nil {
		return nil, nil, &RegistryError{Target: target, Err: err}
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, nil, &RegistryError{Target: target, Err: err}
		}
		imgs, err := s.walkIndex(ggcrIndex{idx}, target, false)
		return imgs, nil, err
	}
	img, err := desc.Image()
	if err != nil {
		return nil, nil, &RegistryError{Target: target, Err: err}
	}
	return []resolved{{name: target, img: img}}, nil, nil
}

// resolveTar opens a docker save tarball (manifest.json; gzip-compressed
// too) or an OCI layout tar (index.json).
func (s *Source) resolveTar(ctx context.Context, target string) ([]resolved, io.Closer, error) {
	t, err := openTar(ctx, target)
	if err != nil {
		return nil, nil, &TargetError{Target: "image " + target, Err: err}
	}
	if t.has("manifest.json") {
		imgs, err := s.dockerSave(t, target)
		return imgs, t, err
	}
	if t.has("index.json") {
		if t.gzipped {
			t.Close()
			return nil, nil, &TargetError{Target: "image " + target, Err: errors.New("compressed OCI layout tar: decompress it first (the blobs need random access)")}
		}
		idx, err := t.ociIndex()
		if err != nil {
			t.Close()
			return nil, nil, &TargetError{Target: "image " + target, Err: err}
		}
		imgs, err := s.walkIndex(idx, target, true)
		return imgs, t, err
	}
	t.Close()
	return nil, nil, &TargetError{Target: "image " + target, Err: errors.New("not an image: a tar without manifest.json (docker save) or index.json (OCI layout)")}
}

func (s *Source) dockerSave(t *tarFile, target string) ([]resolved, error) {
	var m tarball.Manifest
	var err error
	if b, ok := t.small[t.resolve("manifest.json")]; ok {
		// Kept from the index pass of a compressed tarball: reading it
		// again would inflate the tarball up to its end, where docker
		// save puts it.
		err = json.Unmarshal(b, &m)
	} else {
		m, err = tarball.LoadManifest(t.opener)
	}
	if err != nil {
		return nil, &TargetError{Target: "image " + target, Err: fmt.Errorf("read manifest.json: %w", err)}
	}
	if t.gzipped {
		if imgs, ok := s.dockerSaveStream(t, target, m); ok {
			return imgs, nil
		}
	}
	if len(m) == 1 {
		img, err := tarball.Image(t.opener, nil)
		if err != nil {
			return nil, &TargetError{Target: "image " + target, Err: err}
		}
		return []resolved{{name: target, img: img, diffIDs: true, raw: t.layerOpener(m[0])}}, nil
	}
	var out []resolved
	for i, d := range m {
		if len(d.RepoTags) == 0 {
			return nil, &TargetError{Target: "image " + target, Err: fmt.Errorf("manifest.json entry %d has no tag, and the tarball holds %d images", i, len(m))}
		}
		tag, err := name.NewTag(d.RepoTags[0])
		if err != nil {
			return nil, &TargetError{Target: "image " + target, Err: fmt.Errorf("manifest.json entry %d: %w", i, err)}
		}
		img, err := tarball.Image(t.opener, &tag)
		if err != nil {
			return nil, &TargetError{Target: "image " + target, Err: err}
		}
		out = append(out, resolved{name: target + "[" + d.RepoTags[0] + "]", img: img, diffIDs: true, raw: t.layerOpener(d)})
	}
	return out, nil
}

// dockerSaveStream resolves the images of a compressed docker save
// tarball for a single-pass scan; false when a config was not kept in the
// index pass (then each layer is opened on its own, slowly but surely).
func (s *Source) dockerSaveStream(t *tarFile, target string, m tarball.Manifest) ([]resolved, bool) {
	var out []resolved
	for _, d := range m {
		img, err := t.streamImage(d)
		if err != nil {
			return nil, false
		}
		n := target
		if len(m) > 1 {
			tag := "untagged"
			if len(d.RepoTags) > 0 {
				tag = d.RepoTags[0]
			}
			n = target + "[" + tag + "]"
		}
		out = append(out, resolved{name: n, img: img, diffIDs: true, stream: t, layerPaths: d.Layers})
	}
	return out, true
}

// index is what walkIndex needs of an image index, so an OCI tar can be
// walked like a registry index.
type index interface {
	IndexManifest() (*v1.IndexManifest, error)
	Image(v1.Hash) (v1.Image, error)
	child(v1.Hash) (index, error)
}

type ggcrIndex struct{ v1.ImageIndex }

func (g ggcrIndex) child(h v1.Hash) (index, error) {
	idx, err := g.ImageIndex.ImageIndex(h)
	if err != nil {
		return nil, err
	}
	return ggcrIndex{idx}, nil
}

// walkIndex picks the images of an index (nested indexes included): the
// requested platform's, or all with AllPlatforms. Entries without a
// platform (an OCI layout's tags) are always taken; build attestations
// are not images. local is set for an OCI layout, whose blobs are read
// from disk unchecked.
func (s *Source) walkIndex(idx index, target string, local bool) ([]resolved, error) {
	type cand struct {
		desc v1.Descriptor
		idx  index
	}
	var cands []cand
	var walk func(idx index, depth int) error
	walk = func(idx index, depth int) error {
		if depth > 4 {
			return errors.New("image indexes nested too deeply")
		}
		m, err := idx.IndexManifest()
		if err != nil {
			return fmt.Errorf("read index: %w", err)
		}
		for _, d := range m.Manifests {
			switch {
			case d.MediaType.IsIndex():
				child, err := idx.child(d.Digest)
				if err != nil {
					return fmt.Errorf("read index %s: %w", d.Digest, err)
				}
				if err := walk(child, depth+1); err != nil {
					return err
				}
			case d.MediaType.IsImage() || d.MediaType == types.MediaType(""):
				if d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" || !isImageConfig(types.MediaType(d.ArtifactType)) {
					continue // build attestations, signatures, SBOMs
				}
				cands = append(cands, cand{d, idx})
			}
		}
		return nil
	}
	if err := walk(idx, 0); err != nil {
		return nil, &TargetError{Target: "image " + target, Err: err}
	}
	var picked []cand
	var available []string
	seen := map[v1.Hash]bool{}
	for _, c := range cands {
		if seen[c.desc.Digest] {
			continue
		}
		p := c.desc.Platform
		if p != nil {
			available = append(available, p.String())
		}
		if s.opts.AllPlatforms || p == nil || p.Satisfies(s.platform) {
			seen[c.desc.Digest] = true
			picked = append(picked, c)
		}
	}
	if len(picked) == 0 {
		if len(available) == 0 {
			return nil, &TargetError{Target: "image " + target, Err: errors.New("index holds no image")}
		}
		return nil, &TargetError{Target: "image " + target, Err: fmt.Errorf("no %s image in the index (it has %s); use --platform or --all-platforms",
			s.platform.String(), strings.Join(available, ", "))}
	}
	var out []resolved
	for _, c := range picked {
		img, err := c.idx.Image(c.desc.Digest)
		if err != nil {
			return nil, &TargetError{Target: "image " + target, Err: fmt.Errorf("read image %s: %w", c.desc.Digest, err)}
		}
		n := target
		if len(picked) > 1 {
			n = withDigest(target, c.desc.Digest.String())
		}
		out = append(out, resolved{name: n, img: img, checkDigests: local})
	}
	return out, nil
}

// withDigest names one image of an index: "app:1.0@sha256:..." for a
// reference (a form docker pull accepts), "dir@sha256:..." for a layout.
func withDigest(target, digest string) string {
	if i := strings.LastIndex(target, "@"); i >= 0 {
		target = target[:i]
	}
	return target + "@" + digest
}

// looksLikePath tells a missing file from a registry reference, so a typo
// in a tarball's name is not sent to Docker Hub.
func looksLikePath(target string) bool {
	if filepath.IsAbs(target) || strings.HasPrefix(target, ".") || strings.HasPrefix(target, "/") || strings.HasPrefix(target, "~") {
		return true
	}
	for _, ext := range []string{".tar", ".tar.gz", ".tgz"} {
		if strings.HasSuffix(strings.ToLower(target), ext) {
			return true
		}
	}
	return false
}
