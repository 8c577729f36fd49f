// Package detectortest makes synthetic, secret-shaped values for tests and
// checks detectors against them. Nothing here is a real credential: every
// body is random, generated when the test runs.
package detectortest

import (
	"crypto/rand"
	"math/big"
	"testing"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

const (
	Upper    = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	Lower    = "abcdefghijklmnopqrstuvwxyz"
	Digits   = "0123456789"
	Base62   = Digits + Upper + Lower
	Base32   = Upper + "234567"
	HexLower = Digits + "abcdef"
)

// Random returns n characters drawn uniformly from alphabet.
func Random(alphabet string, n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err)
		}
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}

// Token returns a synthetic secret, "tok_" and 20 random [a-z0-9], that
// TokenRule finds. Tests of sources and commands detect with TokenRule
// instead of the default rules, so rule changes can't break them.
func Token() string { return Secret("tok_", Lower+Digits, 20) }

// Secret returns prefix and n characters drawn from alphabet. A value the
// engine would take for a placeholder ("tok_here...", "FAKE" at the start
// of its body: about one in a million) is drawn again, so a test that
// finds a thousand secrets does not fail by chance.
func Secret(prefix, alphabet string, n int) string {
	for {
		s := prefix + Random(alphabet, n)
		if !detectors.IsPlaceholder(s) {
			return s
		}
	}
}

// TokenRule is the one rule that finds Token's secrets.
var TokenRule = rules.Rule{ID: "test-token", Description: "Test token", Regex: `tok_[a-z0-9]{20}`, Keywords: []string{"tok_"}, Severity: rules.High}

// TokenRuleTOML is TokenRule as a config file, for --config in command
// tests.
const TokenRuleTOML = `[[rules]]
id = "test-token"
description = "Test token"
regex = '''tok_[a-z0-9]{20}'''
keywords = ["tok_"]
severity = "high"
`

// GitHubToken returns a classic GitHub token with the given prefix
// ("ghp_", "gho_", ...) and a valid checksum.
func GitHubToken(prefix string) string {
	body := Random(Base62, 30)
	return prefix + body + detectors.Base62CRC32(body)
}

// AWSAccessKeyID returns an access key id shaped like AWS's.
func AWSAccessKeyID() string { return Secret("AKIA", Base32, 16) }

// AWSSecretKey returns a 40-character secret access key shape.
func AWSSecretKey() string { return Secret("", Base62+"+/", 40) }

// Password returns a strong random password: 20 characters mixing cases
// and digits, as generated passwords do (and so always a credential to the
// generic rules, which would rightly pass over a value that reads as an
// identifier or a word).
func Password() string {
	for {
		p := Random(Upper, 3) + Random(Digits, 3) + Random(Lower, 3) + Random(Base62, 11)
		b := []byte(p)
		// Shuffle so the classes don't sit in fixed places.
		for i := len(b) - 1; i > 0; i-- {
			j := Random(Digits, 2)
			k := (int(j[0]-'0')*10 + int(j[1]-'0')) % (i + 1)
			b[i], b[k] = b[k], b[i]
		}
		if !detectors.IsPlaceholder(string(b)) {
			return string(b)
		}
	}
}

// Find runs d over content as one chunk at path and returns the findings.
func Find(t testing.TB, d detectors.Detector, path, content string) []finding.Finding {
	t.Helper()
	return d.Detect(finding.Chunk{Origin: finding.Origin{Kind: "file", Path: path}, Data: []byte(content)})
}

// MustFind fails the test unless d finds want (a secret) in content.
func MustFind(t testing.TB, d detectors.Detector, path, content, want string) finding.Finding {
	t.Helper()
	for _, f := range Find(t, d, path, content) {
		if f.Secret == want {
			return f
		}
	}
	t.Fatalf("secret %s not found in %s", finding.Redact(want), path)
	return finding.Finding{}
}

// MustNotFind fails the test if d finds anything in content.
func MustNotFind(t testing.TB, d detectors.Detector, path, content string) {
	t.Helper()
	if fs := Find(t, d, path, content); len(fs) > 0 {
		t.Fatalf("unexpected finding %s (%s) in %s", fs[0].RuleID, finding.Redact(fs[0].Secret), path)
	}
}
