package verify

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/finding"
)

// gcpTestKeys are RSA keys made once per test binary (key generation is
// slow under -race); they are synthetic, never a real account's. A key
// whose base64 happens to spell a placeholder word ("fake", "todo") is
// passed over: the engine drops such a secret (see detectors.IsPlaceholder),
// which would make the end-to-end test fail one run in a few dozen.
var gcpTestKeys = sync.OnceValue(func() [2]*rsa.PrivateKey {
	var out [2]*rsa.PrivateKey
	for i := range out {
		for {
			k, err := rsa.GenerateKey(rand.Reader, 1024)
			if err != nil {
				panic(err)
			}
			der, err := x509.MarshalPKCS8PrivateKey(k)
			if err != nil {
				panic(err)
			}
			if !detectors.IsPlaceholder(base64.StdEncoding.EncodeToString(der)) {
				out[i] = k
				break
			}
		}
	}
	return out
})

// gcpKeyString is a key as a JSON key file holds it: PKCS#8 PEM with its
// newlines escaped.
func gcpKeyString(t *testing.T, k *rsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "\n", `\n`)
}

// gcpSample is a finding the GCP verifier acts on: a parseable key and
// its client_email.
func gcpSample(t *testing.T) finding.Finding {
	f := mkFinding("gcp-service-account-key", gcpKeyString(t, gcpTestKeys()[0]))
	f.Groups = map[string]string{"client_email": "deploy@acme-prod.iam.gserviceaccount.com"}
	return f
}

// gcpTokenEndpoint is a fake of Google's token endpoint: it checks the
// assertion's signature against the public keys of the accounts it knows
// and its claims, and answers as Google does.
func gcpTokenEndpoint(t *testing.T, accounts map[string]*rsa.PublicKey) *provider {
	return newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "POST", "/token")
		if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
			t.Errorf("form %v %v", r.Form, err)
		}
		reply := func(status int, body string) {
			w.WriteHeader(status)
			w.Write([]byte(body))
		}
		parts := strings.Split(r.Form.Get("assertion"), ".")
		if len(parts) != 3 {
			reply(400, `{"error":"invalid_request","error_description":"Invalid JWT"}`)
			return
		}
		var claims struct {
			Iss, Scope, Aud string
			Iat, Exp        int64
		}
		raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
		json.Unmarshal(raw, &claims)
		if claims.Aud != "https://oauth2.googleapis.com/token" || claims.Scope == "" || claims.Exp <= time.Now().Unix() || claims.Exp-claims.Iat > 3600 {
			t.Errorf("claims %+v", claims)
		}
		if claims.Iss == "busy@acme-prod.iam.gserviceaccount.com" {
			rateLimited(w)
			return
		}
		pub, ok := accounts[claims.Iss]
		if !ok {
			reply(400, `{"error":"invalid_grant","error_description":"Invalid grant: account not found"}`)
			return
		}
		sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
		sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
			reply(400, `{"error":"invalid_grant","error_description":"Invalid JWT Signature."}`)
			return
		}
		w.Write([]byte(`{"access_token":"ya29.synthetic","expires_in":3599,"token_type":"Bearer"}`))
	})
}

func TestGCPServiceAccount(t *testing.T) {
	t.Parallel()
	keys := gcpTestKeys()
	p := gcpTokenEndpoint(t, map[string]*rsa.PublicKey{"deploy@acme-prod.iam.gserviceaccount.com": &keys[0].PublicKey})
	live, deleted := gcpKeyString(t, keys[0]), gcpKeyString(t, keys[1])
	// A PKCS#1 key (BEGIN RSA PRIVATE KEY) is read too.
	pkcs1 := strings.ReplaceAll(string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(keys[0])})), "\n", `\n`)
	for _, tc := range []struct {
		name, key string
		groups    map[string]string
		want      verdict
	}{
		{"live", live, map[string]string{"client_email": "deploy@acme-prod.iam.gserviceaccount.com"},
			verdict{status: finding.Verified, identity: "deploy@acme-prod.iam.gserviceaccount.com", reaches: "Google Cloud project acme-prod"}},
		{"email before the key", pkcs1, map[string]string{"client_email_before": "deploy@acme-prod.iam.gserviceaccount.com"},
			verdict{status: finding.Verified, identity: "deploy@acme-prod.iam.gserviceaccount.com"}},
		{"deleted key", deleted, map[string]string{"client_email": "deploy@acme-prod.iam.gserviceaccount.com"},
			verdict{status: finding.Invalid, reason: "deleted or disabled"}},
		{"deleted account", live, map[string]string{"client_email": "gone@acme-prod.iam.gserviceaccount.com"},
			verdict{status: finding.Invalid, reason: "no longer exists"}},
		{"rate limited", live, map[string]string{"client_email": "busy@acme-prod.iam.gserviceaccount.com"},
			verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		f := mkFinding("gcp-service-account-key", tc.key)
		f.Groups = tc.groups
		checkVerdict(t, tc.name, verifyFinding(t, gcpServiceAccount, p.URL, f), tc.want)
	}
	hits := p.hits.Load()
	for _, tc := range []struct {
		name, key string
		groups    map[string]string
		reason    string
	}{
		{"no email", live, nil, "client_email was not found"},
		{"not a service account", live, map[string]string{"client_email": "someone@example.com"}, "not a service account"},
		{"not a key", `-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n`, map[string]string{"client_email": "deploy@acme-prod.iam.gserviceaccount.com"}, "does not parse"},
	} {
		f := mkFinding("gcp-service-account-key", tc.key)
		f.Groups = tc.groups
		checkVerdict(t, tc.name, verifyFinding(t, gcpServiceAccount, p.URL, f), verdict{status: finding.Unknown, reason: tc.reason})
	}
	if p.hits.Load() != hits {
		t.Error("a request was made without a usable key and email")
	}
}

// TestGCPKeyFileEndToEnd: the built-in rule finds the key in a key file
// as Google writes it and as a key-sorting tool rewrites it, with the
// client_email beside it, and the verifier signs for that account.
func TestGCPKeyFileEndToEnd(t *testing.T) {
	t.Parallel()
	key := gcpTestKeys()[0]
	const email = "deploy@acme-prod.iam.gserviceaccount.com"
	p := gcpTokenEndpoint(t, map[string]*rsa.PublicKey{email: &key.PublicKey})
	pemKey := gcpKeyString(t, key)
	files := map[string]string{
		"as Google writes it": `{
  "type": "service_account",
  "project_id": "acme-prod",
  "private_key_id": "5f0c8e2a9b7d4c1e3f6a8b0d2c4e6f8a1b3d5c7e",
  "private_key": "` + pemKey + `",
  "client_email": "` + email + `",
  "client_id": "104857392018473625190",
  "token_uri": "https://evil.example/token"
}`,
		"keys sorted": `{"auth_uri":"https://accounts.google.com/o/oauth2/auth","client_email":"` + email + `","client_id":"104857392018473625190","client_x509_cert_url":"https://www.googleapis.com/robot/v1/metadata/x509/deploy","private_key":"` + pemKey + `","private_key_id":"5f0c","project_id":"acme-prod","token_uri":"https://evil.example/token","type":"service_account"}`,
	}
	for name, content := range files {
		fs := detectRule(t, "gcp-service-account-key", "sa.json", content)
		if len(fs) != 1 {
			t.Errorf("%s: the rule found %d keys, want 1", name, len(fs))
			continue
		}
		found := &fs[0]
		if !strings.HasPrefix(found.Secret, "-----BEGIN PRIVATE KEY-----") {
			t.Errorf("%s: secret %.40q is not the key", name, found.Secret)
		}
		got := verifyFinding(t, gcpServiceAccount, p.URL, *found)
		checkVerdict(t, name, got, verdict{status: finding.Verified, identity: email})
	}
}
