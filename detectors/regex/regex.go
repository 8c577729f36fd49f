// Package regex is the one place that picks leakhound's regex engine, so
// it can be switched and benchmarked. It is RE2 (github.com/wasilibs/go-re2):
// linear time whatever the input, which matters on hostile content.
package regex

import (
	"sync"
	"sync/atomic"
	"unicode/utf8"

	re2 "github.com/wasilibs/go-re2"
)

// Regexp is a compiled regular expression.
type Regexp = re2.Regexp

// Compile parses a regular expression in RE2 syntax. Compiled regexes are
// kept for the life of the process and shared (they are safe for
// concurrent use): an org scan builds an engine per repository, and RE2
// compiling is slow enough that compiling the same rules again for each
// would cost more than many repositories' scans.
func Compile(expr string) (*Regexp, error) {
	if re, ok := compiled.Load(expr); ok {
		return re.(*Regexp), nil
	}
	re, err := re2.Compile(expr)
	if err != nil {
		return nil, err
	}
	if cached.Add(1) <= maxCached {
		compiled.Store(expr, re)
	}
	return re, nil
}

// maxCached bounds the shared regexes: a long-running server given many
// configs must not grow without end.
const maxCached = 20000

var (
	compiled sync.Map // expr -> *Regexp
	cached   atomic.Int64
)

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
