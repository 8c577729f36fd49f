package detectors

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestPrefilterAgainstNaive compares the automaton with a plain search for
// every keyword, on random text over a small alphabet (so keywords overlap
// and nest a lot), in both cases.
func TestPrefilterAgainstNaive(t *testing.T) {
	t.Parallel()
	words := []string{"ab", "abc", "bca", "c", "aab", "key", "api_key", "ke", "xoxb-", "-us"}
	// And with a keyword long enough that the parts' overlap is as long
	// as the bytes they own.
	long := append(words[:len(words):len(words)], "abcabcabcabc_key_abcabcabcabc_key_abcabcabc")
	for iter := 0; iter < 2000; iter++ {
		ws := words
		if iter%2 == 1 {
			ws = long
		}
		checkPrefilter(t, ws, iter)
	}
}

func checkPrefilter(t *testing.T, words []string, iter int) {
	p := newPrefilter(words)
	rng := rand.New(rand.NewPCG(7, uint64(iter)))
	const alphabet = "abcABC_-kKeEyYxo pius"
	{
		n := rng.IntN(600) // either side of the interleaved scan's threshold
		if iter%3 == 0 {
			n = 4096 + rng.IntN(20000)
		}
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		// The longest keyword planted here and there, across the parts'
		// boundaries as often as not.
		if w := words[len(words)-1]; len(w) > 10 {
			for k := 0; k < 4 && len(b) > len(w); k++ {
				copy(b[rng.IntN(len(b)-len(w)+1):], w)
			}
		}
		got := map[hit]bool{}
		last := 0
		for _, h := range p.find(b, nil) {
			if got[h] {
				t.Fatalf("hit %v reported twice", h)
			}
			if h.End < last {
				t.Fatalf("hits out of order: %d after %d", h.End, last)
			}
			last = h.End
			got[h] = true
		}
		low := strings.ToLower(string(b))
		want := map[hit]bool{}
		for id, w := range words {
			for i := 0; i+len(w) <= len(low); i++ {
				if low[i:i+len(w)] == w {
					want[hit{Keyword: int32(id), End: i + len(w)}] = true
				}
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%q: got %d hits, want %d", b, len(got), len(want))
		}
		for h := range want {
			if !got[h] {
				t.Fatalf("%q: missing %s ending at %d", b, words[h.Keyword], h.End)
			}
		}
	}
}
