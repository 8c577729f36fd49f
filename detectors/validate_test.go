package detectors

import (
	"encoding/base64"
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"
)

// macaroon builds a version 2 macaroon: location, identifier, an empty
// caveat section, and a signature of sigLen bytes.
func macaroon(location string, sigLen int) []byte {
	field := func(typ byte, data []byte) []byte {
		out := []byte{typ}
		out = binary.AppendUvarint(out, uint64(len(data)))
		return append(out, data...)
	}
	b := []byte{2}
	b = append(b, field(1, []byte(location))...)
	b = append(b, field(2, []byte("identifier-0123456789abcdef"))...)
	b = append(b, 0, 0)
	b = append(b, field(6, make([]byte, sigLen))...)
	return b
}

func TestPyPIToken(t *testing.T) {
	t.Parallel()
	enc := base64.RawURLEncoding.EncodeToString
	good := "pypi-" + enc(macaroon("pypi.org", 32))
	if good[:20] != "pypi-AgEIcHlwaS5vcmc" {
		t.Fatalf("test macaroon has an unexpected prefix: %s", good[:20])
	}
	if !validPyPIToken(good) {
		t.Errorf("valid token rejected")
	}
	if !validPyPIToken("pypi-" + enc(macaroon("test.pypi.org", 32))) {
		t.Errorf("test.pypi.org token rejected")
	}
	for name, bad := range map[string]string{
		"truncated":      good[:len(good)-10],
		"other location": "pypi-" + enc(macaroon("evil.example", 32)),
		"short sig":      "pypi-" + enc(macaroon("pypi.org", 16)),
		"not base64":     "pypi-AgEIcHlwaS5vcmc!!!!",
	} {
		if validPyPIToken(bad) {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestGitHubChecksum(t *testing.T) {
	t.Parallel()
	body := "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5"
	tok := "ghp_" + body + Base62CRC32(body)
	if !validGitHubToken(tok) {
		t.Errorf("valid token rejected")
	}
	if validGitHubToken("ghp_" + body + "000000") {
		t.Errorf("wrong checksum accepted")
	}
	if validGitHubToken("ghp_short") {
		t.Errorf("short token accepted")
	}
}

func TestJWTAndPEM(t *testing.T) {
	t.Parallel()
	enc := base64.RawURLEncoding.EncodeToString
	jwt := enc([]byte(`{"alg":"HS256"}`)) + "." + enc([]byte(`{"sub":"1"}`)) + ".c2lnbmF0dXJl"
	if !validJWT(jwt) {
		t.Errorf("valid JWT rejected")
	}
	if validJWT(enc([]byte(`{"typ":"x"}`)) + "." + enc([]byte(`{}`)) + ".sig") {
		t.Errorf("JWT without alg accepted")
	}
	body := base64.StdEncoding.EncodeToString(make([]byte, 96))
	if !validPEMBody("-----BEGIN RSA PRIVATE KEY-----\n" + body + "\n-----END RSA PRIVATE KEY-----") {
		t.Errorf("valid PEM rejected")
	}
	if validPEMBody("-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----") {
		t.Errorf("placeholder PEM accepted")
	}
}

func TestBase64JSONToken(t *testing.T) {
	t.Parallel()
	std := base64.StdEncoding.EncodeToString
	url := base64.RawURLEncoding.EncodeToString
	obj := []byte(`{"o":"4077","n":"stack-deploy","k":"vcW4GrGRTgam3msKK7TnqMHM","m":{"r":"prod-us-east-0"}}`)
	for name, good := range map[string]string{
		"grafana padded":   "glc_" + std(obj),
		"sentry with tail": "sntrys_" + url([]byte(`{"iat":1718093321.4,"url":"https://sentry.io","org":"acme"}`)) + "_xSYwFm9nSbpMZBJ2M039Q1NhusAhLWCU7jMZND5j1aO",
	} {
		if !validBase64JSONToken(good) {
			t.Errorf("%s: rejected", name)
		}
	}
	for name, bad := range map[string]string{
		"random after eyJ": "sntrys_eyJXKQMdjxNU9v3WfXpfKbCsUQb14TxCCsXkE8G4Lk3MEsusBM6OOUALxE_KNKTWBHWcmM69",
		"truncated json":   "glc_" + std(obj[:40]),
		"empty object":     "glc_" + std([]byte(`{}`)),
		"json array":       "glc_" + std([]byte(`["a","b"]`)),
		"no prefix":        std(obj),
		"not base64":       "glc_!!!!",
	} {
		if validBase64JSONToken(bad) {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestBitcoinWIF: keys encoded in Wallet Import Format pass, compressed or
// not; a changed character or a base58 string of another shape fails.
// The well-known encodings of the private key 1 pin the format.
func TestBitcoinWIF(t *testing.T) {
	t.Parallel()
	var one [32]byte
	one[31] = 1
	for _, c := range []struct {
		key        [32]byte
		compressed bool
		want       string
	}{
		{one, false, "5HpHagT65TZzG1PH3CSu63k8DbpvD8s5ip4nEB3kEsreAnchuDf"},
		{one, true, "KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn"},
	} {
		got := BitcoinWIF(c.key, c.compressed)
		if got != c.want {
			t.Errorf("BitcoinWIF(1, %v) = %s, want %s", c.compressed, got, c.want)
		}
		if !validBitcoinWIF(got) {
			t.Errorf("validBitcoinWIF(%s) = false", got)
		}
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 200; i++ {
		var key [32]byte
		for j := range key {
			key[j] = byte(rng.IntN(256))
		}
		wif := BitcoinWIF(key, i%2 == 0)
		if !validBitcoinWIF(wif) {
			t.Fatalf("validBitcoinWIF(%s) = false", wif)
		}
		b := []byte(wif)
		k := 1 + rng.IntN(len(b)-1)
		b[k] = base58Alphabet[(strings.IndexByte(base58Alphabet, b[k])+1)%58]
		if validBitcoinWIF(string(b)) {
			t.Fatalf("%s with character %d changed (%s) passes", wif, k, b)
		}
	}
	for _, s := range []string{"", "0OIl", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "5HpHagT65TZzG1PH3CSu63k8DbpvD8s5ip4nEB3kEsreAnchuDg"} {
		if validBitcoinWIF(s) {
			t.Errorf("validBitcoinWIF(%q) = true", s)
		}
	}
}
