package detectors

import (
	"math/rand/v2"
	"testing"
)

func TestAssignedKey(t *testing.T) {
	t.Parallel()
	for before, want := range map[string]string{
		`db_password = "`:                   "db_password",
		`  "client_secret": "`:              "client_secret",
		`API_KEY = r"`:                      "API_KEY",
		`string apiKey = @"`:                "apiKey",
		`config["api_key"] = '`:             "api_key",
		`os.Setenv("API_TOKEN", "`:          "API_TOKEN",
		`<add key="PaymentsApiKey" value="`: "PaymentsApiKey",
		`<password>`:                        "password",
		`--client-secret=`:                  "client-secret",
		`--api-key '`:                       "api-key",
		`-Dspring.datasource.password=`:     "Dspring.datasource.password",
		`ENV API_TOKEN `:                    "API_TOKEN",
		`token ||= "`:                       "token",
		`Authorization: Bearer `:            "Bearer",
	} {
		if got := assignedKey(before); got != want {
			t.Errorf("assignedKey(%q) = %q, want %q", before, got, want)
		}
	}
}

func TestKeyKind(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]secretKeyKind{
		"db_password":           passwordKey,
		"DB_PASS":               passwordKey,
		"keyPassphrase":         passwordKey,
		"mysqlRootPwd":          passwordKey,
		"client_secret":         tokenKey,
		"apiKey":                tokenKey,
		"APIKEY":                tokenKey,
		"GITHUB_PAT":            tokenKey,
		"access-key":            tokenKey,
		"auth_token":            tokenKey,
		"secret_key_base":       tokenKey,
		"password_reset_token":  tokenKey,
		"secretName":            notSecretKey,
		"token_url":             notSecretKey,
		"DB_PASSWORD_FILE":      notSecretKey,
		"apiKeyId":              notSecretKey,
		"password_min_length":   notSecretKey,
		"client_secret_expires": notSecretKey,
		"csrf_token":            notSecretKey,
		"nextPageToken":         notSecretKey,
		"PublicKeyToken":        notSecretKey,
		"cancellationToken":     notSecretKey,
		"Bearer":                unknownKey,
		"key":                   unknownKey,
		"monkey":                unknownKey,
	} {
		if got := keyKind(key); got != want {
			t.Errorf("keyKind(%q) = %d, want %d", key, got, want)
		}
	}
}

func TestGenericValue(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		value           string
		password, token bool // accepted for a password key, for a token key
	}{
		{"Zq8vLm2xR7pT9wK4", true, true},
		{"DeOU2#1z79b7^v!m4l&t#c", true, true},
		{"q4yiwpvxzibkqobcl64lv6d7ki23", true, true},
		{"Lighthouse-Garden-42", true, false}, // a person's password, no token
		{"Correct-Horse-Battery-7", true, false},
		{"expected-token-1", true, false},
		{"123.short", true, false},
		{"aaaaaaaaaaaa", false, false},
		{"abcdefgh12345678", false, false},
		{"qwertyuiop123", false, false},
		{"secret123", false, false},
		{"MyS3cretK3y!", false, false},
		{"test-token-123", false, false},
		{"Y2hhbmdlbWU=", false, false}, // base64 of "changeme"
		{"AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAAbZ5J7Q2xLp7TzR9k", false, false},
		{"${DB_PASSWORD}", false, false},
		{"/run/secrets/db/password", false, false},
		{"123e4567-e89b-12d3-a456-426614174000", false, false},
	} {
		if got := genericValue(c.value, true, true); got != c.password {
			t.Errorf("genericValue(%q, password) = %v, want %v", c.value, got, c.password)
		}
		if got := genericValue(c.value, false, true); got != c.token {
			t.Errorf("genericValue(%q, token) = %v, want %v", c.value, got, c.token)
		}
	}
}

func TestStrongShape(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"!htKCV82HLuCXEnoptuE4I": true,
		"Zq8v-Lm2x!R7pT9wK4":     true,
		"userPassword2":          false, // an identifier with a digit
		"accessTokenV2":          false,
		"cfg.apiKey":             false,
		"getToken()":             false,
		"Zq8vLm2x":               false, // too short to tell from a name
		"zq8vlm2xr7pt9wk4":       false, // two classes
	} {
		if got := strongShape(s); got != want {
			t.Errorf("strongShape(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestRandomValuesPass: the value checks rarely refuse a random value, in
// any alphabet a token or password is drawn from.
func TestRandomValuesPass(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	for _, alphabet := range []string{
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
		"abcdefghijklmnopqrstuvwxyz0123456789",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789#^!&@%*$",
	} {
		for _, n := range []int{12, 16, 24, 40} {
			const tries = 4000
			refused := 0
			for range tries {
				b := make([]byte, n)
				for i := range b {
					b[i] = alphabet[rng.IntN(len(alphabet))]
				}
				// A value that starts with $ or % is a reference ($VAR,
				// %VAR%) in most syntaxes: generated ones start otherwise.
				b[0] = alphabet[rng.IntN(min(62, len(alphabet)))]
				s := string(b)
				if !genericValue(s, false, true) && ShannonEntropy(s) >= 3.0 && !looksIdentifier(s) && !IsPlaceholder(s) {
					refused++
				}
			}
			// At 12 characters 0.5% may read as words; longer, none may.
			limit := tries / 200
			if n >= 24 {
				limit = 0
			}
			if refused > limit {
				t.Errorf("alphabet of %d, length %d: %d of %d random values refused", len(alphabet), n, refused, tries)
			}
		}
	}
}

// looksIdentifier is the part of validGenericSecret a random value can
// fail by chance (letters only, no digit): not what this test measures,
// any more than a random "todo" or "fake" inside one (IsPlaceholder).
func looksIdentifier(s string) bool {
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			return false
		}
	}
	return true
}

// TestCryptHashIsNoPassword: an htpasswd line or a shadow entry holds a
// password's hash, which the password-hash rules report; the generic rules
// must not report it again as the password.
func TestCryptHashIsNoPassword(t *testing.T) {
	t.Parallel()
	for _, v := range []string{
		"testuser:$2y$05$sBsSqk0OpSD1uTZkHXc4FeJ0Z70wLQdAX/82UiHuQOKbNbBrzs63m",
		"$6$rounds=5000$saltsalt$Zq8vLm2xR7pT9wK4Hq7tR2mZ9xLk4WvP8cN3",
		"$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$Zq8vLm2xR7pT9wK4Hq7tR2mZ9xLk4WvP8cN3",
	} {
		if validGenericAssignment(`password := "`, v) {
			t.Errorf("%q taken for a password", v)
		}
	}
	if !validGenericAssignment(`password := "`, "deploy:Rk9mQ2xLp7TzW4v") {
		t.Error("a user:password pair not taken for a password")
	}
}

// TestAppPasswords: sixteen random lowercase letters under a password's
// name are a generated password (Google's app passwords); lowercase words
// and identifiers of that length are not.
func TestAppPasswords(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(11, 12))
	taken := 0
	for range 2000 {
		b := make([]byte, 16)
		for i := range b {
			b[i] = byte('a' + r.IntN(26))
		}
		if validGenericAssignment(`EMAIL_HOST_PASSWORD = "`, string(b)) {
			taken++
		}
	}
	if taken < 1900 {
		t.Errorf("%d of 2000 random 16-letter app passwords taken, want at least 1900", taken)
	}
	t.Logf("%d of 2000 random 16-letter app passwords taken", taken)
	for _, v := range []string{"somefunctionname", "mysecretpassword", "connectionstring", "abcdwxyzqrstmnop", "hashedpasswordco"} {
		if validGenericAssignment(`password = "`, v) {
			t.Errorf("%q taken for a password", v)
		}
	}
}

// TestUnquotedIdentifiers: an unquoted value whose words name a secret is
// an identifier, but a random value whose letters happen to hold a short
// root ("BPwN": pw) is still a password. The accuracy benchmark once lost
// !zXuyJaESUakoBPwN5PXC to that.
func TestUnquotedIdentifiers(t *testing.T) {
	t.Parallel()
	for value, want := range map[string]bool{
		"!zXuyJaESUakoBPwN5PXC": true,
		"Rk9#mQ2xLpat7TzW4v":    true,
		"XXH3_kSecret":          false,
		"cfg2_sessionToken":     false,
	} {
		if got := validUnquotedCodeValue("password=", value); got != want {
			t.Errorf("validUnquotedCodeValue(%q) = %v, want %v", value, got, want)
		}
	}
}
