package finding

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":                        "*****",
		"short":                   "*****",
		"ghp_abcdefghijklmnopqrs": "ghp_*****",
		"abcdefghijkl":            "ab*****",
		"é日本語のパスワードです":            "é*****", // never cuts a rune
	}
	for in, want := range cases {
		got := Redact(in)
		if got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
		if len(in) > 8 && strings.Contains(got, in) {
			t.Errorf("Redact(%q) leaks the secret", in)
		}
	}
	s := "hunter2hunter2hunter2"
	if got := RedactIn("password = '"+s+"' # "+s, s); strings.Contains(got, s) {
		t.Errorf("RedactIn left the secret: %q", got)
	}
}

func TestFingerprintStable(t *testing.T) {
	t.Parallel()
	h := HashSecret("s3cr3t-value")
	if h != HashSecret("s3cr3t-value") || h == HashSecret("s3cr3t-valuf") {
		t.Fatal("secret hash not a function of the secret")
	}
	a := Fingerprint("rule", "a/b.txt", h)
	if a != Fingerprint("rule", "a/b.txt", h) {
		t.Error("fingerprint not stable")
	}
	for _, other := range []string{Fingerprint("rule2", "a/b.txt", h), Fingerprint("rule", "a/c.txt", h), Fingerprint("rule", "a/b.txt", HashSecret("x"))} {
		if other == a {
			t.Error("fingerprint ignores rule, path or secret")
		}
	}
	if strings.Contains(a, "s3cr3t") || strings.Contains(h, "s3cr3t") {
		t.Error("hash contains the secret")
	}
}

func TestDisplayPath(t *testing.T) {
	t.Parallel()
	cases := []struct {
		o    Origin
		want string
	}{
		{Origin{Path: `src\main.go`}, "src/main.go"},
		{Origin{Path: "config/app.properties", Archive: "dist/app.jar"}, "dist/app.jar!/config/app.properties"},
		{Origin{Path: "./a//b"}, "a/b"},
	}
	for _, c := range cases {
		if got := c.o.DisplayPath(); got != c.want {
			t.Errorf("DisplayPath(%+v) = %q, want %q", c.o, got, c.want)
		}
	}
}
