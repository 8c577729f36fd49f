package detectors

import (
	"encoding/base64"
	"strings"
	"unicode"
)

// Generic assignments: a value given to a name that says it is secret
// (password = ..., "api_key": ..., <token>...</token>, --client-secret ...).
// Whether such a value is a credential depends on the name as well as on
// the value, so the generic rules' checks see both: the text of the match
// before the secret (the key and the separator) and the secret.
//
//   - A name that says where a secret is, or what it is like, rather than
//     what it is (secret_name, token_url, password_file, api_key_id,
//     password_min_length) holds no secret; neither do names of things that
//     are called tokens but are not credentials (csrf_token, next_page_token,
//     PublicKeyToken, CancellationToken).
//   - A password is chosen by a person: "Summer2024!" is a real one. A
//     token, an API key or a client secret is made by a machine: a value
//     that reads as words ("expected-token-1", "123.short") is a test value
//     or a name, not a credential.
//   - No value is a credential when it is code, a reference, a path, a
//     placeholder, a hash or UUID, a run of repeated, sequential or
//     keyboard-row characters, or a well-known dummy made of words like
//     "my", "secret", "test" and "admin" with digits.

// ContextValidator is a check that sees the match before the secret as
// well as the secret: before is the text from the start of the match to
// the start of the secret.
type ContextValidator func(before, secret string) bool

// contextValidators is the registry of checks that need the match.
var contextValidators = map[string]ContextValidator{
	"generic":      validGenericAssignment,
	"generic-code": validUnquotedCodeValue,
}

// validGenericAssignment checks a value assigned to a secret-named key in
// any syntax.
func validGenericAssignment(before, secret string) bool {
	key := assignedKey(before)
	if strings.EqualFold(key, "default") {
		// Terraform: variable "db_password" { ... default = "..." }.
		if i := strings.LastIndex(before, `variable "`); i >= 0 {
			key, _, _ = strings.Cut(before[i+len(`variable "`):], `"`)
		}
	}
	kind := keyKind(key)
	if kind == notSecretKey || testStatus(before, key) || strings.EqualFold(key, secret) {
		// A value that repeats its name is a name (compose's
		// - registrytoken:registrytoken, password: password).
		return false
	}
	return genericValue(secret, kind == passwordKey, credentialName(key, kind))
}

// testStatus reports a test runner's result line ("PASS: ld-elf/warn2",
// DejaGnu's and automake's logs; "Passed: gc/TestSystemGC.java", jtreg's;
// `--- PASS: "TestAddr/ipv4"`, go test's): the word capitalised, then a
// colon. A setting's key is lower case (pass: in YAML, nodemailer's
// pass: '...') or set with = (PASS=... in an .env file).
func testStatus(before, key string) bool {
	switch key {
	case "PASS", "PASSED", "Passed":
	default:
		return false
	}
	b := strings.TrimRight(before, " \t\"'`")
	return strings.HasSuffix(b, key+":")
}

// credentialName reports whether a name of the kind says its value is a
// credential some service issued or a person chose: a password, a client
// secret, an API key or token, an app's secret key. Then a value shaped
// like a UUID or a digest is one (a GitHub OAuth app's client secret is 40
// hex digits, many API keys are UUIDs, Flask's SECRET_KEY is often
// secrets.token_hex() of 32 bytes). Names from cryptography
// (shared_secret, PrivateKey, client_handshake_traffic_secret) hold key
// material of test vectors far more often, which is hex of the same
// lengths.
func credentialName(key string, kind secretKeyKind) bool {
	if kind == passwordKey {
		return true
	}
	if kind != tokenKey {
		return false
	}
	credential := false
	for _, w := range keyWords(key) {
		if cryptoWords[w] {
			return false
		}
		credential = credential || credentialWords[w]
	}
	return credential
}

// validUnquotedCodeValue checks an unquoted value assigned in source code,
// where an unquoted value is nearly always an expression
// (password=hashed, token=tok.String()). It is taken for a literal only
// when it has the shape of a generated password or key: long, mixing
// character classes, no word structure, none of the characters that make
// an expression.
func validUnquotedCodeValue(before, secret string) bool {
	key := assignedKey(before)
	if kind := keyKind(key); kind == notSecretKey || !genericValue(secret, false, credentialName(key, kind)) {
		return false
	}
	// An identifier that names a secret (kSecretPtr = XXH3_kSecret,
	// key = sessionToken2) refers to one. Only whole words of five letters
	// or more count: a random value's letters hold "pw" or "pat" by chance.
	for _, w := range keyWords(secret) {
		if len(w) >= 5 && (hasAnySuffix(w, passwordRoots) || hasAnySuffix(w, tokenRoots)) {
			return false
		}
	}
	return strongShape(secret)
}

// strongShape reports a value shaped like a generated password: at least
// 12 characters, three of the four classes (upper, lower, digit, symbol),
// no expression syntax, and letters that don't read as an identifier once
// digits and symbols are dropped (userPassword2, accessTokenV2): camel
// case made of words. Camel case alone is not enough: the letters of a
// random value, joined across its digits, are camel-shaped one time in
// twenty-five (dw1Vee..., "dwVeewlnJfz...") but don't read as words.
func strongShape(s string) bool {
	if len(s) < 12 || strings.ContainsAny(s, ".()[]{}<>,;:\"'`\\ \t") {
		return false
	}
	var upper, lower, digit, symbol bool
	letters := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			upper = true
			letters = append(letters, c)
		case 'a' <= c && c <= 'z':
			lower = true
			letters = append(letters, c)
		case '0' <= c && c <= '9':
			digit = true
		default:
			symbol = true
		}
	}
	classes := 0
	for _, b := range []bool{upper, lower, digit, symbol} {
		if b {
			classes++
		}
	}
	return classes >= 3 && (digitsAmidLetters(s) >= 2 || !(looksCamel(string(letters)) && wordLike(string(letters))))
}

// digitsAmidLetters counts the runs of digits with a letter on each side.
// An identifier holds one at most (sha256Hash, oauth2Client); a random
// value's digits fall all over it ("do1s9Rig9w2hdMNtutt1"), and its
// letters, joined across them, may still read as words.
func digitsAmidLetters(s string) int {
	isLetter := func(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
	n := 0
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' || !isLetter(s[i-1]) {
			continue
		}
		j := i
		for j < len(s) && '0' <= s[j] && s[j] <= '9' {
			j++
		}
		if j < len(s) && isLetter(s[j]) {
			n++
		}
		i = j
	}
	return n
}

// genericValue applies the value checks. A password may read as words
// (people choose them); any other secret must not. A digest- or
// UUID-shaped value counts only when named: the key's name says secret.
func genericValue(s string, password, named bool) bool {
	if !validGenericSecret(s, named) || mostlyRuns(s) || dummyWords(s) || strings.Contains(deLeet(s), "password") || holdsCryptHash(s) {
		return false
	}
	if dec, ok := base64Text(s); ok && !validPasswordValue(dec) {
		return false // base64 of "changeme", of "${DB_PASSWORD}"
	}
	return password || digitsAmidLetters(s) >= 2 || !wordLike(s)
}

// holdsCryptHash reports a value holding a password hash in crypt(3)
// format (an htpasswd line's "user:$2y$05$..."): a hash, which the
// password-hash rules report as such, not the password.
func holdsCryptHash(s string) bool {
	for _, p := range []string{"$2a$", "$2b$", "$2y$", "$argon2", "$apr1$", "$1$", "$5$", "$6$", "$y$"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// base64Text decodes a value that is base64 of printable text: padded, or
// unpadded and at least 16 characters ("dGhpcyBpcyBub3QgYSByZWFsIHZhbHVl",
// "this is not a real value"). A random token of that length decodes to
// printable bytes about once in a hundred thousand, and is then judged by
// its decoded text like any other.
func base64Text(s string) (string, bool) {
	if len(s)%4 != 0 || !strings.HasSuffix(s, "=") && len(s) < 16 {
		return "", false
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || !printable(b) {
		return "", false
	}
	return string(b), true
}

type secretKeyKind int

const (
	unknownKey   secretKeyKind = iota // no secret word found: the rule's regex decided
	passwordKey                       // a password or passphrase: chosen by a person
	tokenKey                          // a token, key or secret: made by a machine
	notSecretKey                      // names where a secret is, or what it is like
)

// assignedKey returns the name a value is assigned to, given the match
// text before the value: the last run of name characters once the value's
// opening quote (and a string prefix such as r", @", b'), the separator
// (=, :, :=, =>, >, ",", an attribute value=) and the key's own closing
// quote or bracket are taken off.
func assignedKey(before string) string {
	s := before
	for {
		n := len(s)
		s = strings.TrimRight(s, " \t")
		if m := len(s); m > 0 && strings.IndexByte("\"'`", s[m-1]) >= 0 {
			s = trimStringPrefix(s[:m-1])
		}
		s = strings.TrimRight(s, " \t\r\n=:>,|?")
		s = strings.TrimRight(s, "\"'`]")
		// key="ApiKey" value="...": the name is the attribute before value=
		// (or the field before "value" in JSON: a Postman environment's
		// {"key": "api_token", "value": "..."}, CloudFormation's
		// "ParameterKey"/"ParameterValue"; the line before value: in a
		// Kubernetes env list, - name: DB_PASSWORD).
		for _, field := range []string{"parametervalue", "value"} {
			if m, k := len(s), len(field); m > k && strings.EqualFold(s[m-k:], field) && strings.IndexByte(" \t\n\"", s[m-k-1]) >= 0 {
				s = s[:m-k]
				break
			}
		}
		// A plist's <key>API_SECRET</key> <string>...: the key element.
		if m := len(s); m > 7 && strings.EqualFold(s[m-7:], "<string") {
			if t := strings.TrimRight(s[:m-7], " \t\r\n"); strings.HasSuffix(t, "</key>") {
				s = t[:len(t)-len("</key>")]
			}
		}
		if len(s) == n {
			break
		}
	}
	i := len(s)
	for i > 0 && isKeyByte(s[i-1]) {
		i--
	}
	return strings.TrimLeft(s[i:], "-.")
}

// trimStringPrefix drops a string literal's prefix left before its quote:
// C#'s @ and $, Python's r, b, u, f and their pairs.
func trimStringPrefix(s string) string {
	if m := len(s); m > 0 && (s[m-1] == '@' || s[m-1] == '$') {
		return s[:m-1]
	}
	j := len(s)
	for j > 0 && len(s)-j < 2 && strings.IndexByte("rRbBuUfF", s[j-1]) >= 0 {
		j--
	}
	if j < len(s) && (j == 0 || !isKeyByte(s[j-1])) {
		return s[:j]
	}
	return s
}

func isKeyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.'
}

// keyWords splits a name into lowercase words at separators, case changes
// (dbPassword, HTTPToken) and digits.
func keyWords(key string) []string {
	var words []string
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			words = append(words, strings.ToLower(key[start:end]))
		}
		start = -1
	}
	isUpper := func(c byte) bool { return 'A' <= c && c <= 'Z' }
	isLower := func(c byte) bool { return 'a' <= c && c <= 'z' }
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !isUpper(c) && !isLower(c) {
			flush(i)
			continue
		}
		if start >= 0 && isUpper(c) && (isLower(key[i-1]) || i+1 < len(key) && isLower(key[i+1]) && isUpper(key[i-1])) {
			flush(i)
		}
		if start < 0 {
			start = i
		}
	}
	flush(len(key))
	return words
}

// Word lists for keyKind.
var (
	passwordRoots = []string{"password", "passwords", "passwd", "passphrase", "pwd"}
	tokenRoots    = []string{"secret", "secrets", "token", "tokens", "apikey", "accesskey", "authkey", "privatekey", "secretkey", "credential", "credentials", "creds", "authorization"}
	// keyQualifiers make a following "key" a credential (api key, access
	// key, client key); "key" alone names anything.
	keyQualifiers = wordSet("api", "access", "auth", "private", "secret", "client", "signing", "encryption", "master", "app", "license", "account", "service", "subscription", "consumer", "shared", "admin", "write", "read", "deploy", "storage", "jwt", "hmac")
	// afterSecret are words that, following the secret word, name where a
	// secret is or what it is like rather than the secret itself.
	afterSecret = wordSet("name", "names", "id", "ids", "arn", "ref", "refs", "reference", "file", "filename", "files", "path", "paths", "dir",
		"directory", "url", "uri", "urls", "endpoint", "host", "hostname", "port", "type", "kind", "length", "len", "size", "count", "min",
		"max", "policy", "prefix", "suffix", "field", "fields", "env", "var", "variable", "header", "param", "parameter", "ttl", "expiry",
		"expires", "expiration", "expire", "timeout", "lifetime", "age", "version", "format", "algorithm", "alg", "mode", "method",
		"label", "hint", "hash", "hashed", "digest", "checksum", "sha", "md", "crc", "fingerprint", "thumbprint", "required", "enabled", "disabled", "regex", "pattern", "provider",
		"source", "location", "mount", "volume", "rotation", "manager", "index", "offset", "selector", "placeholder", "prompt",
		"description", "desc", "help", "error", "message", "msg", "hidden", "strength", "validator", "validation", "generator",
		"encoder", "reset", "changed", "change", "store", "vault", "command", "cmd", "script", "helper", "exists", "set", "encryption", "scheme")
	// credentialWords and cryptoWords decide credentialName.
	credentialWords = wordSet("client", "api", "app", "access", "auth", "token", "tokens", "apikey", "accesskey", "authkey", "secret",
		"credential", "credentials", "creds", "webhook", "consumer", "bot", "pat", "authorization")
	cryptoWords = wordSet("shared", "exporter", "master", "premaster", "traffic", "handshake", "private", "public",
		"ephemeral", "psk", "binder", "resumption", "early")
	// beforeSecret are words that, before the secret word, make it
	// something that is called a token or a key but is not a credential.
	beforeSecret = wordSet("public", "commit", "csrf", "xsrf", "next", "page", "continuation", "pagination", "cursor", "sync", "cancellation",
		"cancel", "idempotency", "lexer", "parser", "syntax", "no", "without", "empty", "missing", "invalid", "wrong", "bad", "mock",
		"fake", "dummy", "sample", "example")
)

func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

func hasAnySuffix(w string, roots []string) bool {
	for _, r := range roots {
		if strings.HasSuffix(w, r) {
			return true
		}
	}
	return false
}

// keyKind classifies a name by its last secret word and the words around
// it.
func keyKind(key string) secretKeyKind {
	words := keyWords(key)
	at, kind := -1, unknownKey
	for i, w := range words {
		switch {
		case hasAnySuffix(w, passwordRoots) || w == "pass" || w == "pw":
			at, kind = i, passwordKey
		case hasAnySuffix(w, tokenRoots) || w == "pat" || w == "key" && i > 0 && keyQualifiers[words[i-1]]:
			at, kind = i, tokenKey
		}
	}
	if at < 0 {
		return unknownKey
	}
	for _, w := range words[at+1:] {
		if afterSecret[w] {
			return notSecretKey
		}
	}
	for _, w := range words[:at] {
		if beforeSecret[w] {
			return notSecretKey
		}
	}
	return kind
}

// mostlyRuns reports a value made mostly of runs a person types or a
// template fills: one character repeated, alphabet or digit sequences
// (abcdef, 123456), keyboard rows (qwerty, asdf). At least 60% of the steps
// from one character to the next must be such a step: a random value of
// eight characters is that regular once in a thousand times.
func mostlyRuns(s string) bool {
	if len(s) < 2 {
		return false
	}
	runs := 0
	for i := 1; i < len(s); i++ {
		a, b := lower(s[i-1]), lower(s[i])
		if d := int(b) - int(a); d >= -1 && d <= 1 || keyboardNeighbours(a, b) {
			runs++
		}
	}
	return runs*5 >= (len(s)-1)*3
}

var keyboardRows = []string{"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"}

func keyboardNeighbours(a, b byte) bool {
	for _, row := range keyboardRows {
		i := strings.IndexByte(row, a)
		if i < 0 {
			continue
		}
		return i > 0 && row[i-1] == b || i+1 < len(row) && row[i+1] == b
	}
	return false
}

// dummyStems are the words dummy and default credentials are made of
// ("mysecret", "test-token-123", "admin1234", "S3cr3tK3y!").
var dummyStems = []string{
	"password", "passwd", "pass", "pwd", "secret", "secrets", "admin", "administrator", "root", "test", "testing", "demo",
	"default", "welcome", "letmein", "qwerty", "changeit", "changeme", "guest", "user", "dev", "local", "token", "api",
	"key", "my", "super", "your", "foo", "bar", "baz", "abc", "xyz", "hello", "world", "login", "access", "auth", "dummy",
	"fake", "mock", "temp", "tmp", "db", "app", "insecure", "not", "very", "top", "sample", "example", "value", "string",
	"the", "is", "dont", "use", "do", "in", "prod", "production", "share", "keep", "it", "safe",
	"long", "with", "many", "characters", "chars", "random", "strong", "this", "some",
}

// dummyWords reports a value whose letters are nothing but dummy stems,
// with digits and symbols taken out or read as the letters they stand in
// for (0 for o, 3 for e, @ for a).
func dummyWords(s string) bool {
	var plain strings.Builder
	for _, r := range strings.ToLower(s) {
		if 'a' <= r && r <= 'z' {
			plain.WriteRune(r)
		} else if unicode.IsLetter(r) {
			return false
		}
	}
	// Digits and symbols around the words are a suffix ("!", "123"), not
	// letters in disguise.
	core := strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	return segments(plain.String(), dummyStems) || segments(deLeet(core), dummyStems)
}

// segments reports whether s is a concatenation of one or more words.
func segments(s string, words []string) bool {
	if s == "" {
		return false
	}
	ok := make([]bool, len(s)+1)
	ok[0] = true
	for i := 1; i <= len(s); i++ {
		for _, w := range words {
			if len(w) <= i && ok[i-len(w)] && s[i-len(w):i] == w {
				ok[i] = true
				break
			}
		}
	}
	return ok[len(s)]
}
