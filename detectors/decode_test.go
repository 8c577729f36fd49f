package detectors_test

import (
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/rules"
)

func hasTag(tags []string, want string) bool {
	for _, t := range tags {
		if t == want {
			return true
		}
	}
	return false
}

func TestDecodedSecrets(t *testing.T) {
	t.Parallel()
	e := testEngine(t, tokRule)
	b64 := base64.StdEncoding.EncodeToString
	cases := []struct {
		name, encoding string
		content        func(secret string) string
		line, col      int
	}{
		{"kubernetes secret", "base64", func(s string) string {
			return "apiVersion: v1\nkind: Secret\ndata:\n  token: " + b64([]byte(s)) + "\n"
		}, 4, 10},
		{"dockerconfigjson, two levels", "base64", func(s string) string {
			inner := `{"auths":{"registry.example.org":{"auth":"` + b64([]byte("robot:"+s)) + `"}}}`
			return "data:\n  .dockerconfigjson: " + b64([]byte(inner)) + "\n"
		}, 2, 22},
		{"hex", "hex", func(s string) string { return "blob = " + hex.EncodeToString([]byte("key "+s)) }, 1, 8},
		{"percent", "percent", func(s string) string {
			var b strings.Builder
			for i := 0; i < len(s); i++ {
				b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{s[i]})))
			}
			return "url: https://example.org/cb?t=" + url.QueryEscape("a b") + "&k=" + b.String() + "\n"
		}, 1, 6},
		{"unicode escapes", "escape", func(s string) string {
			var b strings.Builder
			for _, r := range s {
				b.WriteString(`\u00` + hex.EncodeToString([]byte{byte(r)}))
			}
			return `{"k": "` + b.String() + `"}`
		}, 1, 8},
	}
	for _, c := range cases {
		s := tok()
		fs := detectortest.Find(t, e, "a.yaml", c.content(s))
		if len(fs) != 1 || fs[0].Secret != s {
			t.Errorf("%s: got %d findings", c.name, len(fs))
			continue
		}
		if !hasTag(fs[0].Tags, "decoded:"+c.encoding) {
			t.Errorf("%s: tags %v", c.name, fs[0].Tags)
		}
		if l := fs[0].Location; l.Line != c.line || l.Column != c.col {
			t.Errorf("%s: at %d:%d, want %d:%d", c.name, l.Line, l.Column, c.line, c.col)
		}
	}
	// Plain secrets are reported once, not again as "decoded".
	s := tok()
	if fs := detectortest.Find(t, e, "a", "x="+s+" y="+b64([]byte("hello world, nothing here"))); len(fs) != 1 {
		t.Errorf("plain secret: %d findings", len(fs))
	}
}

// TestDecodedProviderSecretBeatsGenericMatch: a generic rule matching the
// encoded text must not hide the provider secret inside it.
func TestDecodedProviderSecretBeatsGenericMatch(t *testing.T) {
	t.Parallel()
	generic := rules.Rule{ID: "generic", Description: "d", Regex: `credentials:\s*(\S{16,})`, Keywords: []string{"credentials"}, Tags: []string{"generic"}}
	e := testEngine(t, generic, tokRule)
	s := tok()
	fs := detectortest.Find(t, e, "secret.yaml", "data:\n  credentials: "+base64.StdEncoding.EncodeToString([]byte(s))+"\n")
	if len(fs) != 1 || fs[0].RuleID != "tok" || fs[0].Secret != s {
		t.Fatalf("got %d findings %+v, want the decoded token only", len(fs), fs)
	}
	// A plain password, encoded: one generic finding, of the decoded value.
	p := detectortest.Password() + detectortest.Password()
	fs = detectortest.Find(t, e, "secret.yaml", "data:\n  credentials: "+base64.StdEncoding.EncodeToString([]byte(p))+"\n")
	if len(fs) != 1 || fs[0].RuleID != "generic" || fs[0].Secret != p || !hasTag(fs[0].Tags, "decoded:base64") {
		t.Fatalf("got %+v, want one generic finding of the decoded value", fs)
	}
}

// TestValuePartlyBase64ShapedIsNotDecoded: a password whose first 16
// characters happen to be base64 of mostly printable bytes is reported as
// written, not as the decoded bytes joined to the rest of it
// ("H]ҳh#SQ6Z=p^v@@" was reported for the value below).
func TestValuePartlyBase64ShapedIsNotDecoded(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	const secret = "SF3Ss2gjU1E2Wj1w^v@@"
	for _, c := range []struct{ path, content string }{
		{"config/settings.json", "{\"client_secret\": \"" + secret + "\"}\n"},
		{"src/App.cs", "var cs = \"Server=db;Password=" + secret + ";\";\n"},
		{"scripts/deploy.sh", "mytool login --password=\"" + secret + "\" --user ci\n"},
		{"conf/context.xml", "<Resource password=\"" + secret + "\" />\n"},
		{"app/settings.py", "password = \"" + secret + "\"\n"},
	} {
		fs := detectortest.Find(t, e, c.path, c.content)
		if len(fs) != 1 || fs[0].Secret != secret || hasTag(fs[0].Tags, "decoded:base64") {
			for _, f := range fs {
				t.Logf("%s: %q %v", c.path, f.Secret, f.Tags)
			}
			t.Errorf("%s: want the value as written, once", c.path)
		}
	}
}
