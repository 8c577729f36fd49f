package detectors

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"strings"
)

// Validator is a check a secret must pass that a regex can't express: a
// checksum or an inner structure. Rules name one with `validate = "..."`.
type Validator func(secret string) bool

// validators is the registry rules pick from by name.
var validators = map[string]Validator{
	"github-crc32":  validGitHubToken,
	"npm-crc32":     validGitHubToken, // npm adopted GitHub's token format
	"jwt":           validJWT,
	"pem":           validPEMBody,
	"pypi-macaroon": validPyPIToken,
	"base64-json":   validBase64JSONToken,
}

// checksummed names the validators that check a checksum or signed
// structure: a secret that passes one is no placeholder, whatever words its
// random body happens to spell.
var checksummed = map[string]bool{"github-crc32": true, "npm-crc32": true, "pypi-macaroon": true}

// Validators lists the names rules may use in `validate`.
func Validators() []string {
	var names []string
	for n := range validators {
		names = append(names, n)
	}
	for n := range credentialValidators {
		names = append(names, n)
	}
	for n := range contextValidators {
		names = append(names, n)
	}
	for n := range extractors {
		names = append(names, n)
	}
	return names
}

const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Base62CRC32 encodes the CRC-32 of s as six base62 digits, as GitHub and
// npm append to their tokens.
func Base62CRC32(s string) string {
	n := crc32.ChecksumIEEE([]byte(s))
	var b [6]byte
	for i := 5; i >= 0; i-- {
		b[i] = base62Alphabet[n%62]
		n /= 62
	}
	return string(b[:])
}

// validGitHubToken checks the checksum of a prefixed token such as
// ghp_<30 random><6 checksum> or npm_<30><6>: the last six characters are
// the base62 CRC-32 of the random part between the prefix and them.
func validGitHubToken(secret string) bool {
	i := strings.LastIndexByte(secret, '_')
	if i < 0 {
		return false
	}
	body := secret[i+1:]
	if len(body) < 7 {
		return false
	}
	return Base62CRC32(body[:len(body)-6]) == body[len(body)-6:]
}

// validJWT checks that a token has a base64url JSON header naming an alg
// and a base64url JSON payload.
func validJWT(secret string) bool {
	parts := strings.Split(secret, ".")
	if len(parts) != 3 {
		return false
	}
	var header map[string]any
	if !decodeJSONPart(parts[0], &header) {
		return false
	}
	if _, ok := header["alg"]; !ok {
		return false
	}
	var payload any
	return decodeJSONPart(parts[1], &payload)
}

func decodeJSONPart(s string, v any) bool {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return false
	}
	return json.Unmarshal(b, v) == nil
}

// validPEMBody checks that a private key block's body is real base64 of a
// plausible length, so documentation like "-----BEGIN RSA PRIVATE KEY-----
// ... -----END RSA PRIVATE KEY-----" doesn't fire. A block written on one
// line with its line breaks escaped (a .env value, a JSON or YAML string,
// a string inside a JSON string) is read as the block it stands for.
func validPEMBody(secret string) bool {
	secret = unescapePEM(secret)
	start := strings.Index(secret, "-----\n")
	if start < 0 {
		start = strings.Index(secret, "-----\r\n")
	}
	end := strings.LastIndex(secret, "-----END")
	if start < 0 || end < 0 || end <= start {
		return false
	}
	var body strings.Builder
	for _, line := range strings.Split(secret[start+5:end], "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.Contains(line, ":") { // Proc-Type/DEK-Info headers
			continue
		}
		body.WriteString(line)
	}
	b := body.String()
	if len(b) < 64 {
		return false
	}
	if _, err := base64.StdEncoding.DecodeString(b); err != nil {
		// OpenSSH keys and some tools omit padding.
		if _, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(b, "=")); err != nil {
			return false
		}
	}
	return true
}

// pemEscapes turns the escapes a PEM block gets inside a string back into
// what they stand for: line breaks, escaped once or twice (the key in a
// JSON string inside another), and JSON's optional "\/".
var pemEscapes = strings.NewReplacer(`\\r\\n`, "\n", `\\n`, "\n", `\r\n`, "\n", `\n`, "\n", `\\/`, "/", `\/`, "/")

// unescapePEM undoes the escapes of a block written on one line; a block
// laid out on lines is left as it is.
func unescapePEM(s string) string {
	if strings.Contains(s, "-----\n") || strings.Contains(s, "-----\r\n") || !strings.Contains(s, `\n`) {
		return s
	}
	return pemEscapes.Replace(s)
}

// validPyPIToken checks a PyPI API token: "pypi-" and a base64url macaroon
// (format version 2) whose location is pypi.org or test.pypi.org and that
// carries an identifier and a 32-byte signature, so a truncated or edited
// token doesn't pass.
func validPyPIToken(secret string) bool {
	body, ok := strings.CutPrefix(secret, "pypi-")
	if !ok {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(body, "="))
	if err != nil || len(b) < 3 || b[0] != 2 {
		return false
	}
	// Version 2 macaroons are fields of (type byte, varint length, data);
	// type 0 ends a section. The first section holds location (1) and
	// identifier (2); the signature (6) comes last.
	var location, identifier bool
	var sig int
	for i := 1; i < len(b); {
		typ := b[i]
		i++
		if typ == 0 {
			continue
		}
		n, w := binary.Uvarint(b[i:])
		if w <= 0 || i+w+int(n) > len(b) {
			return false
		}
		data := b[i+w : i+w+int(n)]
		i += w + int(n)
		switch typ {
		case 1:
			location = location || string(data) == "pypi.org" || string(data) == "test.pypi.org"
		case 2:
			identifier = len(data) > 0
		case 6:
			sig = len(data)
		}
	}
	return location && identifier && sig == 32
}

// validBase64JSONToken checks a token of the form prefix_<base64 JSON
// object>[_<random>], as Grafana Cloud (glc_) and Sentry organization
// tokens (sntrys_) are built: the part after the prefix must decode, in any
// base64 alphabet with or without padding, to a non-empty JSON object. A
// random string that merely starts like one ("eyJ...") doesn't pass.
func validBase64JSONToken(secret string) bool {
	_, body, ok := strings.Cut(secret, "_")
	if !ok {
		return false
	}
	body, _, _ = strings.Cut(body, "_")
	body = strings.TrimRight(body, "=")
	var b []byte
	var err error
	if strings.ContainsAny(body, "-") {
		b, err = base64.RawURLEncoding.DecodeString(body)
	} else {
		b, err = base64.RawStdEncoding.DecodeString(body)
	}
	if err != nil {
		return false
	}
	var obj map[string]any
	return json.Unmarshal(b, &obj) == nil && len(obj) > 0
}
