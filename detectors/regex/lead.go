package regex

import (
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// Lead is how a regex's matches begin: the bytes at their first positions,
// position by position, for each of a few alternatives. Token rules start
// with their provider's prefix and a run of a known alphabet
// (`st\.[a-f0-9]{8}-...`, `SG\.[A-Za-z0-9_-]{22}\.`), and their keyword is
// that prefix: when every match starts with one of the rule's keywords
// (Keyed), a keyword found where the bytes after it don't fit the lead
// starts no match, and the rule needs no window there. Short prefixes
// ("st.", "b_", "re_") are in ordinary text thousands of times, almost
// never followed by what a token has.
type Lead struct {
	seqs [][]byteSet
}

// byteSet is a set of bytes, a bit each.
type byteSet [4]uint64

func (s *byteSet) add(b byte)      { s[b>>6] |= 1 << (b & 63) }
func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }
func (s *byteSet) addRange(lo, hi int) {
	for c := lo; c <= hi; c++ {
		s.add(byte(c))
	}
}

// Limits of the analysis: alternatives and positions kept.
const (
	maxLeadSeqs = 16
	maxLeadLen  = 48
)

// seq is an alternative's sets so far; done when the regex's next piece
// can be appended (what came before had a fixed length).
type seq struct {
	sets []byteSet
	open bool // more may be appended
}

// LeadOf returns the lead of expr (Perl syntax, as RE2 reads it); an
// empty Lead when it does not parse.
func LeadOf(expr string) Lead {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return Lead{}
	}
	return LeadOfSyntax(re)
}

// LeadOfSyntax is LeadOf for an expression already parsed (Perl syntax),
// which it does not change.
func LeadOfSyntax(re *syntax.Regexp) Lead {
	var l Lead
	for _, s := range leadSeqs(re) {
		l.seqs = append(l.seqs, s.sets)
	}
	return l
}

func leadSeqs(re *syntax.Regexp) []seq {
	stop := []seq{{}}
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpBeginText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []seq{{open: true}}
	case syntax.OpCapture:
		return leadSeqs(re.Sub[0])
	case syntax.OpLiteral:
		var s seq
		s.open = true
		fold := re.Flags&syntax.FoldCase != 0
		for _, r := range re.Rune {
			if fold && (r == 'k' || r == 'K' || r == 's' || r == 'S') {
				// Under (?i) RE2 also matches these by a sign beyond
				// ASCII (U+212A, U+017F) of another length: stop here.
				s.open = false
				return []seq{s}
			}
			var buf [utf8.UTFMax]byte
			n := utf8.EncodeRune(buf[:], r)
			if n > 1 && fold {
				s.open = false
				return []seq{s}
			}
			for _, b := range buf[:n] {
				var set byteSet
				set.add(b)
				if fold {
					set.add(byte(strings.ToUpper(string(b))[0]))
					set.add(byte(strings.ToLower(string(b))[0]))
				}
				s.sets = append(s.sets, set)
			}
		}
		return []seq{s}
	case syntax.OpCharClass, syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		set, ascii := classSet(re)
		// A character beyond ASCII takes more than one byte: what
		// follows it is at no fixed position.
		return []seq{{sets: []byteSet{set}, open: ascii}}
	case syntax.OpConcat:
		out := []seq{{open: true}}
		for _, sub := range re.Sub {
			if !anyOpen(out) {
				break
			}
			out = appendSeqs(out, leadSeqs(sub))
		}
		return out
	case syntax.OpAlternate:
		var out []seq
		for _, sub := range re.Sub {
			out = append(out, leadSeqs(sub)...)
			if len(out) > maxLeadSeqs {
				return stop
			}
		}
		return out
	case syntax.OpRepeat, syntax.OpPlus:
		min, max := 1, -1
		if re.Op == syntax.OpRepeat {
			min, max = re.Min, re.Max
		}
		if min == 0 {
			return stop
		}
		sub := leadSeqs(re.Sub[0])
		out := []seq{{open: true}}
		for i := 0; i < min && anyOpen(out); i++ {
			out = appendSeqs(out, sub)
		}
		if max != min {
			for i := range out {
				out[i].open = false
			}
		}
		return out
	}
	return stop // ? and *, which may match nothing, and $ and the like
}

func anyOpen(ss []seq) bool {
	for _, s := range ss {
		if s.open {
			return true
		}
	}
	return false
}

// appendSeqs appends each of next to each open alternative of cur.
func appendSeqs(cur, next []seq) []seq {
	var out []seq
	for _, c := range cur {
		if !c.open {
			out = append(out, c)
			continue
		}
		for _, n := range next {
			sets := append(append([]byteSet(nil), c.sets...), n.sets...)
			open := n.open
			if len(sets) > maxLeadLen {
				sets, open = sets[:maxLeadLen], false
			}
			out = append(out, seq{sets: sets, open: open})
		}
	}
	if len(out) > maxLeadSeqs {
		// Too many alternatives: keep what they share, the sets before
		// the first one they don't.
		return []seq{{sets: commonSets(out)}}
	}
	return out
}

// commonSets is the union, position by position, of the positions every
// alternative has.
func commonSets(ss []seq) []byteSet {
	n := len(ss[0].sets)
	for _, s := range ss {
		n = min(n, len(s.sets))
	}
	out := make([]byteSet, n)
	for _, s := range ss {
		for i := range out {
			for k := range out[i] {
				out[i][k] |= s.sets[i][k]
			}
		}
	}
	return out
}

// classSet returns the bytes a class's characters can start with, and
// whether they are all ASCII (one byte each).
func classSet(re *syntax.Regexp) (byteSet, bool) {
	var set byteSet
	switch re.Op {
	case syntax.OpAnyChar:
		set.addRange(0, 255)
		return set, false
	case syntax.OpAnyCharNotNL:
		set.addRange(0, 255)
		set[0] &^= 1 << '\n'
		return set, false
	}
	ascii := true
	for i := 0; i+1 < len(re.Rune); i += 2 {
		lo, hi := re.Rune[i], re.Rune[i+1]
		if lo < utf8.RuneSelf {
			set.addRange(int(lo), int(min(hi, utf8.RuneSelf-1)))
		}
		if hi >= utf8.RuneSelf {
			ascii = false
			set.addRange(0xc0, 0xff) // any lead byte
		}
	}
	return set, ascii
}

// Keyed reports whether every match starts with one of keywords, compared
// ignoring ASCII case: then every match starts where the keyword filter
// finds a keyword, and At can turn the other places away.
func (l Lead) Keyed(keywords []string) bool {
	if len(l.seqs) == 0 || len(keywords) == 0 {
		return false
	}
	kws := map[string]bool{}
	longest := 0
	for _, k := range keywords {
		kws[strings.ToLower(k)] = true
		longest = max(longest, len(k))
	}
	budget := 1024 // prefixes looked at, in all
	for _, s := range l.seqs {
		if !keyedFrom(s, "", kws, longest, &budget) {
			return false
		}
	}
	return true
}

// keyedFrom reports whether every string s spells after prefix (spelled
// by its first len(prefix) sets, lowercased) starts with a keyword.
func keyedFrom(s []byteSet, prefix string, kws map[string]bool, longest int, budget *int) bool {
	if kws[prefix] {
		return true
	}
	*budget--
	if len(prefix) >= longest || len(prefix) == len(s) || *budget < 0 {
		return false
	}
	var next []byte // the set's bytes, lowercased, once each
	var seen byteSet
	for c := 0; c < 256; c++ {
		if !s[len(prefix)].has(byte(c)) {
			continue
		}
		lc := byte(c)
		if 'A' <= lc && lc <= 'Z' {
			lc += 'a' - 'A'
		}
		if !seen.has(lc) {
			seen.add(lc)
			next = append(next, lc)
		}
	}
	if len(next) > 16 {
		return false
	}
	for _, c := range next {
		if !keyedFrom(s, prefix+string([]byte{c}), kws, longest, budget) {
			return false
		}
	}
	return true
}

// At reports whether a match may start at data[at:]: whether the bytes
// there fit one of the lead's alternatives. A match must fit in data.
func (l Lead) At(data []byte, at int) bool {
	if len(l.seqs) == 0 {
		return true
	}
next:
	for _, s := range l.seqs {
		if at+len(s) > len(data) {
			continue
		}
		for i := range s {
			if !s[i].has(data[at+i]) {
				continue next
			}
		}
		return true
	}
	return false
}
