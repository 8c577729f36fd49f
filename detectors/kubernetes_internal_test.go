// The reader is timed here; the race detector's slowdown would only
// measure itself.

//go:build !race

package detectors

import (
	"bytes"
	"encoding/base64"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestKubernetesSecretReaderLinear: the reader reads each Secret's object,
// not the chunk around it: 8,000 Secrets in one chunk (half a megabyte) are
// read in about 0.1 s, where reading the chunk for each would take
// seconds. (Not parallel: it times.)
func TestKubernetesSecretReaderLinear(t *testing.T) {
	enc := base64.StdEncoding.EncodeToString([]byte("Zq8vLm2xR7pT9wK4"))
	build := func(form string, n int) []byte {
		var b strings.Builder
		switch form {
		case "list.yaml":
			b.WriteString("kind: List\nitems:\n")
		case "list.json":
			b.WriteString(`{"kind":"List","items":[`)
		}
		for i := range n {
			switch form {
			case "list.yaml":
				b.WriteString("- kind: Secret\n  data:\n    password: " + enc + "\n")
			case "concatenated.yaml":
				b.WriteString("kind: Secret\ndata:\n  password: " + enc + "\n")
			case "list.json":
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString(`{"kind":"Secret","data":{"password":"` + enc + `"}}`)
			}
		}
		if form == "list.json" {
			b.WriteString("]}\n")
		}
		return []byte(b.String())
	}
	// read runs the reader at every kind of the data, as the engine does,
	// and returns the shortest of five runs (the least disturbed).
	read := func(data []byte, want int) time.Duration {
		best := time.Duration(1 << 62)
		for range 5 {
			runtime.GC()
			start, got := time.Now(), 0
			for i := 0; ; {
				k := bytes.Index(data[i:], []byte("kind"))
				if k < 0 {
					break
				}
				at := i + k
				if at > 0 && data[at-1] == '"' {
					at--
				}
				got += len(kubernetesSecretValues(data, at, at+4))
				i += k + 4
			}
			if got != want {
				t.Fatalf("%d values, want %d", got, want)
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	const n = 8000
	for _, form := range []string{"list.yaml", "concatenated.yaml", "list.json"} {
		if took := read(build(form, n), n); took > 2*time.Second {
			t.Errorf("%s: %d Secrets read in %v", form, n, took)
		}
	}
}
