package regex

import (
	"strings"
	"testing"
)

func TestRequiredOf(t *testing.T) {
	for _, c := range []struct{ expr, want string }{
		{`ghp_[A-Za-z0-9]{36}`, `(ghp_)`},
		{`(?i)(?:api|access)[_-]?key\s*=\s*(\w+)`, `(access-key|access_key|accesskey|api-key|api_key|apikey)`},
		{`(?i)\bsk_live_[0-9a-z]{24}`, `(sk_live_)`},
		{`(?i)[\w.-]{0,50}?(?:twilio)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}(SK[0-9a-f]{32})`, `(twilio)`},
		// Each branch's most selective requirement, when every branch has one.
		{`(?:xox[bp]-\d+|slack_token\s*=\s*\w+)`, `(slack_token|xoxb-|xoxp-)`},
		// A branch that requires nothing: nothing can be required.
		{`(?:abc|\w+)def`, `(def)`},
		{`(?:abc|\w+)`, ``},
		// What may repeat zero times requires nothing; once, its strings.
		{`(?:foo)*bar`, `(bar)`},
		{`(?:foo)+bar`, `(foo) & (bar)`},
		{`x(?:foo){2,3}y`, `(xfoo)`},
		// A factored alternation is multiplied back out.
		{`(?i)\.(?:php\d?|phtml|inc)$`, `(.inc|.php|.phtml)`},
		// Short strings are in any text: not kept.
		{`a.b`, ``},
		{`[A-Z]{2}\d{4}`, ``},
		{`-----BEGIN[ A-Z]*PRIVATE KEY-----`, `(private key-----) & (-----begin)`},
	} {
		if got := RequiredOf(c.expr).String(); got != c.want {
			t.Errorf("RequiredOf(%q) = %q, want %q", c.expr, got, c.want)
		}
	}
}

func TestRequiredGiven(t *testing.T) {
	r := RequiredOf(`(?i)asana[\w.-]{0,20}(?:key|token|pat)\s*=\s*(\w{32})`)
	if got, want := r.Given([]string{"asana"}).String(), `(key|pat|token)`; got != want {
		t.Errorf("Given(asana) = %q, want %q", got, want)
	}
	// A set some keyword doesn't imply stays.
	if got, want := r.Given([]string{"asana", "pat"}).String(), `(asana) & (key|pat|token)`; got != want {
		t.Errorf("Given(asana, pat) = %q, want %q", got, want)
	}
}

func TestRequiredMet(t *testing.T) {
	r := RequiredOf(`(?i)(?:api|access)[_-]?key\s*[:=]\s*(\w+)`)
	for _, c := range []struct {
		text string
		want bool
	}{
		{`API_KEY = abc`, true},
		{`const accessKEY: x`, true},
		{`apiKey(x)`, true}, // the requirement holds; the regex decides
		{`keyword := "key"`, false},
		{`api key = x`, false},
		// Beyond ASCII: (?i)k also matches the Kelvin sign, so no verdict.
		{"api_\u212aey = abc", true},
	} {
		if got := r.Met([]byte(c.text)); got != c.want {
			t.Errorf("Met(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

// TestLowerASCII checks LowerASCII's eight-bytes-at-a-time lowercasing against
// the byte-by-byte one on every ASCII byte in every position.
func TestLowerASCII(t *testing.T) {
	var text []byte
	for c := 0; c < 0x80; c++ {
		text = append(text, byte(c))
	}
	for shift := 0; shift < 8; shift++ {
		in := append([]byte(strings.Repeat("Q", shift)), text...)
		got := make([]byte, len(in))
		if !LowerASCII(got, in) || string(got) != strings.ToLower(string(in)) {
			t.Fatalf("LowerASCII(%q) = %q", in, got)
		}
	}
	for _, s := range []string{"ABCDEFGH\x80", "\xffabcdefghij", "abcdefg\u00e9"} {
		if LowerASCII(make([]byte, len(s)), []byte(s)) {
			t.Errorf("LowerASCII(%q) says ASCII", s)
		}
	}
}
