package detectors_test

import (
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors"
)

// TestPlaceholderWordsInRandomData: a key body or long token is random
// base64, where "FaKE" or "tODo" turn up by chance (about one private key
// in 500 was dropped as a placeholder); words written as words still mark
// a placeholder, inside such runs too.
func TestPlaceholderWordsInRandomData(t *testing.T) {
	t.Parallel()
	refused := 0
	for range 3000 {
		key := "-----BEGIN PRIVATE KEY-----\\n" + strings.Join(pemBody(t, 1200), `\n`) + "\\n-----END PRIVATE KEY-----"
		if detectors.IsPlaceholder(key) {
			refused++
			t.Logf("taken for a placeholder: %s", key)
		}
	}
	if refused > 0 {
		t.Errorf("%d of 3000 random private keys taken for placeholders", refused)
	}
	for _, s := range []string{
		"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", // AWS's documented secret key
		"AKIAIOSFODNN7EXAMPLE",
		"fakefakefakefakefakefakefakefakefakefakefake",
		"ghp_FAKE0123456789abcdefghijklmnopqrstu",
		"your_api_key_here",
		"${API_TOKEN}",
		"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDUMMYtokenHEREexample",
		"sk-test-TODO",
		"xoxb-dummy-token",
		"sk_test_DUMMY0123456789abcdefghijklmnopqrstuvwxyzAB",
		"9Kq2ZbW7mXc4TnV8pLr3HsJ6dYf1GtUeRkA5wQoN0xxxxx",
	} {
		if !detectors.IsPlaceholder(s) {
			t.Errorf("%q not taken for a placeholder", s)
		}
	}
	// A five-letter word inside a random run is chance: CI once lost a
	// random key body to "xxxxx" in its middle. So is a word in mixed case
	// or in the middle of a short token's random body, and one in a key
	// body's short last line (the body is one run over its line breaks).
	line := "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDU0123456789ab"
	for _, s := range []string{
		"sk_live_4eC39HqLyjWDaRtoDo1tP7dc",
		"tok_a8k2todo9x7m3q1w5e6r",
		"-----BEGIN PRIVATE KEY-----\\n" + line + "\\n" + line + "\\nq7Zk2tOdO9xWm3Lr8Hs4Jd6Yf1GtUe==\\n-----END PRIVATE KEY-----",
		"-----BEGIN PRIVATE KEY-----\n" + line + "\n" + line + "\nq7Zk2tOdO9xWm3Lr8Hs4Jd6Yf1GtUe==\n-----END PRIVATE KEY-----",
		"-----BEGIN PRIVATE KEY-----\r\n" + line + "\r\n" + line + "\r\nq7Zk2FAKE9xWm3Lr8Hs4Jd6Yf1GtUe==\r\n-----END PRIVATE KEY-----",
		"OI2zp+G/w2EkYtgyTVgQQUoPNT9zuTiygXhCY7LP7bfQWxxxxxBxC86L5jNhqQF6w6PQU1HMtLZK5PZewqKXfL8ZHjChe",
		"9Kq2ZbW7mXc4TnV8pLr3HsJ6dYf1GtUeRkA5wQoNdummyZbW7mXc4TnV8pLr3HsJ6dYf1",
	} {
		if detectors.IsPlaceholder(s) {
			t.Errorf("%q taken for a placeholder", s)
		}
	}
}

// TestAngleBrackets: a value in angle brackets is a slot to fill in, but a
// '<' or '>' alone is one more punctuation mark of a generated password.
// Three WordPress salts in four hold one, and all of them went unreported.
func TestAngleBrackets(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"<your-api-key>",
		"<PASSWORD>",
		"<db password>",
		"token=<token>",
		"<your token",
		"<%= ENV['DB_PASSWORD'] %>",
		"<<~EOS",
	} {
		if !detectors.IsPlaceholder(s) {
			t.Errorf("%q not taken for a placeholder", s)
		}
	}
	for _, s := range []string{
		">o|A1.D;oG9/H}x}GI7kB,UL2[!aaGd}.VD|vuGc<aKiZomKn59/6@s1lQ,7KO<q",
		"aB3#kL9!mN<2@pQ7xR5tZ8wYc",
		"aB3#kL9!mN>2@pQ7xR5tZ8wYc",
		"q<7Zk2+x>",
		"k3>Lm9",
	} {
		if detectors.IsPlaceholder(s) {
			t.Errorf("%q taken for a placeholder", s)
		}
	}
}
