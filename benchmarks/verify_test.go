package benchmarks

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/verify"
)

// BenchmarkVerify10k verifies 10,000 unique GitHub tokens (and 10,000
// more findings repeating them) against a local fake of api.github.com
// that answers after 50 ms, and checks each secret was asked once. The
// stage's wall time is bounded by the per-host concurrency (and the rate
// limit, when set), not by secrets × latency.
//
//	go test -run '^$' -bench Verify10k -benchtime 1x ./benchmarks/
//	VERIFY_PER_HOST=8 VERIFY_RATE=25 go test ... (the CLI's defaults)
func BenchmarkVerify10k(b *testing.B) {
	const secrets, latency = 10000, 50 * time.Millisecond
	perHost := envInt("VERIFY_PER_HOST", 32)
	rate := float64(envInt("VERIFY_RATE", 0))
	var mu sync.Mutex
	asked := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(latency)
		mu.Lock()
		asked[r.Header.Get("Authorization")]++
		mu.Unlock()
		w.Write([]byte(`{"login":"bench"}`))
	}))
	defer srv.Close()
	for b.Loop() {
		mu.Lock()
		clear(asked)
		mu.Unlock()
		fs := make([]finding.Finding, 0, 2*secrets)
		for i := 0; i < 2*secrets; i++ {
			s := fmt.Sprintf("ghp_bench%031d", i%secrets)
			f := finding.Finding{RuleID: "github-pat", Secret: s, SecretHash: finding.HashSecret(s)}
			f.Location.Path = "f" + strconv.Itoa(i)
			fs = append(fs, f)
		}
		start := time.Now()
		st, err := verify.Run(context.Background(), fs, verify.Options{
			Endpoints: map[string]string{"github": srv.URL},
			PerHost:   perHost, Rate: rate, Timeout: time.Hour,
		})
		if err != nil {
			b.Fatal(err)
		}
		wall := time.Since(start)
		mu.Lock()
		twice := 0
		for _, n := range asked {
			if n > 1 {
				twice++
			}
		}
		if len(asked) != secrets || twice > 0 || st.ByStatus[finding.Verified] != 2*secrets {
			b.Fatalf("%d secrets asked, %d more than once, %v", len(asked), twice, st.ByStatus)
		}
		mu.Unlock()
		bound := time.Duration(secrets/perHost) * latency
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(bound.Seconds(), "concurrency-bound-s")
		b.ReportMetric(float64(secrets)*latency.Seconds(), "serial-s")
	}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
