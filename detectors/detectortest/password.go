package detectortest

import "github.com/leakhound/leakhound/detectors"

// Punctuation is the set PunctuatedPassword mixes in: characters that
// end or start a value in some syntax (a comment, a shell operator, a
// reference), so a detector must take them from where the syntax says a
// value ends.
const Punctuation = "#^!&@%*$"

// PunctuatedPassword returns a random 20-character password that starts
// with a letter and mixes cases, digits and at least three characters of
// Punctuation, as password managers generate them. It never holds a %
// before two hex digits: "%40" reads as a percent-encoded "@", and the
// decoded value is what a detector reports.
func PunctuatedPassword() string {
	for {
		p := Random(Upper+Lower, 1) + Random(Upper, 3) + Random(Lower, 3) + Random(Digits, 3) + Random(Punctuation, 3) + Random(Base62+Punctuation, 7)
		b := []byte(p)
		// Shuffle all but the first letter.
		for i := len(b) - 1; i > 1; i-- {
			j := Random(Digits, 2)
			k := 1 + (int(j[0]-'0')*10+int(j[1]-'0'))%i
			b[i], b[k] = b[k], b[i]
		}
		if !detectors.IsPlaceholder(string(b)) && !percentEscape(b) {
			return string(b)
		}
	}
}

func percentEscape(b []byte) bool {
	hex := func(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' && hex(b[i+1]) && hex(b[i+2]) {
			return true
		}
	}
	return false
}
