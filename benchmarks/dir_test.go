// Package benchmarks measures leakhound on real corpora: the Go benchmarks
// here time the engine over the Go toolchain's own source tree against the
// time to merely read it, and the scripts beside them compare whole-tool runs
// with other scanners (see RESULTS-*.md).
package benchmarks

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
	"github.com/leakhound/leakhound/scanner/source"
	"github.com/leakhound/leakhound/scanner/source/dir"
)

type countSink struct {
	det   detectors.Detector
	bytes atomic.Int64
	mu    sync.Mutex
	fs    []finding.Finding
}

func (s *countSink) Chunk(c finding.Chunk) {
	if s.det != nil {
		f := s.det.Detect(c)
		if len(f) > 0 {
			s.mu.Lock()
			s.fs = append(s.fs, f...)
			s.mu.Unlock()
		}
	}
}
func (s *countSink) Item(n int64)                 { s.bytes.Add(n) }
func (s *countSink) Skip(path, reason string)     {}
func (s *countSink) Problem(path string, e error) {}

func gorootSrc(b *testing.B) string {
	p := filepath.Join(runtime.GOROOT(), "src")
	if _, err := os.Stat(p); err != nil {
		b.Skip("no GOROOT/src")
	}
	return p
}

func benchDir(b *testing.B, det detectors.Detector) {
	root := gorootSrc(b)
	var total int64
	for i := 0; i < b.N; i++ {
		src, err := dir.New(dir.Options{Options: source.Options{MaxFileSize: 10 << 20, ChunkSize: source.DefaultChunkSize, Overlap: detectors.MaxOverlap}, Paths: []string{root}})
		if err != nil {
			b.Fatal(err)
		}
		s := &countSink{det: det}
		if err := src.Scan(context.Background(), s); err != nil {
			b.Fatal(err)
		}
		total = s.bytes.Load()
		b.ReportMetric(float64(len(s.fs)), "findings")
	}
	b.SetBytes(total)
}

// BenchmarkReadGoroot reads every file of GOROOT/src without detection:
// the floor a scan can't beat.
func BenchmarkReadGoroot(b *testing.B) { benchDir(b, nil) }

// BenchmarkScanGoroot scans GOROOT/src with the default rules.
func BenchmarkScanGoroot(b *testing.B) {
	cfg, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	eng, err := detectors.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	benchDir(b, eng)
}
