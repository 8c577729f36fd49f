package detectors

import (
	"regexp/syntax"
	"unicode/utf8"
)

// Most gitleaks-style rules open with a lazy run of identifier bytes
// before their keyword, `(?i)[\w.-]{0,50}?(?:twilio)...`, so that the
// match shows the whole variable name. For RE2 that prefix is costly: a
// search may start at any byte, and the DFA carries a copy of each state
// for every count from 0 to 50, so its state cache overflows and RE2
// falls back to its much slower NFA on window after window.
//
// The prefix can always match nothing, so dropping it changes neither
// whether a rule matches nor any capture group nor where a match ends:
// the leftmost match of the whole regex puts the rest at the leftmost
// place the rest matches on its own (the lazy prefix takes the fewest
// bytes that reach it). Only the start moves, and that is recovered
// exactly by walking back over the bytes the prefix would take, up to its
// bound, but not into the previous match. So the engine searches with
// the rest and restores the start: same findings, one DFA state per
// state.

// lazyPrefix is a leading lazy repetition of a character class.
type lazyPrefix struct {
	ascii [128]bool
	wide  []rune // the class's ranges beyond ASCII, as lo, hi pairs
	max   int    // most characters it takes; -1 for no bound
}

// SearchRegex returns the regex the engine searches windows with for a
// rule's regex: the regex itself, or the regex less a leading lazy prefix
// (the match start is then restored). Tests check the requirement and
// lead the engine works out from it (regex.RequiredOf, regex.LeadOf).
func SearchRegex(expr string) string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return expr
	}
	search, _ := splitLazyPrefix(re, expr)
	return search
}

// splitLazyPrefix returns the regex to search with and the prefix it
// leaves out, or expr itself and nil when expr has no such prefix or
// dropping it would not be exact.
func splitLazyPrefix(re *syntax.Regexp, expr string) (string, *lazyPrefix) {
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 {
		return expr, nil
	}
	first := re.Sub[0]
	if first.Flags&syntax.NonGreedy == 0 {
		return expr, nil
	}
	p := &lazyPrefix{max: -1}
	switch {
	case first.Op == syntax.OpStar:
	case first.Op == syntax.OpRepeat && first.Min == 0:
		p.max = first.Max
	default:
		return expr, nil
	}
	cc := first.Sub[0]
	if cc.Op != syntax.OpCharClass {
		return expr, nil
	}
	// Under (?i) a class of letters also holds U+017F and U+212A (the
	// case folds of s and k), so ranges beyond ASCII are kept too.
	for i := 0; i+1 < len(cc.Rune); i += 2 {
		lo, hi := cc.Rune[i], cc.Rune[i+1]
		for c := lo; c <= hi && c < 128; c++ {
			p.ascii[c] = true
		}
		if hi >= 128 {
			p.wide = append(p.wide, max(lo, 128), hi)
		}
	}
	rest := &syntax.Regexp{Op: syntax.OpConcat, Flags: re.Flags, Sub: re.Sub[1:]}
	if minLen(rest) == 0 {
		return expr, nil // empty matches step through text differently
	}
	return rest.String(), p
}

func (p *lazyPrefix) has(r rune) bool {
	if r < 128 {
		return r >= 0 && p.ascii[r]
	}
	for i := 0; i+1 < len(p.wide); i += 2 {
		if p.wide[i] <= r && r <= p.wide[i+1] {
			return true
		}
	}
	return false
}

// start returns where the whole regex's match begins when the rest
// matched at at: as far back as the prefix reaches over its class, within
// its bound and not before lo (the end of the previous match or the
// start of the text, both on character boundaries; text is valid UTF-8,
// see regex.Sanitize).
func (p *lazyPrefix) start(text []byte, at, lo int) int {
	s := at
	for n := 0; s > lo && (p.max < 0 || n < p.max); n++ {
		c := text[s-1]
		if c < utf8.RuneSelf {
			if !p.ascii[c] {
				break
			}
			s--
			continue
		}
		r, size := utf8.DecodeLastRune(text[lo:s])
		if (r == utf8.RuneError && size <= 1) || !p.has(r) {
			break
		}
		s -= size
	}
	return s
}

// minLen is the fewest bytes re can match.
func minLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		n := 0
		for _, r := range re.Rune {
			n += len(string(r))
		}
		return n
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture, syntax.OpPlus:
		return minLen(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min * minLen(re.Sub[0])
	case syntax.OpConcat:
		n := 0
		for _, s := range re.Sub {
			n += minLen(s)
		}
		return n
	case syntax.OpAlternate:
		n := -1
		for _, s := range re.Sub {
			if m := minLen(s); n < 0 || m < n {
				n = m
			}
		}
		return max(n, 0)
	}
	return 0 // empty, anchors, word boundaries, star, quest
}
