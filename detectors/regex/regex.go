// Package regex is the one place that picks leakhound's regex engine, so
// it can be switched and benchmarked. It is RE2 (github.com/wasilibs/go-re2):
// linear time whatever the input, which matters on hostile content.
package regex

import (
	"unicode/utf8"

	re2 "github.com/wasilibs/go-re2"
)

// Regexp is a compiled regular expression.
type Regexp = re2.Regexp

// Compile parses a regular expression in RE2 syntax.
func Compile(expr string) (*Regexp, error) { return re2.Compile(expr) }

// MustCompile is Compile for expressions known to be valid; it panics
// otherwise and is only for package-level patterns written in Go.
func MustCompile(expr string) *Regexp { return re2.MustCompile(expr) }

// Sanitize returns b with every byte that is not part of valid UTF-8
// replaced by '?', so RE2 (which stops at invalid UTF-8) sees the whole
// input. One byte becomes one byte, so offsets into the result are offsets
// into b. When b is valid, b itself is returned without copying.
func Sanitize(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	out := make([]byte, len(b))
	copy(out, b)
	for i := 0; i < len(out); {
		r, n := utf8.DecodeRune(out[i:])
		if r == utf8.RuneError && n == 1 {
			out[i] = '?'
		}
		i += n
	}
	return out
}
