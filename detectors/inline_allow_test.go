package detectors_test

import (
	"testing"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/rules"
)

// With NoInlineAllow, allow comments on a secret's line allow nothing
// and are not counted as allowed.
func TestNoInlineAllow(t *testing.T) {
	t.Parallel()
	for _, marker := range []string{"leakhound:allow", "gitleaks:allow"} {
		cfg := &rules.Config{Rules: []rules.Rule{tokRule}, NoInlineAllow: true}
		cfg.Normalize()
		e, err := detectors.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		s := tok()
		detectortest.MustFind(t, e, "a.go", "x := \""+s+"\" // "+marker+"\n", s)
		if n := e.Allowed()["inline allow comments"]; n != 0 {
			t.Errorf("%s: %d counted as allowed", marker, n)
		}
		detectortest.MustNotFind(t, testEngine(t, tokRule), "a.go", "x := \""+tok()+"\" // "+marker+"\n")
	}
}
