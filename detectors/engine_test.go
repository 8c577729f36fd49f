package detectors_test

import (
	"context"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
	"github.com/leakhound/leakhound/scanner/source"
)

func testEngine(t *testing.T, rs ...rules.Rule) *detectors.Engine {
	t.Helper()
	cfg := &rules.Config{Rules: rs}
	cfg.Normalize()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	e, err := detectors.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

var tokRule = rules.Rule{ID: "tok", Description: "test token", Regex: `tok_[a-z0-9]{20}`, Keywords: []string{"TOK_"}}

func tok() string { return detectortest.Token() }

func TestKeywordCaseInsensitiveAndPosition(t *testing.T) {
	t.Parallel()
	e := testEngine(t, tokRule)
	s := tok()
	content := "line one\nline two\n  x = \"" + s + "\" // the token\n"
	f := detectortest.MustFind(t, e, "a.txt", content, s)
	if f.Location.Line != 3 || f.Location.Column != 8 {
		t.Errorf("position = %d:%d, want 3:8", f.Location.Line, f.Location.Column)
	}
	if f.Fingerprint == "" || strings.Contains(f.Fingerprint, s) {
		t.Errorf("bad fingerprint %q", f.Fingerprint)
	}
	again := detectortest.MustFind(t, e, "a.txt", "\n\n"+content, s)
	if again.Fingerprint != f.Fingerprint {
		t.Errorf("fingerprint changed when the secret moved lines")
	}
	other := detectortest.MustFind(t, e, "b.txt", content, s)
	if other.Fingerprint == f.Fingerprint {
		t.Errorf("same fingerprint at another path")
	}
}

func TestInlineAllow(t *testing.T) {
	t.Parallel()
	e := testEngine(t, tokRule)
	detectortest.MustNotFind(t, e, "a.go", "x := \""+tok()+"\" // leakhound:allow\n")
	detectortest.MustNotFind(t, e, "a.go", "x := \""+tok()+"\" # gitleaks:allow\n")
	s := tok()
	detectortest.MustFind(t, e, "a.go", "// leakhound:allow\nx := \""+s+"\"\n", s)
}

func TestAllowlists(t *testing.T) {
	t.Parallel()
	r := tokRule
	r.Allowlists = []rules.Allowlist{
		{Paths: []string{`^vendor/`}},
		{Regexes: []string{`^tok_0000`}},
		{Condition: "AND", Paths: []string{`\.md$`}, Stopwords: []string{"zzz"}},
	}
	e := testEngine(t, r)
	detectortest.MustNotFind(t, e, "vendor/x.go", tok())
	detectortest.MustNotFind(t, e, "a.go", "tok_0000abcdefghij123456")
	s := "tok_zzzabcdefghij1234567"[:24]
	detectortest.MustNotFind(t, e, "README.md", s)
	detectortest.MustFind(t, e, "a.go", s, s) // AND: path does not match
	g := &rules.Config{Rules: []rules.Rule{tokRule}, Allowlists: []rules.Allowlist{{Paths: []string{`^fixtures/`}, TargetRules: []string{"tok"}}}}
	g.Normalize()
	ge, err := detectors.New(g)
	if err != nil {
		t.Fatal(err)
	}
	detectortest.MustNotFind(t, ge, "fixtures/a", tok())
}

func TestEntropyAndPlaceholders(t *testing.T) {
	t.Parallel()
	r := rules.Rule{ID: "k", Description: "d", Regex: `key=(\S+)`, Keywords: []string{"key="}, Entropy: 3}
	e := testEngine(t, r)
	detectortest.MustNotFind(t, e, "a", "key=aaaaaaaaaaaaaaaa")
	detectortest.MustNotFind(t, e, "a", "key=abababababababab")
	detectortest.MustNotFind(t, e, "a", "key=AKIAIOSFODNN7EXAMPLE")
	detectortest.MustNotFind(t, e, "a", "key=${SECRET_VALUE_1}")
	s := detectortest.Password()
	detectortest.MustFind(t, e, "a", "key="+s, s)
}

func TestInvalidUTF8(t *testing.T) {
	t.Parallel()
	e := testEngine(t, tokRule)
	s := tok()
	content := "\xff\xfe\xc3 latin1 caf\xe9\n token " + s + " \xff\n"
	f := detectortest.MustFind(t, e, "a", content, s)
	if f.Location.Line != 2 {
		t.Errorf("line %d, want 2", f.Location.Line)
	}
}

func TestSecretGroupAndPathRules(t *testing.T) {
	t.Parallel()
	grp := rules.Rule{ID: "g", Description: "d", Regex: `(user)=(\w+) pass=(\w{12})`, SecretGroup: 3, Keywords: []string{"pass="}}
	pathOnly := rules.Rule{ID: "p", Description: "key file", Path: `\.p12$`}
	e := testEngine(t, grp, pathOnly)
	fs := detectortest.Find(t, e, "a", "user=bob pass=Zx9Qw8Er7Ty6")
	if len(fs) != 1 || fs[0].Secret != "Zx9Qw8Er7Ty6" {
		t.Fatalf("got %+v", fs)
	}
	fs = detectortest.Find(t, e, "certs/client.p12", "binaryish")
	if len(fs) != 1 || fs[0].RuleID != "p" {
		t.Fatalf("path rule: got %+v", fs)
	}
}

// sink collects chunks' findings through the engine, as the scanner does.
type sink struct {
	e  *detectors.Engine
	mu sync.Mutex
	fs []finding.Finding
}

func (s *sink) Chunk(c finding.Chunk) {
	f := s.e.Detect(c)
	s.mu.Lock()
	s.fs = append(s.fs, f...)
	s.mu.Unlock()
}
func (s *sink) Item(int64)            {}
func (s *sink) Skip(string, string)   {}
func (s *sink) Problem(string, error) {}

// TestChunkBoundaries puts a secret across every position of a chunk
// boundary: each must be found exactly once, with the right line.
func TestChunkBoundaries(t *testing.T) {
	t.Parallel()
	e := testEngine(t, tokRule)
	const chunk = 4096
	for _, at := range []int{chunk - 30, chunk - 10, chunk - 4, chunk - 1, chunk, chunk + 3, 2*chunk - 12} {
		s := tok()
		lines := strings.Repeat("filler line of text\n", at/20)
		pad := strings.Repeat("y", at-len(lines))
		content := lines + pad + " " + s + " end\n" + strings.Repeat("z", 3*chunk)
		k := &sink{e: e}
		opts := source.Options{ChunkSize: chunk, Overlap: 1024}
		if _, err := source.ReadChunks(context.Background(), strings.NewReader(content), finding.Origin{Path: "big"}, opts, k); err != nil {
			t.Fatal(err)
		}
		if len(k.fs) != 1 {
			t.Fatalf("at %d: %d findings, want 1", at, len(k.fs))
		}
		if want := strings.Count(content[:strings.Index(content, s)], "\n") + 1; k.fs[0].Location.Line != want {
			t.Errorf("at %d: line %d, want %d", at, k.fs[0].Location.Line, want)
		}
	}
}

// TestHugeLine checks that a very long single line is scanned in bounded
// pieces and a secret at its end is still found.
func TestHugeLine(t *testing.T) {
	t.Parallel()
	e := testEngine(t, tokRule)
	s := tok()
	content := strings.Repeat("a", 5<<20) + " " + s
	k := &sink{e: e}
	opts := source.Options{ChunkSize: 1 << 20, Overlap: detectors.MaxOverlap}
	if _, err := source.ReadChunks(context.Background(), strings.NewReader(content), finding.Origin{Path: "line"}, opts, k); err != nil {
		t.Fatal(err)
	}
	if len(k.fs) != 1 || k.fs[0].Secret != s {
		t.Fatalf("got %d findings", len(k.fs))
	}
	if l := k.fs[0].Location; l.Line != 1 || l.Column != 5<<20+2 {
		t.Errorf("position %d:%d, want 1:%d", l.Line, l.Column, 5<<20+2)
	}
}

func TestBadRuleIsNamed(t *testing.T) {
	t.Parallel()
	cfg := &rules.Config{Rules: []rules.Rule{{ID: "broken", Regex: `(unclosed`, Keywords: []string{"x"}, File: "my.toml"}}}
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "broken") || !strings.Contains(err.Error(), "my.toml") {
		t.Fatalf("error %v does not name rule and file", err)
	}
}

func TestGenericYieldsToProviderRule(t *testing.T) {
	t.Parallel()
	generic := rules.Rule{ID: "generic", Description: "d", Regex: `token = "(\S+)"`, Keywords: []string{"token"}, Tags: []string{"generic"}}
	e := testEngine(t, generic, tokRule)
	s := tok()
	fs := detectortest.Find(t, e, "a", `token = "`+s+`"`)
	if len(fs) != 1 || fs[0].RuleID != "tok" {
		t.Fatalf("got %d findings (%v), want only the provider rule's", len(fs), fs)
	}
	p := detectortest.Password()
	if fs := detectortest.Find(t, e, "a", `token = "`+p+`"`); len(fs) != 1 || fs[0].RuleID != "generic" {
		t.Fatalf("generic alone: got %v", fs)
	}
}

func TestGenericValidatorShapes(t *testing.T) {
	t.Parallel()
	r := rules.Rule{ID: "g", Description: "d", Regex: `v="([^"]+)"`, Keywords: []string{"v="}, Validator: "generic"}
	e := testEngine(t, r)
	for _, code := range []string{"parseHTTPResponseBody", "ReadAllBytesFromStream", "some_function_name", "CONSTANT_NAME_HERE", "/usr/local/share/app", "os.Getenv", "1234567890123"} {
		detectortest.MustNotFind(t, e, "a", `v="`+code+`"`)
	}
	// Random values with digits are secrets; so are nearly all random
	// mixed-case letter strings (a few look like identifiers by chance).
	rng := mrand.New(mrand.NewPCG(1, 2))
	random := func(alphabet string) string {
		b := make([]byte, 20)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	letters := 0
	for i := 0; i < 500; i++ {
		s := random(detectortest.Base62)
		if strings.ContainsAny(s, detectortest.Digits) {
			detectortest.MustFind(t, e, "a", `v="`+s+`"`, s)
		}
		if s := random(detectortest.Upper + detectortest.Lower); len(detectortest.Find(t, e, "a", `v="`+s+`"`)) == 1 {
			letters++
		}
	}
	if letters < 490 {
		t.Errorf("only %d of 500 random letter strings found", letters)
	}
}

// TestGitleaksStyleMultiline checks that a rule written the gitleaks way,
// with [\s\S] and no multiline flag, matches a PEM block across lines.
func TestGitleaksStyleMultiline(t *testing.T) {
	t.Parallel()
	r := rules.Rule{ID: "private-key", Description: "d", Keywords: []string{"-----begin"},
		Regex: `(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S-]{64,}?KEY(?: BLOCK)?-----`}
	e := testEngine(t, r)
	body := strings.Repeat(detectortest.Random(detectortest.Base62, 64)+"\n", 12)
	key := "-----BEGIN RSA PRIVATE KEY-----\n" + body + "-----END RSA PRIVATE KEY-----"
	detectortest.MustFind(t, e, "id_rsa", "x\n"+key+"\n", key)
	generic := rules.Rule{ID: "g", Description: "d", Keywords: []string{"key"}, Regex: `key[\s'"]{0,3}=[\s'"]{0,3}(\w+)`}
	// \s alone does not make a rule multiline: the value on the next line
	// is not joined to the key.
	detectortest.MustNotFind(t, testEngine(t, generic), "a", "key =\n\n\n\n\n\n"+strings.Repeat("\n", 600)+"value")
}

// TestNamedGroups: a rule's named groups other than the secret reach the
// finding, for verifiers (a service account's email beside its key).
func TestNamedGroups(t *testing.T) {
	t.Parallel()
	cfg := &rules.Config{Rules: []rules.Rule{{ID: "pair", Description: "d", SecretGroup: 2,
		Regex: `acct=(?P<account>[a-z]+) key=(?P<key>[A-Za-z0-9]{12})`, Keywords: []string{"acct="}}}}
	cfg.Normalize()
	e, err := detectors.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fs := e.Detect(finding.Chunk{Origin: finding.Origin{Path: "a.env"}, Data: []byte("acct=acme key=Zx9Qw8Er7Ty6\n")})
	if len(fs) != 1 || fs[0].Secret != "Zx9Qw8Er7Ty6" || len(fs[0].Groups) != 1 || fs[0].Groups["account"] != "acme" {
		t.Fatalf("%+v", fs)
	}
}

// TestPartOnlyRulesFeedParts: a skipReport rule's findings are not
// reported, but their secrets reach the Parts of the chunk's other
// findings (each once), for verifiers that need them (an Azure tenant id
// beside a client secret).
func TestPartOnlyRulesFeedParts(t *testing.T) {
	t.Parallel()
	cfg := &rules.Config{Rules: []rules.Rule{
		{ID: "tenant", Description: "d", Regex: `tenant=([a-z]{6})`, Keywords: []string{"tenant="}, SkipReport: true},
		{ID: "key", Description: "d", Regex: `key=([A-Za-z0-9]{12})`, Keywords: []string{"key="}},
	}}
	cfg.Normalize()
	e, err := detectors.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fs := e.Detect(finding.Chunk{Origin: finding.Origin{Path: "a.env"}, Data: []byte("tenant=acmeco\nkey=Zx9Qw8Er7Ty6\ntenant=otherc\ntenant=acmeco\n")})
	if len(fs) != 1 || fs[0].RuleID != "key" || strings.Join(fs[0].Parts["tenant"], ",") != "acmeco,otherc" || len(fs[0].Parts) != 1 {
		t.Fatalf("%+v", fs)
	}
	if fs := e.Detect(finding.Chunk{Origin: finding.Origin{Path: "a.env"}, Data: []byte("key=Zx9Qw8Er7Ty6\n")}); len(fs) != 1 || fs[0].Parts != nil {
		t.Fatalf("without parts: %+v", fs)
	}
}

// TestFallbackYieldsToProvider: a JWT an Acme rule names is one finding,
// Acme's; the structural rule reports JWTs no provider rule names, and a
// generic rule yields to both.
func TestFallbackYieldsToProvider(t *testing.T) {
	t.Parallel()
	cfg := &rules.Config{Rules: []rules.Rule{
		{ID: "acme-token", Description: "d", Regex: `acme_token=(eyJ[A-Za-z0-9_.-]{20,})`, Keywords: []string{"acme_token"}, Tags: []string{"acme"}},
		{ID: "jwt", Description: "d", Regex: `\b(eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})`, Keywords: []string{"eyj"}, Tags: []string{"jwt", "fallback"}},
		{ID: "generic", Description: "d", Regex: `(?i)token=(\S{20,})`, Keywords: []string{"token="}, Tags: []string{"generic"}},
	}}
	cfg.Normalize()
	e, err := detectors.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV"
	ids := func(s string) []string {
		var out []string
		for _, f := range e.Detect(finding.Chunk{Origin: finding.Origin{Path: "a.env"}, Data: []byte(s)}) {
			out = append(out, f.RuleID)
		}
		return out
	}
	if got := ids("acme_token=" + jwt + "\n"); len(got) != 1 || got[0] != "acme-token" {
		t.Errorf("provider's JWT: %v", got)
	}
	if got := ids("other_token=" + jwt + "\n"); len(got) != 1 || got[0] != "jwt" {
		t.Errorf("unnamed JWT: %v", got)
	}
}

// TestNothingInsideAPrivateKey: a private key's body is random base64, and
// a line of it may have a token's shape (a PEM line is 64 characters, as a
// Square access token is): the key is one finding, its line is none.
func TestNothingInsideAPrivateKey(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	b62 := detectortest.Base62
	square := "EAAA" + detectortest.Random(b62, 60)
	body := []string{detectortest.Random(b62, 64), detectortest.Random(b62, 64), square, detectortest.Random(b62, 64), detectortest.Random(b62, 64), detectortest.Random(b62, 64)}
	key := "-----BEGIN PRIVATE KEY-----\n" + strings.Join(body, "\n") + "\n-----END PRIVATE KEY-----\n"
	var ids []string
	for _, f := range e.Detect(finding.Chunk{Origin: finding.Origin{Path: "testdata/service.key"}, Data: []byte(key)}) {
		ids = append(ids, f.RuleID)
	}
	if len(ids) != 1 || ids[0] != "private-key" {
		t.Errorf("findings %v, want the private key alone", ids)
	}
	// The same line on its own is a Square token.
	ids = nil
	for _, f := range e.Detect(finding.Chunk{Origin: finding.Origin{Path: "config.env"}, Data: []byte("SQUARE_ACCESS_TOKEN=" + square + "\n")}) {
		ids = append(ids, f.RuleID)
	}
	if len(ids) != 1 || ids[0] != "square-access-token" {
		t.Errorf("findings %v, want square-access-token", ids)
	}
}

// TestOneFindingPerSecret: a secret two provider rules match at the same
// place is reported once, by the rule whose match names it (the key it is
// assigned to, the connection string it sits in); a different secret of
// the same shape elsewhere is still its own finding.
func TestOneFindingPerSecret(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	// An AWS secret key that happens to start like a Fauna secret.
	aws := "fnA" + detectortest.Random(detectortest.Base62, 37)
	fauna := "fnE" + detectortest.Random(detectortest.Base62, 37)
	cosmos := detectortest.Random(detectortest.Base62, 86) + "=="
	docker := "dckr_pat_" + detectortest.Random(detectortest.Base62, 27)
	for _, tc := range []struct {
		path, data string
		want       []string
	}{
		{"deploy/.env", "AWS_SECRET_ACCESS_KEY=" + aws + "\n", []string{"aws-secret-access-key " + aws}},
		{"deploy/.env", "AWS_SECRET_ACCESS_KEY=" + aws + "\nFAUNA_KEY=" + fauna + "\n", []string{"aws-secret-access-key " + aws, "fauna-secret " + fauna}},
		// The provider's own format over a password on a command line.
		{"deploy.sh", "docker login -u acmebot -p " + docker + " docker.io\n", []string{"dockerhub-token " + docker}},
		{"appsettings.json", `"Cosmos": "AccountEndpoint=https://app.documents.azure.com:443/;AccountKey=` + cosmos + `;"` + "\n", []string{"azure-cosmosdb-key " + cosmos}},
	} {
		var got []string
		for _, f := range e.Detect(finding.Chunk{Origin: finding.Origin{Path: tc.path}, Data: []byte(tc.data)}) {
			got = append(got, f.RuleID+" "+f.Secret)
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: findings %q, want %q", tc.data, got, tc.want)
		}
	}
}
