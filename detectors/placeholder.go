package detectors

import (
	"strings"
	"unicode"
)

// placeholderWords are substrings that mark a value as documentation or a
// template rather than a credential. Compared case-insensitively.
var placeholderWords = []string{
	"example", "xxxxx", "changeme", "change_me", "change-me", "placeholder",
	"your_", "your-", "yourkey", "yourtoken", "yoursecret", "yourpassword",
	"dummy", "redacted", "insert", "replace_me", "replaceme", "todo",
	"fixme", "${", "{{", "}}", "$(", "%(", "<%", "%>", "<<", "*****", "....",
	"sample", "fake", "notreal", "not_real", "not-real", "_here", "-here",
	" here", "unique phrase", "not a real",
}

// IsPlaceholder reports whether a candidate secret is an obvious
// placeholder: a template expression, a documented example, a run of one
// character, or a word that says so.
func IsPlaceholder(s string) bool {
	if documentedSecrets[s] {
		return true
	}
	ls := strings.ToLower(s)
	for _, w := range placeholderWords {
		for i := 0; i+len(w) <= len(ls); {
			j := strings.Index(ls[i:], w)
			if j < 0 {
				break
			}
			j += i
			lo, hi, random := randomRun(s, j, j+len(w))
			if !random || standsOut(s, lo, hi, j, w) {
				return true
			}
			i = j + 1
		}
	}
	if len(s) >= 6 && strings.Count(s, s[:1]) == len(s) {
		return true
	}
	return angleSlot(s)
}

// angleSlot reports a slot for a value written in angle brackets
// (<your-api-key>, <PASSWORD>, <db password>), or a value that starts with
// one and reads on as words (<your token, cut short). A '<' or '>' alone
// marks nothing: generated passwords and WordPress' keys and salts hold
// them (a 64-character salt holds one three times in four).
func angleSlot(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		j := i + 1
		for j < len(s) && slotByte(s[j]) {
			j++
		}
		if j > i+1 && (j < len(s) && s[j] == '>' || i == 0 && j == len(s)) {
			return true
		}
	}
	return false
}

func slotByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(" _.:/@-", c) >= 0
}

// documentedSecrets are secrets printed in a vendor's own documentation
// and copied from there into READMEs, API specs and tests by the hundred:
// Docker's Engine API reference holds the same swarm join tokens, unlock
// key and registry password in every API version's spec (about 750
// findings in a Go module cache, eleven values). Published, they are
// nobody's secret.
var documentedSecrets = wordSet(
	"SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-7p73s1dx5in4tatdymyhg9hu2",
	"SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx",
	"SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-b30ljddcqhef9b9v4rs7mel7t",
	"SWMTKN-1-1h8aps2yszaiqmz2l3oc5392pgk8e49qhx2aj3nyv0ui0hez2a-6qmn92w6bu3jdvnglku58u11a",
	"SWMTKN-1-1h8aps2yszaiqmz2l3oc5392pgk8e49qhx2aj3nyv0ui0hez2a-8llk83c4wm9lwioey2s316r9l",
	"SWMTKN-1-49nj1cmql0jkz5s954yi3oex3nedyz0fb0xx14ie39trti4wxv-8vxv8rssmk743ojnwacrr2e7c",
	"SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8",
	"SWMKEY-1-fySn8TY4w5lKcWcJPIpKufejh9hxx5KYwx6XZigx3Q4",
	"conta1n3rize14", // the registry password in the same reference
	// RFC 7515's example HMAC key (appendix A.1), in every JWS library's
	// tests.
	"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
)

// wellKnownIDs are UUIDs and digests printed in specifications and
// documentation (RFC 4122's examples and namespace IDs, the SHA-1 and
// SHA-256 of nothing, git's empty tree): whatever they are assigned to,
// they are nobody's secret.
var wellKnownIDs = wordSet(
	"123e4567-e89b-12d3-a456-426614174000", "550e8400-e29b-41d4-a716-446655440000",
	"f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
	"6ba7b811-9dad-11d1-80b4-00c04fd430c8", "6ba7b812-9dad-11d1-80b4-00c04fd430c8",
	"6ba7b814-9dad-11d1-80b4-00c04fd430c8",
	"a1b2c3d4-e5f6-7890-abcd-ef1234567890", "12345678-1234-1234-1234-123456789012",
	"da39a3ee5e6b4b0d3255bfef95601890afd80709",
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"4b825dc642cb6eb9a060e54bf8d69288fbee4904",
)

// dpapiBlob starts the base64 of every Windows DPAPI-protected blob (its
// version and provider GUID): such a value (NuGet.config's "Password", a
// saved RDP password) decrypts only for the user, on the machine, that
// wrote it, and is no credential anywhere else.
const dpapiBlob = "AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAA"

// appPassword reports a generated password of lowercase letters alone:
// Google's app passwords (for SMTP from Django, Rails, nodemailer) are 16
// letters. Such a value is taken when the letters read as no words;
// lowercase words and identifiers (somefunctionname) do.
func appPassword(s string) bool {
	if len(s) != 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return !wordLike(s) && !mostlyRuns(s) && ShannonEntropy(s) >= 3.0
}

// validGenericSecret decides whether the value of an assignment such as
// `password = "..."` or `api_key: ...` looks like a credential rather than
// code, a path, an identifier or a reference to one.
func validGenericSecret(s string, named bool) bool {
	if len(s) < 8 {
		return false
	}
	if IsPlaceholder(s) {
		return false
	}
	// Code, not a value: a call or a concatenation caught between quotes
	// ("TOKEN="+os.Getenv("X")+").
	if strings.Contains(s, "()") || strings.HasPrefix(s, "+") || strings.HasSuffix(s, "+") {
		return false
	}
	ls := strings.ToLower(s)
	// Elided in docs or help text ("auth-token = AJAvW039NO1nDcijk_J6_...").
	if strings.HasSuffix(s, "...") || strings.HasSuffix(s, "…") {
		return false
	}
	// A terminal colour ("\x1b[32mPASS", "\033[0m"): output, not a value.
	for _, esc := range []string{`\x1b[`, `\033[`, `\e[`, `\u001b[`} {
		if strings.Contains(ls, esc) {
			return false
		}
	}
	// A URN (urn:uuid:..., a WebDAV lock token) names a thing.
	if strings.HasPrefix(ls, "urn:") {
		return false
	}
	// References to variables, environment or secret stores, not values.
	if strings.HasPrefix(s, "$") || strings.HasPrefix(s, "%") || strings.HasPrefix(ls, "env.") ||
		strings.HasPrefix(ls, "secrets.") || strings.HasPrefix(ls, "process.env") ||
		strings.HasPrefix(ls, "os.") || strings.HasPrefix(ls, "vault:") {
		return false
	}
	if named && appPassword(s) {
		return true
	}
	var upper, lowerN, digit, other int
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r):
			lowerN++
		case unicode.IsDigit(r):
			digit++
		default:
			other++
		}
	}
	letters := upper + lowerN
	// Pure words or identifiers (some_function_name, SomeTypeName,
	// CONSTANT_NAME, dotted.package.path) are code, not secrets.
	if digit == 0 && (upper == 0 || lowerN == 0 || looksCamel(s)) {
		return false
	}
	if digit == 0 && letters > 0 && len(s) < 16 {
		return false
	}
	// Words joined by separators, each in one case (XDG_CONFIG_HOME-bar,
	// SOME_SETTING.value): the name of a variable or a constant.
	if digit == 0 && singleCaseWords(s) {
		return false
	}
	// Numbers alone (ports, ids, timestamps) are not secrets.
	if letters == 0 {
		return false
	}
	if wellKnownIDs[ls] {
		return false
	}
	// Commit SHAs, content digests and UUIDs in configs are far likelier
	// than secrets of those shapes, unless the name they are given says
	// secret: a GitHub OAuth app's client secret is 40 hex digits, many
	// services' API keys and client secrets are UUIDs or 64 hex digits.
	if !named && isHexString(s) && (len(s) == 40 || len(s) == 64) && ls == s {
		return false
	}
	if !named && looksUUID(s) {
		return false
	}
	if strings.HasPrefix(s, dpapiBlob) {
		return false
	}
	if strings.Contains(s, "/") && strings.Count(s, "/") >= 2 && !strings.ContainsAny(s, "+=") {
		return false // a path
	}
	return ShannonEntropy(s) >= 3.0
}

// looksCamel reports identifiers like parseHTTPResponse, ReadAllBytes or
// some.dotted_name: letters in words, where each capital (or short acronym)
// starts a lowercase run of two or more. Random mixed-case strings almost
// always break that shape somewhere (a lone lowercase letter between
// capitals, long capital runs, many acronyms).
func looksCamel(s string) bool {
	isLower := func(c byte) bool { return 'a' <= c && c <= 'z' }
	isUpper := func(c byte) bool { return 'A' <= c && c <= 'Z' }
	acronyms := 0
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '_' || c == '.' || c == '-':
			i++
		case isLower(c):
			// A word with no capital: at the start or after a separator.
			if i > 0 && !(s[i-1] == '_' || s[i-1] == '.' || s[i-1] == '-') {
				return false
			}
			for i < len(s) && isLower(s[i]) {
				i++
			}
		case isUpper(c):
			j := i
			for j < len(s) && isUpper(s[j]) {
				j++
			}
			caps := j - i
			k := j
			for k < len(s) && isLower(s[k]) {
				k++
			}
			lows := k - j
			if caps > 1 {
				acronyms++
				// "HTTPResponse": the acronym's last capital starts the word.
				if lows > 0 {
					caps--
				}
			}
			if caps > 5 || acronyms > 1 || (lows > 0 && lows < 2) {
				return false
			}
			if lows == 0 && k < len(s) && !(s[k] == '_' || s[k] == '.' || s[k] == '-') {
				return false // capitals followed by a digit or symbol
			}
			i = k
		default:
			return false
		}
	}
	return true
}

// singleCaseWords reports whether s is two or more words of letters joined
// by '_', '-' or '.', each word all capitals or all small letters.
func singleCaseWords(s string) bool {
	words := strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '-' || r == '.' })
	if len(words) < 2 {
		return false
	}
	for _, w := range words {
		if strings.TrimLeft(w, "abcdefghijklmnopqrstuvwxyz") != "" && strings.TrimLeft(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return false
		}
	}
	return true
}

func isHexString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHexByte(s[i]) {
			return false
		}
	}
	return true
}

func looksUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return false
			}
		} else if !isHexString(s[i : i+1]) {
			return false
		}
	}
	return true
}

// minRandomRun is the length from which a run of base64 characters is
// taken for random data (a key body, a long token), where a word can
// appear by chance: a 1,600-character private key held "FaKE" or "tODo"
// about once in 500. A shorter run is random too when it mixes letters
// and digits over at least minMixedRun characters (the body of an API
// key, where "toDo" in "4eC39HqLyjWDaRtoDo1tP7dc" is chance).
const (
	minRandomRun = 40
	minMixedRun  = 16
)

func isB64(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '/'
}

// lineBreaks are the line breaks a run of base64 goes on over: CRLF, a
// newline, and the escapes a key pasted into JSON or YAML holds (longest
// first).
var lineBreaks = [...]string{"\\r\\n", "\\n", "\r\n", "\n"}

// lineBreak returns the length of the line break at s[i:], or 0.
func lineBreak(s string, i int) int {
	for _, br := range lineBreaks {
		if strings.HasPrefix(s[i:], br) {
			return len(br)
		}
	}
	return 0
}

// randomRun reports whether s[i:j] lies in a run of base64 characters
// (standard alphabet) that reads as random data, and the run's bounds. A
// run goes on over a line break between two base64 characters, so a key
// body is one run and its short last line is no run of its own.
func randomRun(s string, i, j int) (lo, hi int, ok bool) {
	for k := i; k < j; k++ {
		if !isB64(s[k]) {
			return 0, 0, false
		}
	}
	for i > 0 {
		// A break first: the "n" ending an escaped one is a base64 letter.
		if n := breakEndingAt(s, i); n > 0 && i-n >= 1 && isB64(s[i-n-1]) {
			i -= n
			continue
		}
		if !isB64(s[i-1]) {
			break
		}
		i--
	}
	for j < len(s) {
		if isB64(s[j]) {
			j++
			continue
		}
		if n := lineBreak(s, j); n > 0 && j+n < len(s) && isB64(s[j+n]) {
			j += n
			continue
		}
		break
	}
	if j-i >= minRandomRun {
		return i, j, true
	}
	if j-i < minMixedRun {
		return i, j, false
	}
	letters, digits := false, false
	for k := i; k < j; k++ {
		c := s[k]
		letters = letters || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		digits = digits || '0' <= c && c <= '9'
	}
	return i, j, letters && digits
}

// breakEndingAt returns the length of a line break that ends at s[:i], or
// 0.
func breakEndingAt(s string, i int) int {
	for _, br := range lineBreaks {
		if strings.HasSuffix(s[:i], br) {
			return len(br)
		}
	}
	return 0
}

// standsOut reports whether placeholder word w, found at s[at:] inside the
// random-looking run s[lo:hi], was written as a word rather than met by
// chance. It must be in one case ("EXAMPLE" in AWS's documented secret
// key, not "tODo") and either long (seven letters or more), repeated
// ("fakefakefake..."), or at the run's start ("FAKE0123...", "DUMMY..."),
// or, five letters or more, at its end. Chance alone gives a five-letter
// word in one case at a given place once in 500 million: with three such
// words, one 1,600-byte private key in 100,000 would be lost if a
// five-letter word stood out anywhere in a run; at seven letters, one in
// 100 million. In a key body (minRandomRun or longer) a word at the start
// needs five letters too, as at the end.
func standsOut(s string, lo, hi, at int, w string) bool {
	occ := s[at : at+len(w)]
	if occ != strings.ToLower(occ) && occ != strings.ToUpper(occ) {
		return false
	}
	switch {
	case len(w) >= 7, strings.Count(s, occ) > 1:
		return true
	case at == lo:
		return len(w) >= 5 || hi-lo < minRandomRun
	case at+len(w) == hi:
		return len(w) >= 5
	}
	return false
}
