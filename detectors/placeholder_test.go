package detectors_test

import (
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/finding"
)

// wantPlaceholder checks that IsPlaceholder says want of every value.
func wantPlaceholder(t *testing.T, want bool, values ...string) {
	t.Helper()
	for _, s := range values {
		if got := detectors.IsPlaceholder(s); got != want {
			t.Errorf("IsPlaceholder(%q) = %v, want %v", s, got, want)
		}
	}
}

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
	wantPlaceholder(t, true,
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
	)
	// A five-letter word inside a random run is chance: CI once lost a
	// random key body to "xxxxx" in its middle. So is a word in mixed case
	// or in the middle of a short token's random body, and one in a key
	// body's short last line (the body is one run over its line breaks).
	line := "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDU0123456789ab"
	wantPlaceholder(t, false,
		"sk_live_4eC39HqLyjWDaRtoDo1tP7dc",
		"tok_a8k2todo9x7m3q1w5e6r",
		"-----BEGIN PRIVATE KEY-----\\n"+line+"\\n"+line+"\\nq7Zk2tOdO9xWm3Lr8Hs4Jd6Yf1GtUe==\\n-----END PRIVATE KEY-----",
		"-----BEGIN PRIVATE KEY-----\n"+line+"\n"+line+"\nq7Zk2tOdO9xWm3Lr8Hs4Jd6Yf1GtUe==\n-----END PRIVATE KEY-----",
		"-----BEGIN PRIVATE KEY-----\r\n"+line+"\r\n"+line+"\r\nq7Zk2FAKE9xWm3Lr8Hs4Jd6Yf1GtUe==\r\n-----END PRIVATE KEY-----",
		"OI2zp+G/w2EkYtgyTVgQQUoPNT9zuTiygXhCY7LP7bfQWxxxxxBxC86L5jNhqQF6w6PQU1HMtLZK5PZewqKXfL8ZHjChe",
		"9Kq2ZbW7mXc4TnV8pLr3HsJ6dYf1GtUeRkA5wQoNdummyZbW7mXc4TnV8pLr3HsJ6dYf1",
	)
}

// TestAngleBrackets: a value in angle brackets is a slot to fill in, but a
// '<' or '>' alone is one more punctuation mark of a generated password.
// Three WordPress salts in four hold one, and all of them went unreported.
func TestAngleBrackets(t *testing.T) {
	t.Parallel()
	wantPlaceholder(t, true,
		"<your-api-key>",
		"<PASSWORD>",
		"<db password>",
		"token=<token>",
		"<your token",
		"<%= ENV['DB_PASSWORD'] %>",
		"<<~EOS",
	)
	wantPlaceholder(t, false,
		">o|A1.D;oG9/H}x}GI7kB,UL2[!aaGd}.VD|vuGc<aKiZomKn59/6@s1lQ,7KO<q",
		"aB3#kL9!mN<2@pQ7xR5tZ8wYc",
		"aB3#kL9!mN>2@pQ7xR5tZ8wYc",
		"q<7Zk2+x>",
		"k3>Lm9",
	)
}

// TestDocumentedSecrets: the swarm tokens Docker's API reference prints in
// every version are its examples, not anybody's cluster; a token of the
// same shape that is not one of them is still reported.
func TestDocumentedSecrets(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	chunk := func(path, data string) finding.Chunk {
		return finding.Chunk{Data: []byte(data), Origin: finding.Origin{Path: path}}
	}
	doc := "        Worker: \"SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx\"\n"
	if fs := e.Detect(chunk("docs/api/v1.41.yaml", doc)); len(fs) != 0 {
		t.Errorf("Docker's documented join token reported: %v", fs)
	}
	own := "docker swarm join --token SWMTKN-1-" + detectortest.Secret("", detectortest.Lower+detectortest.Digits, 50) + "-" +
		detectortest.Secret("", detectortest.Lower+detectortest.Digits, 25) + " 10.0.4.12:2377\n"
	if fs := e.Detect(chunk("deploy.sh", own)); len(fs) != 1 || fs[0].RuleID != "docker-swarm-join-token" {
		t.Errorf("a join token of the same shape: got %v, want one docker-swarm-join-token finding", fs)
	}
}
