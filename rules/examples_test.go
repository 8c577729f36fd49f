// The rule examples compile and run every built-in rule's regex alone:
// over a thousand RE2 programs, single-threaded, where the race detector
// finds nothing and makes the test sixty times slower. `make test` runs it
// in its step without -race.

//go:build !race

package rules_test

import (
	"testing"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

// TestDefaultRuleExamples runs every default rule's examples (each must be
// found by that rule) and negative examples (none may be found by it).
func TestDefaultRuleExamples(t *testing.T) {
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cfg.Rules {
		t.Run(r.ID, func(t *testing.T) {
			if len(r.Examples) == 0 {
				t.Errorf("rule has no examples")
			}
			if len(r.NegativeExamples) == 0 && r.Regex != "" {
				t.Errorf("rule has no negative_examples")
			}
			if r.Description == "" {
				t.Errorf("rule has no description")
			}
			// A multi-part rule runs with the parts it requires; only its
			// own findings count. A part-only rule (skipReport) is run as
			// if it reported: its examples are what it finds for others.
			r.SkipReport = false
			one := &rules.Config{Rules: []rules.Rule{r}}
			for _, req := range r.Required {
				if part := cfg.Rule(req.ID); part != nil {
					one.Rules = append(one.Rules, *part)
				}
			}
			eng, err := detectors.New(one)
			if err != nil {
				t.Fatal(err)
			}
			if err := eng.CompileAll(nil); err != nil {
				t.Fatal(err)
			}
			own := func(ex string) []finding.Finding {
				var fs []finding.Finding
				for _, f := range eng.Detect(chunk(r.ExampleFile(), ex)) {
					if f.RuleID == r.ID {
						fs = append(fs, f)
					}
				}
				return fs
			}
			for _, ex := range r.Examples {
				if len(own(ex)) == 0 {
					t.Errorf("example not found: %q", ex)
				}
			}
			for _, ex := range r.NegativeExamples {
				if fs := own(ex); len(fs) > 0 {
					t.Errorf("negative example found: %q (secret %q)", ex, fs[0].Secret)
				}
			}
		})
	}
}

func chunk(path, s string) finding.Chunk {
	return finding.Chunk{Origin: finding.Origin{Kind: "file", Path: path}, Data: []byte(s)}
}
