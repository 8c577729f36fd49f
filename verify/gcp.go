package verify

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/leakhound/leakhound/finding"
)

// gcpTokenURL is the audience of the assertion: Google's fixed token
// endpoint, never the token_uri a key file names (a file could name any
// host).
const gcpTokenURL = "https://oauth2.googleapis.com/token"

// gcpScope is asked for because some scope must be; read-only says what
// the check is for. The access token Google returns is not used.
const gcpScope = "https://www.googleapis.com/auth/cloud-platform.read-only"

// GCP service account keys: the key signs a JWT-bearer assertion for its
// client_email (the rule's named group) and Google's token endpoint
// exchanges it for an access token only while the key and the account
// exist and are enabled. It answers invalid_grant "Invalid JWT Signature"
// for a deleted or disabled key and "account not found" for a deleted
// account.
var gcpServiceAccount = &Verifier{
	Provider: "gcp",
	Rules:    []string{"gcp-service-account-key"},
	Endpoint: "https://oauth2.googleapis.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		email := req.Groups["client_email"]
		if email == "" {
			email = req.Groups["client_email_before"]
		}
		if email == "" {
			return unknown("the key file's client_email was not found next to the key")
		}
		if !gcpServiceAccountEmail().MatchString(email) {
			return unknown("client_email %q is not a service account", email)
		}
		key, err := gcpPrivateKey(req.Secret)
		if err != nil {
			return unknown("%v", err)
		}
		assertion, err := gcpAssertion(key, email, time.Now())
		if err != nil {
			return unknown("sign the assertion: %v", err)
		}
		form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {assertion}}
		h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
		resp, err := call.Do(ctx, http.MethodPost, "/token", h, []byte(form.Encode()))
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusBadRequest || resp.Status == http.StatusUnauthorized {
			var e struct {
				Error       string `json:"error"`
				Description string `json:"error_description"`
			}
			decodeJSON(resp, &e)
			desc := strings.ToLower(e.Description)
			switch {
			case e.Error == "invalid_grant" && strings.Contains(desc, "signature"):
				return invalid("Google: the key is deleted or disabled (%s)", e.Description)
			case e.Error == "invalid_grant" && strings.Contains(desc, "account not found"):
				return invalid("Google: the service account no longer exists")
			case e.Error == "invalid_client" || e.Error == "disabled_client" || e.Error == "unauthorized_client":
				return invalid("Google: %s", lowerOr(e.Description, e.Error))
			}
			return unknown("Google: %s %s", lowerOr(e.Error, "HTTP error"), e.Description)
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return v
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := decodeJSON(resp, &tok); err != nil || tok.AccessToken == "" {
			return unknown("answer is not the JSON expected (HTTP %d)", resp.Status)
		}
		v.Identity = email
		v.Reaches = "Google Cloud as service account " + email + ", with the roles it holds"
		if project := gcpProject(email); project != "" {
			v.Reaches = "Google Cloud project " + project + " as " + email + ", with the roles it holds"
		}
		return v
	},
}

var gcpServiceAccountEmail = lazyRegexp(`^[A-Za-z0-9._-]{1,100}@[a-z0-9.-]{1,100}\.gserviceaccount\.com$`)

// gcpProject reads the project from name@PROJECT.iam.gserviceaccount.com.
func gcpProject(email string) string {
	_, domain, _ := strings.Cut(email, "@")
	project, ok := strings.CutSuffix(domain, ".iam.gserviceaccount.com")
	if !ok {
		return ""
	}
	return project
}

// gcpPrivateKey reads the PEM key as it sits in a JSON key file, with its
// newlines escaped.
func gcpPrivateKey(s string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(strings.ReplaceAll(s, `\n`, "\n")))
	if block == nil {
		return nil, errors.New("the private key is not PEM")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, errors.New("the private key does not parse")
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("the private key is not RSA")
	}
	return rk, nil
}

// gcpAssertion signs a short-lived JWT-bearer assertion (RS256).
func gcpAssertion(key *rsa.PrivateKey, email string, now time.Time) (string, error) {
	enc := base64.RawURLEncoding
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT"})
	claims, _ := json.Marshal(map[string]any{
		"iss":   email,
		"scope": gcpScope,
		"aud":   gcpTokenURL,
		"iat":   now.Add(-time.Minute).Unix(), // a little clock skew either way
		"exp":   now.Add(10 * time.Minute).Unix(),
	})
	unsigned := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(unsigned))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return unsigned + "." + enc.EncodeToString(sig), nil
}
