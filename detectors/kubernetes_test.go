package detectors_test

import (
	"crypto/rand"
	"encoding/base64"
	"sort"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/finding"
)

// TestKubernetesSecretValues: every value of a Secret's data: (decoded)
// and stringData: is one finding at its line, whatever the order of the
// manifest's keys and whether the Secret stands alone, in a multi-document
// file or in a List; names that hold no secret, empty values, placeholders
// and certificates are left out, and a ConfigMap's values are no Secret's
// (under names that say nothing, no rule reports them).
func TestKubernetesSecretValues(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	// Short and word-like values: only a Secret's structure says they are
	// secrets (no generic rule would report "db-pass-1234").
	short := "Pq7!" + detectortest.Random(detectortest.Lower, 4)
	pw, pw2, tok := detectortest.Password(), detectortest.PunctuatedPassword(), detectortest.Password()
	raw := make([]byte, 48)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	raw[0] = 0 // binary for sure
	keystore := base64.StdEncoding.EncodeToString(raw)
	cert := "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----\n"
	cases := []struct {
		name, content string
		want          []at
	}{
		{"data and stringData", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\ntype: Opaque\ndata:\n  username: " + b64("app") +
			"\n  password: " + b64(pw) + "\n  pin: " + b64(short) + "\n  keystore.p12: " + keystore + "\n  tls.crt: " + b64(cert) +
			"\nstringData:\n  api-token: \"" + pw2 + "\"\n  empty: \"\"\n",
			[]at{{9, pw}, {10, short}, {11, keystore}, {14, pw2}}},
		{"kubectl order", "apiVersion: v1\ndata:\n  DB_PASS: " + b64(pw) + "\n  TOKEN: " + b64(tok) + "\nkind: Secret\nmetadata:\n  name: db\n",
			[]at{{3, pw}, {4, tok}}},
		{"list items", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  data:\n    app.mode: " + b64(detectortest.Password()) +
			"\n- apiVersion: v1\n  data:\n    password: " + b64(pw) + "\n  kind: Secret\n  metadata:\n    name: a\n- kind: Secret\n  stringData:\n    token: " + tok + "\n",
			[]at{{10, pw}, {16, tok}}},
		{"documents", "kind: ConfigMap\ndata:\n  app.mode: " + b64(detectortest.Password()) + "\n---\nkind: Secret\ndata:\n  password: " + b64(pw) +
			"\n---\nkind: ConfigMap\ndata:\n  settings: " + b64(detectortest.Password()) + "\n",
			[]at{{7, pw}}},
		{"placeholders", "kind: Secret\ndata:\n  password: " + b64("changeme") + "\n  token: \"\"\nstringData:\n  api-key: \"{{ .Values.apiKey }}\"\n  pass: ${DB_PASSWORD}\n", nil},
		{"helm template", "kind: Secret\ndata:\n  password: {{ .Values.password | b64enc }}\n", nil},
	}
	// kubectl get -o json, with the applied manifest escaped in an
	// annotation (not a second copy to report) and a ConfigMap beside it.
	applied := `{\"apiVersion\":\"v1\",\"data\":{\"password\":\"` + b64(pw) + `\"},\"kind\":\"Secret\"}`
	jsonList := "{\n  \"apiVersion\": \"v1\",\n  \"items\": [\n    {\n      \"apiVersion\": \"v1\",\n      \"data\": {\n        \"password\": \"" + b64(pw) +
		"\",\n        \"username\": \"" + b64("app") + "\"\n      },\n      \"kind\": \"Secret\",\n      \"metadata\": {\n        \"annotations\": {\"kubectl.kubernetes.io/last-applied-configuration\": \"" +
		applied + "\"},\n        \"name\": \"db\"\n      },\n      \"stringData\": {\"token\": \"" + tok + "\"}\n    },\n    {\n      \"kind\": \"ConfigMap\",\n      \"data\": {\"app.mode\": \"" +
		b64(detectortest.Password()) + "\"}\n    }\n  ],\n  \"kind\": \"List\"\n}\n"
	cases = append(cases, struct {
		name, content string
		want          []at
	}{"kubectl json", jsonList, []at{{7, pw}, {15, tok}}})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var got []at
			for _, f := range detectortest.Find(t, e, "k8s/manifest.yaml", c.content) {
				got = append(got, at{f.Location.Line, f.Secret})
			}
			sort.Slice(got, func(i, j int) bool { return got[i].line < got[j].line })
			if len(got) != len(c.want) {
				t.Fatalf("findings at %v, want at %v", lines(got), lines(c.want))
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("finding %d: %s at line %d, want %s at line %d", i, finding.Redact(got[i].secret), got[i].line, finding.Redact(c.want[i].secret), c.want[i].line)
				}
			}
		})
	}
}

// at is a finding's line and secret.
type at struct {
	line   int
	secret string
}

func lines(ws []at) []int {
	var out []int
	for _, w := range ws {
		out = append(out, w.line)
	}
	return out
}

// TestKubernetesSecretProviderValue: a provider token stored in a Secret is
// reported once, by its provider's rule.
func TestKubernetesSecretProviderValue(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	gh := detectortest.GitHubToken("ghp_")
	content := "kind: Secret\ndata:\n  GITHUB_TOKEN: " + base64.StdEncoding.EncodeToString([]byte(gh)) + "\n"
	fs := detectortest.Find(t, e, "secret.yaml", content)
	if len(fs) != 1 || fs[0].RuleID != "github-pat" || fs[0].Secret != gh || fs[0].Location.Line != 3 {
		var got []string
		for _, f := range fs {
			got = append(got, f.RuleID)
		}
		t.Errorf("findings %s, want one github-pat at line 3", strings.Join(got, ", "))
	}
}

// TestKubernetesSecretManyObjects: many Secrets in one chunk (a List,
// manifests concatenated without separators, minified JSON) are each
// reported once.
func TestKubernetesSecretManyObjects(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	enc := base64.StdEncoding.EncodeToString([]byte(detectortest.Password()))
	const n = 300
	for _, form := range []string{"list.yaml", "concatenated.yaml", "list.json"} {
		if fs := detectortest.Find(t, e, form, manySecrets(form, n, enc)); len(fs) != n {
			t.Errorf("%s: %d findings, want %d", form, len(fs), n)
		}
	}
}

// manySecrets writes n Secrets holding value in one file of the form.
func manySecrets(form string, n int, value string) string {
	var b strings.Builder
	switch form {
	case "list.yaml":
		b.WriteString("kind: List\nitems:\n")
	case "list.json":
		b.WriteString(`{"kind":"List","items":[`)
	}
	for i := range n {
		switch form {
		case "list.yaml":
			b.WriteString("- kind: Secret\n  data:\n    password: " + value + "\n")
		case "concatenated.yaml":
			b.WriteString("kind: Secret\ndata:\n  password: " + value + "\n")
		case "list.json":
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`{"kind":"Secret","data":{"password":"` + value + `"}}`)
		}
	}
	if form == "list.json" {
		b.WriteString("]}\n")
	}
	return b.String()
}

// BenchmarkKubernetesSecrets: 8,000 Secrets in one chunk (half a
// megabyte), each form. The Secret reader reads each Secret's object, not
// the chunk around it, so the time grows with the chunk, not its square:
// about 1 s per form for the whole engine, 8,000 findings included (2
// cores, 2026-12-02), where reading the whole chunk for each Secret would
// grow with its square.
func BenchmarkKubernetesSecrets(b *testing.B) {
	e := defaultEngine(b)
	enc := base64.StdEncoding.EncodeToString([]byte("Zq8vLm2xR7pT9wK4"))
	const n = 8000
	for _, form := range []string{"list.yaml", "concatenated.yaml", "list.json"} {
		content := manySecrets(form, n, enc)
		b.Run(form, func(b *testing.B) {
			b.SetBytes(int64(len(content)))
			for b.Loop() {
				if fs := detectortest.Find(b, e, form, content); len(fs) != n {
					b.Fatalf("%d findings, want %d", len(fs), n)
				}
			}
		})
	}
}
