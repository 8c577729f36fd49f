//go:build !race

package detectors

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

// TestFiltersChangeNoFinding: requirements and leads (detectors/regex)
// only save work. An engine with them and one without must report the
// same findings on every rule's examples and negative examples, and on
// texts that mix them with one another and with look-alike noise (a
// keyword followed by the wrong bytes, the keyword of one rule beside
// another rule's secret). Runs without -race (a thousand rules, one
// goroutine; `make test` runs the package again without it).
func TestFiltersChangeNoFinding(t *testing.T) {
	filtered, plain := defaultEngine(t), defaultEngine(t)
	plain.unfiltered = true

	var samples []string
	var paths []string
	for _, r := range filtered.rules {
		for _, x := range append(slices.Clone(r.Examples), r.NegativeExamples...) {
			samples = append(samples, x)
			paths = append(paths, r.ExampleFile())
		}
	}
	noise := []string{"\n", " ", "=", ": ", "\"", "st.", "b_", "re_", "00D", "ck_", "sk_", "token", "password", "key", "@", "://", "xoxb-", "ghp_", "AKIA", "eyJ", "-----BEGIN", "abc123", "ZZZZ"}
	rnd := rand.New(rand.NewPCG(29, 31))
	for i := 0; i < 3000; i++ {
		var b strings.Builder
		for n := rnd.IntN(6); n >= 0; n-- {
			if rnd.IntN(3) == 0 {
				b.WriteString(noise[rnd.IntN(len(noise))])
			} else {
				b.WriteString(samples[rnd.IntN(len(samples))])
			}
			b.WriteString(noise[rnd.IntN(3)])
		}
		samples = append(samples, b.String())
		paths = append(paths, paths[rnd.IntN(len(paths))])
	}
	found := 0
	for i, text := range samples {
		c := finding.Chunk{Origin: finding.Origin{Path: paths[i]}, Data: []byte(text)}
		got, want := show(filtered.Detect(c)), show(plain.Detect(c))
		found += len(want)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: %q:\nwith the filters:    %q\nwithout the filters: %q", paths[i], text, got, want)
		}
	}
	if found < 1000 {
		t.Errorf("only %d findings in all: the samples prove little", found)
	}
}

func show(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %d:%d %s", f.RuleID, f.Location.Line, f.Location.Column, f.Secret))
	}
	slices.Sort(out)
	return out
}
