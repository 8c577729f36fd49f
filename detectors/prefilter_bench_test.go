package detectors

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/leakhound/leakhound/rules"
)

func BenchmarkPrefilter(b *testing.B) {
	cfg, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	e, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	var data []byte
	filepath.WalkDir(filepath.Join(runtime.GOROOT(), "src", "net"), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && filepath.Ext(p) == ".go" {
			x, _ := os.ReadFile(p)
			data = append(data, x...)
		}
		return nil
	})
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
