package rules_test

import (
	"strings"
	"testing"

	"github.com/leakhound/leakhound/rules"
)

func TestDefaultRulesUnique(t *testing.T) {
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Rules) == 0 {
		t.Fatal("no default rules")
	}
	for _, r := range cfg.Rules {
		if len(r.Keywords) == 0 && r.Regex != "" && r.Path == "" {
			t.Errorf("rule %s has neither keywords nor a path: it would run on every chunk", r.ID)
		}
		for _, k := range r.Keywords {
			if k != strings.ToLower(k) {
				t.Errorf("rule %s keyword %q not lowercased", r.ID, k)
			}
		}
	}
}

// TestIsBuiltinRegex: every built-in rule's regex is known (a config that
// extends them compiles only its own before a scan), and a changed one
// is not.
func TestIsBuiltinRegex(t *testing.T) {
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cfg.Rules {
		if !rules.IsBuiltinRegex(r.Regex) {
			t.Fatalf("%s: its regex is not known as built-in", r.ID)
		}
	}
	if rules.IsBuiltinRegex(cfg.Rules[0].Regex + "x") {
		t.Error("a changed regex is taken for a built-in one")
	}
}
