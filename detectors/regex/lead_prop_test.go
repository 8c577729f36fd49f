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

// TestLeadHoldsOnMatches: every match must fit the lead where it starts,
// or the engine would pass over it. Random texts are matched by Go's
// regexp (RE2 syntax, the same matches).
func TestLeadHoldsOnMatches(t *testing.T) {
	exprs := []string{
		`\b((?:ck|cs)_[a-f0-9]{4})\b`,
		`(?i)\b(?:sk|pk)_(?:live|test)_[0-9a-z]{3}`,
		`\b(EAAA[A-Za-z0-9_-]{3}|sq0atp-[0-9A-Za-z_-]{2})(?:[^A-Za-z0-9_-]|$)`,
		`(?:ab)+c[0-9]*d`,
	}
	pieces := []string{"ck_", "cs_", "sk_", "PK_", "live_", "TEST_", "EAAA", "sq0atp-", "ab", "c", "d", "0", "9", "f", "x", "_", "-", " ", "1a", "abc", "cd"}
	rnd := rand.New(rand.NewPCG(3, 5))
	for _, expr := range exprs {
		re := regexp.MustCompile(expr)
		lead := LeadOf(expr)
		matched := 0
		for i := 0; i < 100000; i++ {
			var b strings.Builder
			for n := rnd.IntN(8); n >= 0; n-- {
				b.WriteString(pieces[rnd.IntN(len(pieces))])
			}
			text := b.String()
			for _, loc := range re.FindAllStringIndex(text, -1) {
				matched++
				if !lead.At([]byte(text), loc[0]) {
					t.Fatalf("%q matches %q at %d, where its lead says no match starts", expr, text, loc[0])
				}
			}
		}
		if matched < 50 {
			t.Errorf("%q: only %d matches; the test proves little", expr, matched)
		}
	}
}
