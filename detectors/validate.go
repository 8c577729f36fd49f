package detectors

import (
	"bytes"
	"crypto/sha256"
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
	"bitcoin-wif":   validBitcoinWIF,
	// A Discord bot token's first part is the bot's user id, a
	// snowflake, in base64.
	"discord-user-id": validDiscordUserID,
}

// checksummed names the validators that check a checksum or signed
// structure: a secret that passes one is no placeholder, whatever words its
// random body happens to spell.
var checksummed = map[string]bool{"github-crc32": true, "npm-crc32": true, "pypi-macaroon": true, "bitcoin-wif": true}

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

// validBitcoinWIF checks a Bitcoin private key in Wallet Import Format:
// the base58 of 0x80, the 32-byte key, 0x01 when its public key is used
// compressed, and the first four bytes of the double SHA-256 of all that.
// A string of the shape passes by chance once in four billion times.
func validBitcoinWIF(secret string) bool {
	b, ok := base58Decode(secret)
	if !ok || len(b) != 37 && len(b) != 38 || b[0] != 0x80 || len(b) == 38 && b[33] != 0x01 {
		return false
	}
	body := b[:len(b)-4]
	return bytes.Equal(doubleSHA256(body)[:4], b[len(b)-4:])
}

// validDiscordUserID checks that a Discord token's first part decodes to
// a user id: 17 to 20 decimal digits.
func validDiscordUserID(secret string) bool {
	part, _, ok := strings.Cut(secret, ".")
	if !ok {
		return false
	}
	id, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(part, "="))
	if err != nil || len(id) < 17 || len(id) > 20 || id[0] == '0' {
		return false
	}
	for _, c := range id {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// BitcoinWIF encodes a private key in Wallet Import Format, the inverse of
// validBitcoinWIF (for tests and the accuracy benchmark).
func BitcoinWIF(key [32]byte, compressed bool) string {
	b := append([]byte{0x80}, key[:]...)
	if compressed {
		b = append(b, 0x01)
	}
	b = append(b, doubleSHA256(b)[:4]...)
	return base58Encode(b)
}

func doubleSHA256(b []byte) []byte {
	h := sha256.Sum256(b)
	h = sha256.Sum256(h[:])
	return h[:]
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// base58Value maps a byte of the base58 alphabet to its value, others to
// 0xff.
var base58Value = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < len(base58Alphabet); i++ {
		t[base58Alphabet[i]] = byte(i)
	}
	return t
}()

// base58Decode decodes Bitcoin's base58: each leading '1' is a zero byte,
// the rest a big-endian number. Meant for short strings (keys, addresses):
// the work grows with the square of the length.
func base58Decode(s string) ([]byte, bool) {
	var n []byte // the number, big-endian
	for i := 0; i < len(s); i++ {
		v := base58Value[s[i]]
		if v == 0xff {
			return nil, false
		}
		carry := int(v)
		for j := len(n) - 1; j >= 0; j-- {
			carry += int(n[j]) * 58
			n[j] = byte(carry)
			carry >>= 8
		}
		for ; carry > 0; carry >>= 8 {
			n = append([]byte{byte(carry)}, n...)
		}
	}
	zeros := len(s) - len(strings.TrimLeft(s, "1"))
	return append(make([]byte, zeros), n...), true
}

// base58Encode is base58Decode's inverse.
func base58Encode(b []byte) string {
	zeros := len(b) - len(bytes.TrimLeft(b, "\x00"))
	var digits []byte // little-endian base-58 digits
	for _, c := range b[zeros:] {
		carry := int(c)
		for j := range digits {
			carry += int(digits[j]) << 8
			digits[j] = byte(carry % 58)
			carry /= 58
		}
		for ; carry > 0; carry /= 58 {
			digits = append(digits, byte(carry%58))
		}
	}
	out := make([]byte, zeros, zeros+len(digits))
	for i := range out {
		out[i] = '1'
	}
	for i := len(digits) - 1; i >= 0; i-- {
		out = append(out, base58Alphabet[digits[i]])
	}
	return string(out)
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
