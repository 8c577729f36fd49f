package detectors

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

// defaultEngine is the engine over the default rules.
func defaultEngine(tb testing.TB) *Engine {
	tb.Helper()
	cfg, err := rules.Default()
	if err != nil {
		tb.Fatal(err)
	}
	e, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// netSources is GOROOT's net package's Go source, end to end.
func netSources() []byte {
	var data []byte
	filepath.WalkDir(filepath.Join(runtime.GOROOT(), "src", "net"), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && filepath.Ext(p) == ".go" {
			x, _ := os.ReadFile(p)
			data = append(data, x...)
		}
		return nil
	})
	return data
}

func BenchmarkPrefilter(b *testing.B) {
	e := defaultEngine(b)
	data := netSources()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	var hits []hit
	for i := 0; i < b.N; i++ {
		hits = e.pre.find(data, hits[:0])
	}
	b.ReportMetric(float64(len(hits)), "hits")
	b.ReportMetric(float64(e.pre.classes), "classes")
	b.ReportMetric(float64(len(e.pre.out)), "states")
}

// BenchmarkPrefilterLines runs the automaton over the same Go source in
// pieces of a few hundred bytes: the lines a commit adds, which is what a
// history scan hands the engine.
func BenchmarkPrefilterLines(b *testing.B) {
	e := defaultEngine(b)
	data := netSources()
	var pieces [][]byte
	for i, n := 0, 0; i < len(data); i += n {
		n = min(len(data)-i, 100+(i*7919)%500) // 100-600 bytes
		pieces = append(pieces, data[i:i+n])
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	var hits []hit
	for i := 0; i < b.N; i++ {
		for _, p := range pieces {
			hits = e.pre.find(p, hits[:0])
		}
	}
}

// BenchmarkHugeLine scans a 4 MiB single line (a JSON dump of test vectors)
// full of hex and base64 runs and keyword hits: the cost per byte must not
// grow with the line's length.
func BenchmarkHugeLine(b *testing.B) {
	e := defaultEngine(b)
	var line []byte
	for i := 0; len(line) < 4<<20; i++ {
		line = append(line, `{"secret_key":"`...)
		line = append(line, strconv.Itoa(i*7919)...)
		line = append(line, `a3f09c2e8b7d6154a3f09c2e8b7d6154","token":"cGFzc3dvcmQ6IFp4OVF3OEVyN1R5Ng==","url":"https://x.org/?q=%41%42"},`...)
	}
	b.SetBytes(int64(len(line)))
	for i := 0; i < b.N; i++ {
		e.Detect(finding.Chunk{Origin: finding.Origin{Path: "vectors.json"}, Data: line})
	}
}
