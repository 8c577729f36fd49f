package detectors_test

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors/detectortest"
)

// pemBody returns the base64 lines of a synthetic key body of n random
// bytes: no real key.
func pemBody(t *testing.T, n int) []string {
	t.Helper()
	raw := make([]byte, n)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	b := base64.StdEncoding.EncodeToString(raw)
	var lines []string
	for len(b) > 64 {
		lines = append(lines, b[:64])
		b = b[64:]
	}
	return append(lines, b)
}

// TestEscapedPEMPrivateKey: a private key written on one line with its
// line breaks escaped is found by the private-key rule, on its line.
func TestEscapedPEMPrivateKey(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	body := pemBody(t, 600)
	block := func(label, nl string) string {
		return "-----BEGIN " + label + "-----" + nl + strings.Join(body, nl) + nl + "-----END " + label + "-----"
	}
	cases := []struct {
		name, path, label, nl, before, after string
	}{
		{"env", "deploy/.env", "PRIVATE KEY", `\n`, "APP=1\nSIGNING_KEY=\"", `\n"` + "\n"},
		{"json", "config/app.json", "RSA PRIVATE KEY", `\n`, "{\n  \"name\": \"svc\",\n  \"signing_key\": \"", `\n"` + "\n}\n"},
		{"json in json", "config/nested.json", "EC PRIVATE KEY", `\\n`, "{\n  \"payload\": \"{\\\"key\\\": \\\"", `\\n\\\"}"` + "\n}\n"},
		{"yaml", "values.yaml", "OPENSSH PRIVATE KEY", `\n`, "tls:\n  key: \"", `\n"` + "\n"},
		{"terraform", "main.tf", "PRIVATE KEY", `\n`, "resource \"x\" \"y\" {\n  private_key = \"", `\n"` + "\n}\n"},
		{"crlf escapes", "win/.env", "RSA PRIVATE KEY", `\r\n`, "KEY=\"", `"` + "\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			content := c.before + block(c.label, c.nl) + c.after
			line := strings.Count(c.before, "\n") + 1
			var got []string
			for _, f := range detectortest.Find(t, e, c.path, content) {
				got = append(got, f.RuleID)
				if f.RuleID == "private-key" && f.Location.Line != line {
					t.Errorf("private-key at line %d, want %d", f.Location.Line, line)
				}
			}
			if len(got) != 1 || got[0] != "private-key" {
				t.Errorf("findings %v, want one private-key", got)
			}
		})
	}
	// Escaped documentation blocks stay silent.
	for name, content := range map[string]string{
		"ellipsis": `KEY="-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----"` + "\n",
		"short":    `KEY="-----BEGIN PRIVATE KEY-----\nMIIBVgIBADANBgkq\n-----END PRIVATE KEY-----"` + "\n",
		"public":   `KEY="-----BEGIN PUBLIC KEY-----\n` + strings.Join(body, `\n`) + `\n-----END PUBLIC KEY-----"` + "\n",
	} {
		if fs := detectortest.Find(t, e, "doc/.env", content); len(fs) > 0 {
			t.Errorf("%s: %s fired", name, fs[0].RuleID)
		}
	}
}

// TestServiceAccountKeyOnce: a GCP service account key file's private key
// is one finding, the provider's, not also a private-key one.
func TestServiceAccountKeyOnce(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	content := "{\n  \"type\": \"service_account\",\n  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n" +
		strings.Join(pemBody(t, 600), `\n`) + "\\n-----END PRIVATE KEY-----\\n\",\n  \"client_email\": \"svc@proj.iam.gserviceaccount.com\"\n}\n"
	fs := detectortest.Find(t, e, "sa.json", content)
	if len(fs) != 1 || fs[0].RuleID != "gcp-service-account-key" || fs[0].Location.Line != 3 {
		for _, f := range fs {
			t.Logf("%s line %d", f.RuleID, f.Location.Line)
		}
		t.Errorf("want one gcp-service-account-key finding on line 3 in:\n%s", content)
	}
}
