package source

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/leakhound/leakhound/finding"
)

// BenchmarkRuns measures taking the strings out of a real executable (the
// go command), against counting its newlines as a floor.
func BenchmarkRuns(b *testing.B) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		b.Skip("no go command")
	}
	data, err := os.ReadFile(gobin)
	if err != nil {
		b.Skip(err)
	}
	// The machine may be shared: CPU time, not wall time, is reported.
	cpu := func(b *testing.B, f func()) {
		b.SetBytes(int64(len(data)))
		start := userTime()
		for b.Loop() {
			f()
		}
		if s := (userTime() - start).Seconds(); s > 0 {
			b.ReportMetric(float64(len(data))*float64(b.N)/1e6/s, "cpuMB/s")
		}
	}
	b.Run("runs", func(b *testing.B) {
		cpu(b, func() {
			if _, err := ReadChunks(context.Background(), bytes.NewReader(data), finding.Origin{}, Options{Overlap: 256}, &countSink{}); err != nil {
				b.Fatal(err)
			}
		})
	})
	// A plain loop over a table, the least any extractor does per byte.
	b.Run("table loop", func(b *testing.B) {
		cpu(b, func() {
			n := 0
			for _, c := range data {
				if printable[c] {
					n++
				}
			}
			sinkInt = n
		})
	})
}

var sinkInt int

func userTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano())
}
