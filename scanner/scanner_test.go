package scanner

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
	"github.com/leakhound/leakhound/scanner/source"
)

// fakeSource yields fixed chunks, then optionally waits for cancellation.
type fakeSource struct {
	chunks   []finding.Chunk
	problems int
	block    bool
}

func (s *fakeSource) Scan(ctx context.Context, sink source.Sink) error {
	for _, c := range s.chunks {
		sink.Chunk(c)
		sink.Item(int64(len(c.Data)))
	}
	for i := 0; i < s.problems; i++ {
		sink.Problem("bad", errors.New("unreadable"))
	}
	sink.Skip("x.bin", "binary")
	if s.block {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func engine(t *testing.T) *detectors.Engine {
	cfg := &rules.Config{Rules: []rules.Rule{{ID: "tok", Description: "d", Regex: `tok_[a-z]{8}`, Keywords: []string{"tok_"}}}}
	cfg.Normalize()
	e, err := detectors.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func chunk(path, data string) finding.Chunk {
	return finding.Chunk{Origin: finding.Origin{Kind: "file", Path: path}, Data: []byte(data)}
}

func TestRunDedupesSortsAndIgnores(t *testing.T) {
	t.Parallel()
	src := &fakeSource{chunks: []finding.Chunk{
		chunk("b.txt", "tok_bbbbbbbb"),
		chunk("a.txt", "x\ntok_aaaaaaaa"),
		chunk("a.txt", "x\ntok_aaaaaaaa"), // the same content twice: one finding
		chunk("c.txt", "tok_cccccccc"),
	}, problems: 2}
	ignore := filepath.Join(t.TempDir(), "ignore")
	if err := os.WriteFile(ignore, []byte(finding.HashSecret("tok_cccccccc")+"  # a fixture\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res, err := Run(context.Background(), Options{Target: "t", Source: src, Detector: engine(t), IgnoreFiles: []string{ignore},
		Report: ReportOptions{Format: "json", Writer: &out}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 2 || res.Findings[0].Location.Path != "a.txt" || res.Findings[1].Location.Path != "b.txt" {
		t.Fatalf("findings %+v", res.Findings)
	}
	s := res.Summary
	if s.Files != 4 || s.Findings != 2 || len(s.Problems) != 2 || s.Skipped["binary"] != 1 || s.Incomplete || s.Suppressed[ignore] != 1 {
		t.Errorf("summary %+v", s)
	}
	if !strings.Contains(out.String(), `"a.txt"`) {
		t.Errorf("report: %s", out.String())
	}
}

func TestRunCancelledIsIncomplete(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	src := &fakeSource{chunks: []finding.Chunk{chunk("a.txt", "tok_aaaaaaaa")}, block: true}
	var out bytes.Buffer
	done := make(chan struct{})
	var res Result
	var err error
	go func() {
		res, err = Run(ctx, Options{Source: src, Detector: engine(t), Report: ReportOptions{Format: "json", Writer: &out}})
		close(done)
	}()
	cancel()
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if !res.Summary.Incomplete || len(res.Findings) != 1 || !strings.Contains(out.String(), "a.txt") {
		t.Fatalf("partial result not reported: %+v %s", res.Summary, out.String())
	}
}

func TestProblemsCapped(t *testing.T) {
	t.Parallel()
	src := &fakeSource{problems: 5}
	res, err := Run(context.Background(), Options{Source: src, Detector: engine(t), MaxProblems: 3})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Summary.Problems); n != 4 || res.Summary.Errors != 5 || !strings.Contains(res.Summary.Problems[3].Err, "2 more") {
		t.Fatalf("problems %+v", res.Summary.Problems)
	}
}
