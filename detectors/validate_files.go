package detectors

import (
	"encoding/base64"
	"net/url"
	"strings"
	"unicode"
)

// credentialValidators check values taken from credential files and config
// formats, where the field name already says "password" and the question
// is only whether the value is a real one.
var credentialValidators = map[string]Validator{
	"password":    validPasswordValue,
	"docker-auth": validDockerAuth,
	// Google shows an app password as four groups of four letters.
	"app-password": func(s string) bool { return appPassword(strings.ReplaceAll(s, " ", "")) },
}

// namedCheck is what a rule's `validate` name stands for: a check of the
// secret, a check that also sees the match before it, or an extractor that
// finds the secrets of a structure the match points at.
type namedCheck struct {
	value     Validator
	inContext ContextValidator
	extract   Extractor
}

// lookupCheck finds a check by name in every registry.
func lookupCheck(name string) (namedCheck, bool) {
	if v, ok := validators[name]; ok {
		return namedCheck{value: v}, true
	}
	if v, ok := credentialValidators[name]; ok {
		return namedCheck{value: v}, true
	}
	if v, ok := contextValidators[name]; ok {
		return namedCheck{inContext: v}, true
	}
	if x, ok := extractors[name]; ok {
		return namedCheck{extract: x}, true
	}
	return namedCheck{}, false
}

// dummyPasswords are values that stand for a password in docs, samples and
// templates. Compared case-insensitively with the whole value.
var dummyPasswords = map[string]bool{
	"password": true, "passwd": true, "pass": true, "pwd": true, "secret": true,
	"user": true, "username": true, "admin": true, "root": true, "test": true,
	"null": true, "none": true, "nil": true, "true": true, "false": true,
	"empty": true, "string": true, "required": true, "optional": true,
	"pass123": true, "password1": true, "password123": true, "123456": true,
	"12345678": true, "qwerty": true, "mypassword": true, "yourpassword": true,
	"hidden": true, "masked": true, "undefined": true, "mypass": true,
	"opensesame": true, "secretpassword": true, "letmein": true,
	"foobared":   true, // redis.conf's own example
	"changeit":   true, // Java's keystore default
	"notasecret": true, // every Google service account .p12's password
	"android":    true, // Android's debug keystore
	"asdf":       true, "1234": true, "12345": true, "foobar": true,
}

// validPasswordValue accepts any value that is a real password: not empty,
// not a placeholder, not a reference to an environment variable, template
// parameter or secret store, not masked, not a well-known dummy.
func validPasswordValue(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < 4 || IsPlaceholder(s) {
		return false
	}
	if dummyPasswords[strings.ToLower(s)] || dummyPasswords[deLeet(s)] || strings.Contains(deLeet(s), "password") {
		return false
	}
	switch {
	case strings.HasPrefix(s, "$"), strings.HasPrefix(s, "%") && strings.HasSuffix(s, "%"),
		strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"),
		strings.HasPrefix(strings.ToLower(s), "env("), strings.HasPrefix(strings.ToLower(s), "env:"),
		strings.HasPrefix(strings.ToLower(s), "vault:"), strings.HasPrefix(strings.ToLower(s), "secret:"),
		strings.HasPrefix(strings.ToLower(s), "file:"), strings.HasPrefix(s, "/"):
		return false
	}
	if strings.Trim(s, "*•#?") == "" {
		return false // masked
	}
	// A password of punctuation alone (a URL-encoding test's "%20%21%22...")
	// is a test of escaping, not a secret anyone chose.
	plain := s
	if u, err := url.PathUnescape(s); err == nil {
		plain = u
	}
	return strings.ContainsFunc(plain, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}

// deLeet folds the ways docs disguise a dummy password (p@ssw0rd,
// pa%2Fssword, My%20Pass, passwo^rd) into plain lowercase letters.
func deLeet(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		s = u
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case '@', '4':
			b.WriteByte('a')
		case '0':
			b.WriteByte('o')
		case '1', '!':
			b.WriteByte('i')
		case '3':
			b.WriteByte('e')
		case '$', '5':
			b.WriteByte('s')
		default:
			if 'a' <= r && r <= 'z' {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// validDockerAuth checks a Docker config "auth" value: base64 of
// user:password with a real password.
func validDockerAuth(s string) bool {
	dec, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if dec, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err != nil {
			return false
		}
	}
	user, pass, ok := strings.Cut(string(dec), ":")
	return ok && user != "" && validPasswordValue(pass)
}
