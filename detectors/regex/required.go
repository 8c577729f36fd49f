package regex

import (
	"bytes"
	"encoding/binary"
	"regexp/syntax"
	"slices"
	"strings"
)

// Required is what text any match of a regex must contain: for each of
// its sets, at least one of the set's strings, compared ignoring ASCII
// case. It is worked out from the regex's syntax, in the manner of RE2's
// FilteredRE2: literals, small alternations and small classes are
// multiplied out into the strings a stretch of the regex can match, and
// what can repeat or be skipped is dropped. Checking it costs a few
// substring searches, against an RE2 call (and, the first time a rule
// runs, compiling its program): most places a rule's keyword appears
// hold nothing the rule could match, and the check turns them away
// without either.
//
// The check is a necessary condition only: Met never says false for a
// text the regex matches, so using it changes no result.
type Required struct {
	sets [][]string // lowercase
}

// Limits that keep the analysis and the check small: strings are
// multiplied out up to maxAlternatives per set, and a set is kept only
// if its shortest string has at least minRequired bytes (shorter ones
// are in almost any text).
const (
	maxAlternatives = 32
	maxRequiredLen  = 24
	minRequired     = 3
)

// RequiredOf returns the requirement of expr (Perl syntax, as RE2 reads
// it), or an empty one when expr doesn't parse or requires nothing useful.
func RequiredOf(expr string) Required {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return Required{}
	}
	return RequiredOfSyntax(re)
}

// RequiredOfSyntax is RequiredOf for an expression already parsed (Perl
// syntax), which it does not change.
func RequiredOfSyntax(re *syntax.Regexp) Required {
	n := analyze(re)
	sets := n.and
	if n.exact != nil {
		sets = append(sets, n.exact)
	}
	var r Required
	for i, s := range sets {
		if !useful(s) {
			continue
		}
		// A set another one implies (each of whose strings holds one of
		// this set's, "xfoo" implying "foo") checks nothing more.
		implied := false
		for j, t := range sets {
			if j != i && useful(t) && implies(t, s) && (!implies(s, t) || j < i) {
				implied = true
				break
			}
		}
		if !implied {
			r.sets = append(r.sets, s)
		}
	}
	// Most selective first: the set whose strings are longest.
	slices.SortStableFunc(r.sets, func(a, b []string) int { return minLen(b) - minLen(a) })
	return r
}

// Given returns the requirement less the sets that hold wherever one of
// the given strings is: a rule runs only where one of its keywords is,
// so a set every keyword satisfies need not be checked again.
func (r Required) Given(keywords []string) Required {
	lower := make([]string, len(keywords))
	for i, k := range keywords {
		lower[i] = strings.ToLower(k)
	}
	var out Required
	for _, set := range r.sets {
		if len(lower) == 0 || !implies(lower, set) {
			out.sets = append(out.sets, set)
		}
	}
	return out
}

// implies reports whether text holding one of t's strings holds one of
// s's.
func implies(t, s []string) bool {
	for _, a := range t {
		if !slices.ContainsFunc(s, func(b string) bool { return strings.Contains(a, b) }) {
			return false
		}
	}
	return true
}

// Empty reports whether the requirement holds for any text.
func (r Required) Empty() bool { return len(r.sets) == 0 }

// String shows the requirement, for tests and debugging.
func (r Required) String() string {
	var parts []string
	for _, s := range r.sets {
		parts = append(parts, "("+strings.Join(s, "|")+")")
	}
	return strings.Join(parts, " & ")
}

// Met reports whether text may hold a match. Text holding bytes beyond
// ASCII always may: under (?i) RE2 matches k and s by their Unicode case
// folds (U+212A, U+017F) too. (The engine lowercases a chunk once for
// all its rules and calls MetLower.)
func (r Required) Met(text []byte) bool {
	if len(r.sets) == 0 {
		return true
	}
	lower := make([]byte, len(text))
	if !LowerASCII(lower, text) {
		return true
	}
	return r.MetLower(lower)
}

// MetLower is Met of a text already lowercased by LowerASCII (and all
// ASCII).
func (r Required) MetLower(lower []byte) bool {
	for _, set := range r.sets {
		found := false
		for _, s := range set {
			if bytes.Contains(lower, []byte(s)) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// LowerASCII writes src's lowercase copy to dst (at least as long),
// eight bytes at a time, and reports whether src is all ASCII (when it
// is not, the copy is unfinished).
func LowerASCII(dst, src []byte) bool {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	dst = dst[:len(src)]
	i := 0
	for ; i+8 <= len(src); i += 8 {
		x := binary.LittleEndian.Uint64(src[i:])
		if x&high != 0 {
			return false
		}
		// A byte's high bit: set by +0x3f when it is >= 'A', by +0x25
		// when it is > 'Z'; no byte carries into the next, all being < 0x80.
		upper := (x + ones*(0x80-'A')) &^ (x + ones*(0x80-'Z'-1)) & high
		binary.LittleEndian.PutUint64(dst[i:], x|upper>>2)
	}
	for ; i < len(src); i++ {
		c := src[i]
		if c >= 0x80 {
			return false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst[i] = c
	}
	return true
}

// need is what a piece of a regex requires: exact, when not nil, is every
// string the piece can match (lowercased; "" when it can match nothing);
// prefix, when not nil, holds a string every match starts with; and and
// lists sets of which the text must hold one string each.
type need struct {
	exact  []string
	prefix []string
	and    [][]string
}

// starts returns the strings every match of the piece starts with one of.
func (n need) starts() []string {
	if n.exact != nil {
		return n.exact
	}
	return n.prefix
}

func useful(set []string) bool {
	return len(set) > 0 && len(set) <= maxAlternatives && minLen(set) >= minRequired
}

func minLen(set []string) int {
	m := -1
	for _, s := range set {
		if m < 0 || len(s) < m {
			m = len(s)
		}
	}
	return m
}

// flush turns an exact set into a requirement of the whole: what the
// piece matches is somewhere in any match.
func (n need) flush() [][]string {
	if n.exact != nil && useful(n.exact) {
		return append(n.and, n.exact)
	}
	return n.and
}

func analyze(re *syntax.Regexp) need {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return need{exact: []string{""}}
	case syntax.OpLiteral:
		var b strings.Builder
		for _, r := range re.Rune {
			if r >= 0x80 {
				return need{} // no ASCII spelling to look for
			}
			b.WriteRune(r)
		}
		return need{exact: []string{strings.ToLower(b.String())}}
	case syntax.OpCharClass:
		return need{exact: classStrings(re)}
	case syntax.OpCapture:
		return analyze(re.Sub[0])
	case syntax.OpQuest:
		n := analyze(re.Sub[0])
		if n.exact != nil {
			return need{exact: union(n.exact, []string{""})}
		}
		return need{}
	case syntax.OpStar:
		return need{}
	case syntax.OpPlus:
		n := analyze(re.Sub[0])
		return need{and: n.flush(), prefix: n.starts()}
	case syntax.OpRepeat:
		if re.Min == 0 {
			if re.Max == 1 {
				n := analyze(re.Sub[0])
				if n.exact != nil {
					return need{exact: union(n.exact, []string{""})}
				}
			}
			return need{}
		}
		n := analyze(re.Sub[0])
		if re.Min == 1 && re.Max == 1 {
			return n
		}
		return need{and: n.flush(), prefix: n.starts()}
	case syntax.OpConcat:
		return concat(re.Sub)
	case syntax.OpAlternate:
		return alternate(re.Sub)
	}
	return need{} // any character, and anything else: no requirement
}

// concat multiplies out consecutive exact pieces while the product stays
// small, and keeps every piece's own requirements.
func concat(subs []*syntax.Regexp) need {
	var out need
	cur := []string{""} // product of the exact pieces since the last break
	exact := true       // every piece so far was exact and multiplied in
	for _, sub := range subs {
		n := analyze(sub)
		out.and = append(out.and, n.and...)
		if n.exact == nil {
			// The piece's match starts with one of its prefixes, right
			// after one of cur: their product is in any match.
			if p := product(cur, n.prefix); p != nil && useful(p) {
				cur = p
			}
			if exact {
				out.prefix = cur
			}
			out.and = appendUseful(out.and, cur)
			cur = []string{""}
			exact = false
			continue
		}
		if p := product(cur, n.exact); p != nil {
			cur = p
			continue
		}
		if exact {
			out.prefix = cur
		}
		out.and = appendUseful(out.and, cur)
		cur = n.exact
		exact = false
	}
	if exact {
		out.exact = cur
		return out
	}
	out.and = appendUseful(out.and, cur)
	if out.prefix != nil && len(out.prefix) == 1 && out.prefix[0] == "" {
		out.prefix = nil
	}
	return out
}

// alternate: every branch's strings when all are exact; else one set of
// each branch's most selective requirement, when every branch has one.
func alternate(subs []*syntax.Regexp) need {
	var all, picks, prefixes []string
	exact, pickable, prefixed := true, true, true
	for _, sub := range subs {
		n := analyze(sub)
		if exact && n.exact != nil {
			all = union(all, n.exact)
			if len(all) > maxAlternatives {
				exact = false
			}
		} else {
			exact = false
		}
		if prefixed {
			if st := n.starts(); st != nil {
				prefixes = union(prefixes, st)
			} else {
				prefixed = false
			}
		}
		if pickable {
			if best := bestSet(n.flush()); best != nil {
				picks = union(picks, best)
			} else {
				pickable = false
			}
		}
	}
	if exact {
		return need{exact: all}
	}
	var out need
	if prefixed && len(prefixes) <= maxAlternatives {
		out.prefix = prefixes
	}
	if pickable && useful(picks) {
		out.and = [][]string{picks}
	}
	return out
}

func bestSet(sets [][]string) []string {
	var best []string
	for _, s := range sets {
		if useful(s) && (best == nil || minLen(s) > minLen(best)) {
			best = s
		}
	}
	return best
}

func appendUseful(sets [][]string, set []string) [][]string {
	if useful(set) {
		return append(sets, set)
	}
	return sets
}

// product returns every a+b, or nil when there would be too many or too
// long ones.
func product(as, bs []string) []string {
	if len(as)*len(bs) > maxAlternatives {
		return nil
	}
	out := make([]string, 0, len(as)*len(bs))
	for _, a := range as {
		for _, b := range bs {
			if len(a)+len(b) > maxRequiredLen {
				return nil
			}
			out = append(out, a+b)
		}
	}
	return dedupe(out)
}

func union(a, b []string) []string {
	return dedupe(append(append([]string(nil), a...), b...))
}

func dedupe(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// classStrings returns a small class's characters as one-byte strings
// (lowercased), or nil for a large class or one beyond ASCII.
func classStrings(re *syntax.Regexp) []string {
	var out []string
	for i := 0; i+1 < len(re.Rune); i += 2 {
		lo, hi := re.Rune[i], re.Rune[i+1]
		if hi >= 0x80 || hi-lo >= 8 {
			return nil
		}
		for c := lo; c <= hi; c++ {
			out = append(out, strings.ToLower(string(c)))
			if len(out) > 8 {
				return nil
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return dedupe(out)
}
