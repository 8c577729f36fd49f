package accuracy

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

// PositivesPerRule is how many secrets are planted for each rule.
const PositivesPerRule = 3

// Planted is one planted line.
type Planted struct {
	File     string // slash path relative to the tree root
	Line     int    // 1-based
	RuleID   string // the rule planted for; empty for look-alikes
	Secret   string // the secret a finding must report (positives)
	Positive bool
	Encoded  bool // planted base64-encoded in a Kubernetes Secret
	// EncodedAs is the encoded text on the line; a finding of it is a
	// duplicate report of the secret, not a false positive.
	EncodedAs string
	// offset is the planted line's index within a multi-line block.
	offset int
}

// Truth is what Generate planted.
type Truth struct {
	Planted []Planted
	// Failures names rules no positive could be generated for, with why.
	Failures []string
	// Family maps a rule to its family: the name of the rules file it
	// comes from (rules/default/cloud.toml: "cloud").
	Family map[string]string
}

// file is a generated file being assembled.
type file struct {
	kind  string
	lines []string
}

type generator struct {
	r     *rand.Rand
	files map[string]*file
	truth Truth
	n     int
}

// fileKinds are the kinds positives and negatives are planted in.
var fileKinds = []string{"go", "py", "js", "env", "yaml", "json", "toml", "properties", "sh", "dockerfile", "ipynb", "log"}

// Generate writes a tree under dir with secrets for every rule in cfg and
// look-alikes that must not fire. The same seed gives the same tree.
func Generate(dir string, cfg *rules.Config, seed uint64) (Truth, error) {
	g := &generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), files: map[string]*file{}}
	g.truth.Family = map[string]string{}
	for i := range cfg.Rules {
		rule := &cfg.Rules[i]
		g.truth.Family[rule.ID] = family(rule)
		if rule.SkipReport || len(rule.Required) > 0 {
			continue // parts of composite rules are not reported alone
		}
		if err := g.positives(cfg, rule); err != nil {
			g.truth.Failures = append(g.truth.Failures, fmt.Sprintf("%s: %v", rule.ID, err))
		}
		for j, ex := range rule.NegativeExamples {
			g.negative(fmt.Sprintf("neg/%s/%d/%s", rule.ID, j, rule.ExampleFile()), ex)
		}
	}
	g.lookalikes()
	g.syntaxes()
	if err := g.write(dir); err != nil {
		return Truth{}, err
	}
	return g.truth, nil
}

// family names a rule's family: its rules file's name without the
// directory and extension.
func family(r *rules.Rule) string {
	if r.File == "" {
		return ""
	}
	return strings.TrimSuffix(path.Base(filepath.ToSlash(r.File)), ".toml")
}

// singleRule is an engine with only one rule, to apply that rule's own
// filters (entropy, validator, placeholders, allowlists) to a candidate.
func singleRule(cfg *rules.Config, rule *rules.Rule) (*detectors.Engine, error) {
	c := &rules.Config{Rules: []rules.Rule{*rule}, Allowlists: cfg.Allowlists}
	c.Normalize()
	return detectors.New(c)
}

// accepted returns the secret the rule alone reports on line 1 of data at
// path, or "" when it reports none.
// acceptedAt is accepted for a multi-line block: it returns the secret and
// the 0-based line of the block the finding is on.
func acceptedAt(e *detectors.Engine, path string, data []byte) (string, int, bool) {
	fs := e.Detect(finding.Chunk{Origin: finding.Origin{Kind: "file", Path: path}, Data: data})
	if len(fs) == 0 {
		return "", 0, false
	}
	return fs[0].Secret, fs[0].Location.Line - 1, true
}

func accepted(e *detectors.Engine, path string, data []byte) (string, bool) {
	fs := e.Detect(finding.Chunk{Origin: finding.Origin{Kind: "file", Path: path}, Data: data})
	for _, f := range fs {
		if f.Location.Line == 1 {
			return f.Secret, true
		}
	}
	return "", false
}

func (g *generator) positives(cfg *rules.Config, rule *rules.Rule) error {
	e, err := singleRule(cfg, rule)
	if err != nil {
		return err
	}
	var pathRe *regexp.Regexp
	if rule.Path != "" {
		if pathRe, err = regexp.Compile(rule.Path); err != nil {
			return err
		}
	}
	var lastErr error
	made := 0
	for try := 0; made < PositivesPerRule && try < 300; try++ {
		g.n++
		path := ""
		if pathRe != nil {
			p, err := g.pathFor(rule.Path, pathRe)
			if err != nil {
				lastErr = err
				continue
			}
			path = p
		}
		if rule.Regex == "" { // path-only rule: the file itself is the finding
			g.add(path, "", []string{"# managed by deploy tooling"}, Planted{RuleID: rule.ID, Positive: true})
			made++
			continue
		}
		m, err := g.match(rule)
		if err != nil {
			lastErr = err
			continue
		}
		if rule.Multiline || strings.Contains(m, "\n") {
			// A multi-line match (a key block, a manifest): planted as it is,
			// the finding on whichever of its lines the rule reports.
			if path == "" {
				path = fmt.Sprintf("keys/%s-%d.pem", rule.ID, g.n)
			}
			s, at, ok := acceptedAt(e, path, []byte(m+"\n"))
			if !ok {
				lastErr = fmt.Errorf("candidate rejected by the rule's filters: %q", finding.Redact(m))
				continue
			}
			g.add(path, "", strings.Split(strings.TrimRight(m, "\n"), "\n"), Planted{RuleID: rule.ID, Secret: s, Positive: true, offset: at})
			made++
			continue
		}
		if path == "" && !slices.Contains(rule.Tags, "generic") && g.r.IntN(10) == 0 {
			// Base64 inside a Kubernetes Secret exercises the decoders.
			b64 := base64.StdEncoding.EncodeToString([]byte(m))
			line := "  credentials: " + b64
			p := fmt.Sprintf("k8s/secret-%d.yaml", g.n)
			s, ok := accepted(e, p, []byte(line+"\n"))
			if ok {
				head := []string{"apiVersion: v1", "kind: Secret", "metadata:", "  name: app-" + fmt.Sprint(g.n), "type: Opaque", "data:"}
				g.add(p, "", append(head, line), Planted{RuleID: rule.ID, Secret: s, Positive: true, Encoded: true, EncodedAs: b64})
				made++
				continue
			}
		}
		kind := fileKinds[g.r.IntN(len(fileKinds))]
		if path != "" {
			kind = "raw"
		}
		line, ok := wrap(kind, m, g.n)
		if !ok {
			kind, line = "log", "2024-03-11T10:22:31Z INFO  worker started with "+m
		}
		if path == "" {
			path = g.pathForKind(kind)
		}
		s, ok := accepted(e, path, []byte(line+"\n"))
		if !ok {
			// The wrapping may break the match: try the bare match.
			if s, ok = accepted(e, path, []byte(m+"\n")); !ok {
				lastErr = fmt.Errorf("candidate rejected by the rule's filters: %q", finding.Redact(m))
				continue
			}
			line = m
		}
		g.add(path, kind, []string{line}, Planted{RuleID: rule.ID, Secret: s, Positive: true})
		made++
	}
	if made < PositivesPerRule {
		return fmt.Errorf("made %d of %d positives: %v", made, PositivesPerRule, lastErr)
	}
	return nil
}

// match generates a regex match and fixes up what a regex can't express.
func (g *generator) match(rule *rules.Rule) (string, error) {
	m, err := GenerateMatch(rule.Regex, g.r)
	if err != nil {
		return "", err
	}
	switch rule.Validator {
	case "github-crc32", "npm-crc32":
		// Recompute the checksum over the random part after the prefix.
		re := regexp.MustCompile(`[A-Za-z0-9]+_([A-Za-z0-9]{6,})`)
		loc := re.FindStringSubmatchIndex(m)
		if loc != nil && loc[3]-loc[2] > 6 {
			body := m[loc[2] : loc[3]-6]
			m = m[:loc[3]-6] + detectors.Base62CRC32(body) + m[loc[3]:]
		}
	case "bitcoin-wif":
		// A key with its checksum, on a line that names it (the rule's
		// keywords are not in its regex: a WIF key has no fixed prefix).
		var key [32]byte
		for i := range key {
			key[i] = byte(g.r.IntN(256))
		}
		m = "btc_wallet_wif: " + detectors.BitcoinWIF(key, g.r.IntN(2) == 0)
	case "discord-user-id":
		// The token's first part: a snowflake user id in base64.
		re := regexp.MustCompile(`[MNO][A-Za-z0-9_-]{22,26}\.`)
		if loc := re.FindStringIndex(m); loc != nil {
			id := base64.RawURLEncoding.EncodeToString([]byte(g.randString(1, "123456789") + g.randString(17, "0123456789")))
			m = m[:loc[0]] + id + "." + m[loc[1]:]
		}
	case "jwt":
		m = g.jwt()
	case "pem":
		m = g.pem(m)
	case "pypi-macaroon":
		m = g.pypiToken()
	case "base64-json":
		// prefix_ + base64 of a JSON object (Grafana Cloud, Sentry org),
		// and the trailing _secret part where the format has one.
		if i := strings.IndexByte(m, '_'); i > 0 {
			obj, _ := json.Marshal(map[string]any{"o": g.randString(6, "0123456789"), "n": "stack-" + g.randString(8, "abcdefghij"), "k": g.randString(24, alnum)})
			tail := ""
			if strings.Contains(m[i+1:], "_") {
				tail = "_" + g.randString(43, alnum)
			}
			m = m[:i+1] + base64.RawStdEncoding.EncodeToString(obj) + tail
		}
	case "docker-auth":
		// The base64 must hold user:password.
		cred := base64.StdEncoding.EncodeToString([]byte("svc-" + g.randString(5, "abcdefghij") + ":" + g.randString(18, alnum)))
		loc := regexp.MustCompile(`[A-Za-z0-9+/]{6,}={0,2}`).FindAllStringIndex(m, -1)
		if len(loc) > 0 {
			last := loc[len(loc)-1]
			m = m[:last[0]] + cred + m[last[1]:]
		}
	}
	if rule.Validator == "sql-rows" {
		// Rows the statement's head names the columns of: build them.
		m = "INSERT INTO users (name, api_token) VALUES ('svc-" + g.randString(4, "abcdefghij") + "', '" + g.randString(32, alnum) + "');\n"
	}
	if rule.ID == "kubernetes-secret-stringdata" {
		// A multi-line match a regex walk can't lay out: build the manifest.
		m = "kind: Secret\nstringData:\n  username: app\n  db-password: " + g.randString(18, alnum) + "\n"
	}
	if rule.Validator == "kubernetes-secret" {
		// The match is the kind line; the secrets are the manifest's values.
		m = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n  username: YXBw\n  db-password: " +
			base64.StdEncoding.EncodeToString([]byte(g.password())) + "\n"
	}
	return m, nil
}

// pypiToken builds a PyPI token: "pypi-" and a version 2 macaroon with
// pypi.org as location, an identifier, and a 32-byte signature.
func (g *generator) pypiToken() string {
	field := func(typ byte, data []byte) []byte {
		out := []byte{typ}
		out = binary.AppendUvarint(out, uint64(len(data)))
		return append(out, data...)
	}
	sig := make([]byte, 32)
	for i := range sig {
		sig[i] = byte(g.r.IntN(256))
	}
	b := []byte{2}
	b = append(b, field(1, []byte("pypi.org"))...)
	b = append(b, field(2, []byte(`{"nonce": "`+g.randString(16, "0123456789abcdef")+`", "version": 1}`))...)
	b = append(b, 0, 0)
	b = append(b, field(6, sig)...)
	return "pypi-" + base64.RawURLEncoding.EncodeToString(b)
}

func (g *generator) randString(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

func (g *generator) jwt() string {
	enc := base64.RawURLEncoding
	h := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	p, _ := json.Marshal(map[string]any{"sub": g.randString(12, alnum), "iat": 1700000000 + g.r.IntN(1e7), "name": "svc-" + g.randString(6, "abcdefghij")})
	sig := make([]byte, 32)
	for i := range sig {
		sig[i] = byte(g.r.IntN(256))
	}
	return h + "." + enc.EncodeToString(p) + "." + enc.EncodeToString(sig)
}

// pem keeps the generated BEGIN/END labels and puts a random base64 body
// between them.
func (g *generator) pem(m string) string {
	begin := regexp.MustCompile(`-----BEGIN[ A-Z0-9]*-----`).FindString(m)
	end := regexp.MustCompile(`-----END[ A-Z0-9]*-----`).FindString(m)
	if begin == "" || end == "" {
		return m
	}
	raw := make([]byte, 600)
	for i := range raw {
		raw[i] = byte(g.r.IntN(256))
	}
	b := base64.StdEncoding.EncodeToString(raw)
	var lines []string
	lines = append(lines, begin)
	for len(b) > 64 {
		lines = append(lines, b[:64])
		b = b[64:]
	}
	lines = append(lines, b, end)
	return strings.Join(lines, "\n")
}

// pathFor generates a relative file path the rule's path regex matches.
func (g *generator) pathFor(expr string, re *regexp.Regexp) (string, error) {
	for range 50 {
		p, err := GenerateMatch(expr, g.r)
		if err != nil {
			return "", err
		}
		p = strings.Trim(p, "/")
		if p == "" || strings.Contains(p, "//") || strings.ContainsAny(p, " \\:*?\"<>|") {
			continue
		}
		full := fmt.Sprintf("pathrules/%d/%s", g.n, p)
		if re.MatchString(full) {
			return full, nil
		}
	}
	return "", fmt.Errorf("no file path matches %q", expr)
}

var kindPaths = map[string][]string{
	"go":         {"internal/server/handler.go", "pkg/client/client.go", "cmd/api/main.go"},
	"py":         {"app/settings.py", "scripts/sync.py", "service/worker.py"},
	"js":         {"web/src/config.js", "web/src/api.js", "lib/index.js"},
	"env":        {"deploy/.env", "config/.env.production", ".env.local"},
	"yaml":       {"deploy/values.yaml", "config/app.yaml", ".github/workflows/ci.yml"},
	"json":       {"config/settings.json", "web/appsettings.json"},
	"toml":       {"config/app.toml", "deploy/config.toml"},
	"properties": {"src/main/resources/application.properties", "conf/app.properties"},
	"sh":         {"scripts/deploy.sh", "bin/bootstrap.sh"},
	"dockerfile": {"Dockerfile", "docker/api/Dockerfile"},
	"ipynb":      {"notebooks/analysis.ipynb", "notebooks/train.ipynb"},
	"log":        {"logs/app.log", "var/log/worker.log"},
}

func (g *generator) pathForKind(kind string) string {
	ps := kindPaths[kind]
	p := ps[g.r.IntN(len(ps))]
	// Several files per kind, so files stay small.
	dir, base := filepath.Split(p)
	return fmt.Sprintf("%sd%d/%s", dir, g.r.IntN(8), base)
}

// wrap puts a match into a line of the given file kind; false when the
// match can't be embedded there without escaping.
func wrap(kind, m string, n int) (string, bool) {
	name := fmt.Sprintf("setting%d", n)
	plain := !strings.ContainsAny(m, "\"'\\`")
	switch kind {
	case "go":
		if !plain {
			return "", false
		}
		return fmt.Sprintf("\tconst %s = %q", name, m), true
	case "py":
		if !plain {
			return "", false
		}
		return fmt.Sprintf("%s = '%s'", strings.ToUpper(name), m), true
	case "js":
		if !plain {
			return "", false
		}
		return fmt.Sprintf("  %s: '%s',", name, m), true
	case "env", "properties":
		return m, true
	case "yaml":
		return "  " + m, true
	case "json", "ipynb":
		if !plain {
			return "", false
		}
		return fmt.Sprintf("  %q: %q,", name, m), true
	case "toml":
		if strings.Contains(m, "'") {
			return "", false
		}
		return fmt.Sprintf("%s = '%s'", name, m), true
	case "sh":
		if strings.Contains(m, "'") {
			return "", false
		}
		return fmt.Sprintf("echo '%s' >> /etc/app.conf", m), true
	case "dockerfile":
		return "RUN echo " + m, !strings.ContainsAny(m, "\"'\\")
	case "log":
		return "2024-03-11T10:22:31Z INFO  request " + m, true
	case "raw":
		return m, true
	}
	return "", false
}

func (g *generator) negative(path, text string) {
	g.add(path, "", strings.Split(strings.TrimRight(text, "\n"), "\n"), Planted{Positive: false})
}

// add appends planted lines to a file, with filler before them; the
// Planted entry is recorded at the first of the lines.
func (g *generator) add(path, kind string, lines []string, p Planted) {
	f := g.files[path]
	if f == nil {
		f = &file{kind: kind}
		g.files[path] = f
	}
	if f.kind != "" && f.kind != "raw" {
		for range 1 + g.r.IntN(3) {
			f.lines = append(f.lines, filler(f.kind, g.r))
		}
	}
	p.File = path
	p.Line = len(f.lines) + 1 + p.offset
	if p.Encoded {
		p.Line += len(lines) - 1 // the encoded value is the last line
	}
	f.lines = append(f.lines, lines...)
	g.truth.Planted = append(g.truth.Planted, p)
}

// lookalikes plants strings that resemble secrets and are not.
func (g *generator) lookalikes() {
	var ls []string
	for i := range 10 {
		sum := sha256.Sum256([]byte(fmt.Sprint("module", i, g.r.Uint64())))
		ls = append(ls,
			fmt.Sprintf("github.com/example/mod%d v1.%d.0 h1:%s", i, i, base64.StdEncoding.EncodeToString(sum[:])),
			fmt.Sprintf(`"integrity": "sha512-%s"`, base64.StdEncoding.EncodeToString(append(sum[:], sum[:]...))),
			fmt.Sprintf("  resolved \"https://registry.yarnpkg.com/pkg%d/-/pkg%d-1.0.%d.tgz#%s\"", i, i, i, hex.EncodeToString(sum[:20])),
			fmt.Sprintf("request_id: %08x-%04x-4%03x-a%03x-%012x", g.r.Uint32(), g.r.IntN(1<<16), g.r.IntN(1<<12), g.r.IntN(1<<12), g.r.Uint64()&(1<<48-1)),
			"commit "+hex.EncodeToString(sum[:20]),
			"image: registry.example.com/app@sha256:"+hex.EncodeToString(sum[:]),
			`<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk`+g.randString(40, alnum)+`">`,
			"greeting: "+base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("hello world from the build job number %d", i))),
		)
	}
	ls = append(ls,
		"password: changeme", "api_key: ${API_KEY}", "token: <your-token>", "secret: {{ .Values.apiSecret }}",
		"auth_token = xxxxxxxxxxxxxxxxxxxx", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
		`apiKey := os.Getenv("API_KEY")`, "password = os.environ['DB_PASSWORD']",
		"token_path: /var/run/secrets/kubernetes.io/serviceaccount/token",
		"docs_url: https://example.com/docs/api-keys/rotate", "secret_key_ref: app-secret/secret-key",
		"TOKEN_ENDPOINT=https://auth.example.com/oauth/token", "const passwordMinLength = 12",
	)
	for i, l := range ls {
		g.add(fmt.Sprintf("lookalike/%d/notes.yaml", i%6), "yaml", []string{l}, Planted{})
	}
}

func (g *generator) write(dir string) error {
	paths := make([]string, 0, len(g.files))
	for p := range g.files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		f := g.files[p]
		lines := f.lines
		if f.kind != "" && f.kind != "raw" {
			lines = append(lines, filler(f.kind, g.r))
		}
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
	}
	return nil
}
