//go:build !race

package regex

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// The checks here match random texts with Go's regexp (RE2 syntax, the
// same matches as RE2): many thousands of matches, which -race makes
// fifty times slower and adds nothing to (`make test` runs this package
// again without it).

// eachRandomMatch calls fn for every match of expr in n random texts
// made of pieces, and fails the test when fewer than 50 matched (it
// would prove little).
func eachRandomMatch(t *testing.T, expr string, pieces []string, rnd *rand.Rand, n int, fn func(text string, loc []int)) {
	t.Helper()
	re := regexp.MustCompile(expr)
	matched := 0
	for i := 0; i < n; i++ {
		var b strings.Builder
		for k := rnd.IntN(8); k >= 0; k-- {
			b.WriteString(pieces[rnd.IntN(len(pieces))])
		}
		text := b.String()
		for _, loc := range re.FindAllStringIndex(text, -1) {
			matched++
			fn(text, loc)
		}
	}
	if matched < 50 {
		t.Errorf("%q: only %d matches in random texts; the test proves little", expr, matched)
	}
}

// TestRequiredHoldsOnMatches: the requirement must hold in every text the
// regex matches, or the engine would pass over a secret.
func TestRequiredHoldsOnMatches(t *testing.T) {
	pieces := []string{"api", "access", "_", "-", "key", "KEY", "=", ":", " ", "x", "7", "xoxb-", "xoxp-", "1", "slack_token", "foo", "bar", "baz", "qux", "ab", "cd", "ef", "gh", "ij", "0", "42", " ab", " cd", "IJ"}
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, expr := range []string{
		`(?i)(?:api|access)[_-]?key\s*[:=]\s*(\w+)`,
		`(?:xox[bp]-\d+|slack_token\s*=\s*\w+)`,
		`(?:foo)+bar|baz(?:qux)?`,
		`(?i)\b(?:ab|cd)(?:ef|gh)?ij[0-9]{2}`,
	} {
		req := RequiredOf(expr)
		eachRandomMatch(t, expr, pieces, rnd, 200000, func(text string, loc []int) {
			if !req.Met([]byte(text[loc[0]:loc[1]])) {
				t.Fatalf("%q matches %q, which doesn't meet %s", expr, text[loc[0]:loc[1]], req)
			}
		})
	}
}

// TestLeadHoldsOnMatches: every match must fit the lead where it starts,
// or the engine would pass over it.
func TestLeadHoldsOnMatches(t *testing.T) {
	pieces := []string{"ck_", "cs_", "sk_", "PK_", "live_", "TEST_", "EAAA", "sq0atp-", "ab", "c", "d", "0", "9", "f", "x", "_", "-", " ", "1a", "abc", "cd"}
	rnd := rand.New(rand.NewPCG(3, 5))
	for _, expr := range []string{
		`\b((?:ck|cs)_[a-f0-9]{4})\b`,
		`(?i)\b(?:sk|pk)_(?:live|test)_[0-9a-z]{3}`,
		`\b(EAAA[A-Za-z0-9_-]{3}|sq0atp-[0-9A-Za-z_-]{2})(?:[^A-Za-z0-9_-]|$)`,
		`(?:ab)+c[0-9]*d`,
	} {
		lead := LeadOf(expr)
		eachRandomMatch(t, expr, pieces, rnd, 100000, func(text string, loc []int) {
			if !lead.At([]byte(text), loc[0]) {
				t.Fatalf("%q matches %q at %d, where its lead says no match starts", expr, text, loc[0])
			}
		})
	}
}
