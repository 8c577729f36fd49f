//go:build !race

package regex

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// Matched against random texts by Go's regexp: many thousands of matches,
// which -race makes fifty times slower and adds nothing to (`make test`
// runs this package again without it).

// TestRequiredHoldsOnMatches: the requirement must hold in every text the
// regex matches, or the engine would pass over a secret. Random texts
// around planted strings are matched by Go's regexp (RE2 syntax, the
// same matches) and every match must meet the requirement.
func TestRequiredHoldsOnMatches(t *testing.T) {
	exprs := []string{
		`(?i)(?:api|access)[_-]?key\s*[:=]\s*(\w+)`,
		`(?:xox[bp]-\d+|slack_token\s*=\s*\w+)`,
		`(?:foo)+bar|baz(?:qux)?`,
		`(?i)\b(?:ab|cd)(?:ef|gh)?ij[0-9]{2}`,
	}
	pieces := []string{"api", "access", "_", "-", "key", "KEY", "=", ":", " ", "x", "7", "xoxb-", "xoxp-", "1", "slack_token", "foo", "bar", "baz", "qux", "ab", "cd", "ef", "gh", "ij", "0", "42", " ab", " cd", "IJ"}
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, expr := range exprs {
		re := regexp.MustCompile(expr)
		req := RequiredOf(expr)
		matched := 0
		for i := 0; i < 200000; i++ {
			var b strings.Builder
			for n := rnd.IntN(8); n >= 0; n-- {
				b.WriteString(pieces[rnd.IntN(len(pieces))])
			}
			text := b.String()
			if loc := re.FindStringIndex(text); loc != nil {
				matched++
				if ok, _ := req.Met([]byte(text[loc[0]:loc[1]]), nil); !ok {
					t.Fatalf("%q matches %q, which doesn't meet %s", expr, text[loc[0]:loc[1]], req)
				}
			}
		}
		if matched < 50 {
			t.Errorf("%q: only %d random texts matched; the test proves little", expr, matched)
		}
	}
}
