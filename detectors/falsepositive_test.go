package detectors_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

func defaultEngine(t testing.TB) *detectors.Engine {
	t.Helper()
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	e, err := detectors.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestNoFindingsInLookAlikes runs the default rules over content that is
// shaped like secrets but is not: lockfile hashes, digests, UUIDs, commit
// SHAs, image data URIs, placeholders and references. None may fire.
func TestNoFindingsInLookAlikes(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	hex := func(n int) string { return detectortest.Random(detectortest.HexLower, n) }
	b64 := func(n int) string { return detectortest.Random(detectortest.Base62+"+/", n) }
	png := base64.StdEncoding.EncodeToString(append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...))
	cases := map[string]string{
		"go.sum": "github.com/some/module v1.2.3 h1:" + b64(43) + "=\n" +
			"github.com/some/module v1.2.3/go.mod h1:" + b64(43) + "=\n",
		"package-lock.json": `{"node_modules/left-pad": {"version": "1.3.0", "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz", "integrity": "sha512-` + b64(86) + `=="}}`,
		"yarn.lock":         "left-pad@^1.3.0:\n  version \"1.3.0\"\n  resolved \"https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#" + hex(40) + "\"\n  integrity sha1-" + b64(27) + "=\n",
		"Cargo.lock":        "[[package]]\nname = \"serde\"\nchecksum = \"" + hex(64) + "\"\n",
		"config.yaml": "request_id: 123e4567-e89b-12d3-a456-426614174000\n" +
			"commit: " + hex(40) + "\n" +
			"image: registry.corp.io/app@sha256:" + hex(64) + "\n" +
			"token_endpoint: https://login.corp.io/oauth2/token\n" +
			"api_key: ${API_KEY}\n" +
			"password: \"{{ .Values.password }}\"\n" +
			"secret: <your-secret>\n" +
			"client_secret: changeme\n" +
			"aws_access_key_id: AKIAIOSFODNN7EXAMPLE\n",
		"index.html": `<img src="data:image/png;base64,` + png + `">`,
		"main.go":    "token := lexer.Next()\nif password == \"\" {\n\treturn errNoPassword\n}\napiKey := os.Getenv(\"API_KEY\")\nsecretName := \"db-credentials\"\n",
		"app.py":     "API_KEY = os.environ[\"API_KEY\"]\npassword = getpass.getpass()\nsecret_key = settings.SECRET_KEY\n",
	}
	for path, content := range cases {
		if fs := detectortest.Find(t, e, path, content); len(fs) > 0 {
			for _, f := range fs {
				t.Errorf("%s:%d: %s fired on %q", path, f.Location.Line, f.RuleID, strings.TrimSpace(f.Match))
			}
		}
	}
}

// TestProviderSecretsInContext plants freshly generated provider secrets in
// ordinary files and checks each is found once, by the provider's rule.
func TestProviderSecretsInContext(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	gh := detectortest.GitHubToken("ghp_")
	broken := gh[:len(gh)-1] + string("ab"[len(gh)%2])
	if broken == gh {
		broken = gh[:len(gh)-1] + "c"
	}
	id, key := detectortest.AWSAccessKeyID(), detectortest.AWSSecretKey()
	content := "import os\n\nGITHUB_TOKEN = \"" + gh + "\"\nAWS_ACCESS_KEY_ID = \"" + id + "\"\naws_secret_access_key = \"" + key + "\"\n"
	got := map[string]string{}
	for _, f := range detectortest.Find(t, e, "deploy.py", content) {
		got[f.Secret] = f.RuleID
	}
	want := map[string]string{gh: "github-pat", id: "aws-access-key-id", key: "aws-secret-access-key"}
	for s, rule := range want {
		if got[s] != rule {
			t.Errorf("%s: found by %q, want %q", finding.Redact(s), got[s], rule)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d findings, want %d: %v", len(got), len(want), got)
	}
	// A token whose checksum is wrong is a look-alike, not a GitHub token.
	for _, f := range detectortest.Find(t, e, "x.py", "TOKEN = \""+broken+"\"\n") {
		if f.RuleID == "github-pat" {
			t.Errorf("broken checksum reported as %s", f.RuleID)
		}
	}
}

// TestChecksummedTokenWithPlaceholderWord: a GitHub token whose random body
// spells a placeholder word is still reported, since its checksum holds.
func TestChecksummedTokenWithPlaceholderWord(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	body := "todo" + detectortest.Random(detectortest.Base62, 26)
	tok := "ghp_" + body + detectors.Base62CRC32(body)
	detectortest.MustFind(t, e, "a.py", "TOKEN = \""+tok+"\"\n", tok)
}

// TestTestRunnerLogs: a test runner's result lines ("PASS: ld-elf/warn2")
// in a log or a summary file without an extension are not settings, while
// pass: as a setting's key, in YAML, in an .env file or quoted in code,
// still is.
func TestTestRunnerLogs(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	for path, content := range map[string]string{
		"test-summary-amd64": "Running target unix\nPASS: ld-elf/warn2\nPASS: ld-x86-64/pr19609-3a\nPASS: pr28639a.o\nFAIL: ld-elf/orphan4\n",
		"build/jtreg.log":    "Passed: gc/TestSystemGC.java#G1\nPassed: gtest/NMTGtests.java#nmt-off\nPASSED: TestStackOverflow42\n",
		"go-test.log":        "=== RUN   TestAddrStringAllocs\n--- PASS: \"TestAddrStringAllocs/ipv4\" (0.00s)\n",
		"scripts/ztest.sh":   "PASS=\"\\x1b[32mPASS\\x1b[0m\"\nFAIL=\"\\033[31mFAIL\\033[0m\"\n",
	} {
		for _, f := range detectortest.Find(t, e, path, content) {
			t.Errorf("%s:%d: %s fired on %q", path, f.Location.Line, f.RuleID, strings.TrimSpace(f.Match))
		}
	}
	pw := detectortest.Password()
	for path, content := range map[string]string{
		"config/mail.yaml": "smtp:\n  user: mailer\n  pass: " + pw + "\n",
		"deploy/.env":      "USER=mailer\nPASS=" + pw + "\n",
		"src/mailer.js":    "const auth = { user: 'mailer', pass: '" + pw + "' };\n",
	} {
		if fs := detectortest.Find(t, e, path, content); len(fs) != 1 || fs[0].Secret != pw {
			t.Errorf("%s: findings %v, want the password", path, fs)
		}
	}
}
