package image

import (
	"archive/tar"
	"path"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/leakhound/leakhound/finding"
)

// finalFS remembers, per layer, the paths it adds and deletes, so that
// after a scan a finding in one layer can be told apart from one whose
// file a later layer deleted or replaced: both are leaks, but only one is
// in the image's final filesystem.
type finalFS struct {
	mu     sync.Mutex
	images map[string][]string // image name -> layer ids, bottom first
	layers map[string]*layerPaths
	// tracked counts the paths held, across layers; past maxTracked (a
	// hostile image of millions of files) layers stop recording and the
	// answer becomes unknown rather than memory growing without bound.
	tracked atomic.Int64
}

const maxTracked = 2_000_000

type layerPaths struct {
	f       *finalFS
	full    bool // stopped recording at maxTracked
	mu      sync.Mutex
	entries map[string]bool // every path the layer holds -> is a directory
	deleted map[string]bool // whiteout targets
	opaque  map[string]bool // directories whose lower content is hidden
}

func (f *finalFS) image(name string, ids []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.images == nil {
		f.images = map[string][]string{}
	}
	f.images[name] = ids
}

func (f *finalFS) layer(id string) *layerPaths {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.layers == nil {
		f.layers = map[string]*layerPaths{}
	}
	lp := &layerPaths{f: f, entries: map[string]bool{}, deleted: map[string]bool{}, opaque: map[string]bool{}}
	f.layers[id] = lp
	return lp
}

// add records one tar entry of the layer (name cleaned, slash-separated).
func (lp *layerPaths) add(name string, typ byte) {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	if lp.full || lp.f.tracked.Add(1) > maxTracked {
		lp.full = true
		return
	}
	dir, base := path.Split(name)
	dir = strings.TrimSuffix(dir, "/")
	switch {
	case base == ".wh..wh..opq":
		lp.opaque[dir] = true
	case strings.HasPrefix(base, ".wh."):
		lp.deleted[path.Join(dir, strings.TrimPrefix(base, ".wh."))] = true
	default:
		lp.entries[name] = typ == tar.TypeDir
	}
}

// InFinalImage tells whether the file a finding was made in is still in
// its image's final filesystem, as the layer it was found in left it:
// false when a later layer deletes it (a whiteout of it or of a directory
// above it, an opaque directory above it) or puts something else at its
// path. For an archive member the archive file in the layer decides. ok is
// false for origins that are not layer files of an image this source
// scanned (config fields, other sources); call it after Scan returns.
func (s *Source) InFinalImage(o finding.Origin) (present, ok bool) {
	if o.Kind != "image" || o.Layer == "" || o.Layer == "config" {
		return false, false
	}
	p := o.Path
	if o.Archive != "" {
		p, _, _ = strings.Cut(o.Archive, "!/")
	}
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	f := &s.final
	f.mu.Lock()
	ids := f.images[o.Image]
	f.mu.Unlock()
	if o.LayerIndex < 0 || o.LayerIndex >= len(ids) || ids[o.LayerIndex] != o.Layer {
		return false, false
	}
	for _, id := range ids[o.LayerIndex+1:] {
		f.mu.Lock()
		lp := f.layers[id]
		f.mu.Unlock()
		if lp == nil {
			continue
		}
		if lp.hides(p) {
			return false, true
		}
		if lp.isFull() {
			return false, false
		}
	}
	return true, true
}

func (lp *layerPaths) isFull() bool {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	return lp.full
}

// hides tells whether this layer, above the one p was found in, deletes or
// replaces p.
func (lp *layerPaths) hides(p string) bool {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	if _, ok := lp.entries[p]; ok || lp.deleted[p] {
		return true
	}
	for dir := path.Dir(p); dir != "." && dir != "/"; dir = path.Dir(dir) {
		if lp.deleted[dir] || lp.opaque[dir] {
			return true
		}
		if isDir, ok := lp.entries[dir]; ok && !isDir {
			return true // a file or link now where a directory was
		}
	}
	return lp.opaque[""]
}

// RemovedTag marks a finding in a file that a later layer of the image
// deleted or replaced: the secret is in the image's history (anyone who
// pulls it can read the layer) but not in its final filesystem.
const RemovedTag = "removed-in-later-layer"

// Annotate tags findings in files a later layer removed (source.Annotator).
func (s *Source) Annotate(f *finding.Finding) {
	if present, ok := s.InFinalImage(f.Location.Origin); ok && !present {
		f.Tags = append(append([]string(nil), f.Tags...), RemovedTag)
	}
}
