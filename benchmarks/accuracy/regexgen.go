// Package accuracy is leakhound's accuracy benchmark: a generator that
// writes a realistic tree with planted secrets of every rule's kind and
// planted look-alikes, and a scorer that reports recall and precision.
package accuracy

import (
	"fmt"
	"math/rand/v2"
	"regexp/syntax"
	"strings"
	"unicode"
)

// maxUnbounded caps *, + and {n,} so generated strings stay short.
const maxUnbounded = 6

// GenerateMatch returns a random string the regex expr matches (ASCII only).
func GenerateMatch(expr string, r *rand.Rand) (string, error) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return "", fmt.Errorf("parse %q: %w", expr, err)
	}
	var sb strings.Builder
	if err := gen(re, r, &sb); err != nil {
		return "", fmt.Errorf("generate %q: %w", expr, err)
	}
	return sb.String(), nil
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func gen(re *syntax.Regexp, r *rand.Rand, sb *strings.Builder) error {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
	case syntax.OpLiteral:
		for _, c := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && r.IntN(2) == 0 {
				if unicode.IsUpper(c) {
					c = unicode.ToLower(c)
				} else {
					c = unicode.ToUpper(c)
				}
			}
			sb.WriteRune(c)
		}
	case syntax.OpCharClass:
		c, ok := pickClass(re.Rune, r)
		if !ok {
			return fmt.Errorf("no ASCII rune in class %v", re.Rune)
		}
		sb.WriteRune(c)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		sb.WriteByte(alnum[r.IntN(len(alnum))])
	case syntax.OpCapture:
		return gen(re.Sub[0], r, sb)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if err := gen(s, r, sb); err != nil {
				return err
			}
		}
	case syntax.OpAlternate:
		return gen(re.Sub[r.IntN(len(re.Sub))], r, sb)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := 0, maxUnbounded
		switch re.Op {
		case syntax.OpPlus:
			lo = 1
		case syntax.OpQuest:
			hi = 1
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Max
			if hi < 0 {
				hi = lo + maxUnbounded
			}
		}
		n := lo + r.IntN(hi-lo+1)
		for range n {
			if err := gen(re.Sub[0], r, sb); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("unsupported regex op %v", re.Op)
	}
	return nil
}

// pickClass picks a printable ASCII rune from a class given as range
// pairs, preferring non-space characters.
func pickClass(ranges []rune, r *rand.Rand) (rune, bool) {
	var cand []rune
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := max(ranges[i], 0x21), min(ranges[i+1], 0x7e)
		for c := lo; c <= hi; c++ {
			cand = append(cand, c)
		}
	}
	if len(cand) == 0 {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= ' ' && ' ' <= ranges[i+1] {
				return ' ', true
			}
		}
		return 0, false
	}
	return cand[r.IntN(len(cand))], true
}
