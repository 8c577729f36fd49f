package verify

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/leakhound/leakhound/finding"
)

func readFile(path string) (string, error) {
	b, err := readAll(path)
	return string(b), err
}

func TestGitHub(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "GET" || r.URL.Path != "/user" {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		switch r.Header.Get("Authorization") {
		case "token ghp_live":
			w.Header().Set("X-OAuth-Scopes", "repo, workflow")
			w.Header().Set("GitHub-Authentication-Token-Expiration", "2030-01-02 03:04:05 UTC")
			w.Write([]byte(`{"login":"octocat","type":"User"}`))
		default:
			w.WriteHeader(401)
			w.Write([]byte(`{"message":"Bad credentials"}`))
		}
	})
	got := verifyOne(t, gitHub, p.URL, "github-pat", "ghp_live")
	want := finding.Verification{Status: finding.Verified, Identity: "octocat", Scopes: []string{"repo", "workflow"},
		Expires: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), Reaches: "GitHub user octocat"}
	if !equalVerification(got, want) {
		t.Errorf("live: %+v\nwant %+v", got, want)
	}
	if got := verifyOne(t, gitHub, p.URL, "github-pat", "ghp_revoked"); got.Status != finding.Invalid {
		t.Errorf("revoked: %+v", got)
	}
}

func TestGitLab(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("PRIVATE-TOKEN") != "glpat-live" {
			w.WriteHeader(401)
			return
		}
		switch r.URL.Path {
		case "/api/v4/personal_access_tokens/self":
			w.Write([]byte(`{"name":"ci","scopes":["api","read_repository"],"expires_at":"2031-05-06","revoked":false,"active":true,"user_id":42}`))
		case "/api/v4/user":
			w.Write([]byte(`{"username":"alice"}`))
		default:
			t.Errorf("path %s", r.URL.Path)
		}
	})
	got := verifyOne(t, gitLab, p.URL, "gitlab-pat", "glpat-live")
	if got.Status != finding.Verified || got.Identity != "alice" || strings.Join(got.Scopes, ",") != "api,read_repository" ||
		!got.Expires.Equal(time.Date(2031, 5, 6, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("live: %+v", got)
	}
	if got := verifyOne(t, gitLab, p.URL, "gitlab-pat", "glpat-dead"); got.Status != finding.Invalid {
		t.Errorf("dead: %+v", got)
	}
}

func TestSlack(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.URL.Path != "/api/auth.test" {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		switch r.Header.Get("Authorization") {
		case "Bearer xoxb-live":
			w.Header().Set("X-OAuth-Scopes", "chat:write,channels:read")
			w.Write([]byte(`{"ok":true,"url":"https://acme.slack.com/","team":"Acme","user":"deploybot","team_id":"T1"}`))
		case "Bearer xoxb-revoked":
			w.Write([]byte(`{"ok":false,"error":"token_revoked"}`))
		default:
			w.Write([]byte(`{"ok":false,"error":"fatal_error"}`))
		}
	})
	if got := verifyOne(t, slack, p.URL, "slack-bot-token", "xoxb-live"); got.Status != finding.Verified || got.Identity != "deploybot" ||
		!strings.Contains(got.Reaches, "Acme") || len(got.Scopes) != 2 {
		t.Errorf("live: %+v", got)
	}
	if got := verifyOne(t, slack, p.URL, "slack-bot-token", "xoxb-revoked"); got.Status != finding.Invalid {
		t.Errorf("revoked: %+v", got)
	}
	if got := verifyOne(t, slack, p.URL, "slack-bot-token", "xoxb-other"); got.Status != finding.Unknown {
		t.Errorf("fatal_error: %+v", got)
	}
}

func TestStripe(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/balance" {
			t.Errorf("path %s", r.URL.Path)
		}
		switch r.Header.Get("Authorization") {
		case "Bearer sk_live_good":
			w.Write([]byte(`{"object":"balance","livemode":true}`))
		case "Bearer rk_live_narrow":
			w.WriteHeader(403)
			w.Write([]byte(`{"error":{"type":"invalid_request_error","code":"secret_key_required"}}`))
		default:
			w.WriteHeader(401)
		}
	})
	if got := verifyOne(t, stripe, p.URL, "stripe-live-secret-key", "sk_live_good"); got.Status != finding.Verified || !strings.Contains(got.Reaches, "live mode") {
		t.Errorf("live: %+v", got)
	}
	if got := verifyOne(t, stripe, p.URL, "stripe-live-secret-key", "rk_live_narrow"); got.Status != finding.Verified {
		t.Errorf("restricted: %+v", got)
	}
	if got := verifyOne(t, stripe, p.URL, "stripe-live-secret-key", "sk_live_bad"); got.Status != finding.Invalid {
		t.Errorf("bad: %+v", got)
	}
}

// TestAWS checks the signed request as AWS would: the server recomputes
// the signature from the secret it knows for the key id.
func TestAWS(t *testing.T) {
	t.Parallel()
	const id, secret = "AKIAIOSFODNN7EXAMPLF", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY"
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != "POST" || string(body) != stsBody {
			t.Errorf("request %s %q", r.Method, body)
		}
		auth := r.Header.Get("Authorization")
		if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+id+"/") {
			w.WriteHeader(403)
			w.Write([]byte(`<ErrorResponse><Error><Code>InvalidClientTokenId</Code></Error></ErrorResponse>`))
			return
		}
		when, _ := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
		h := http.Header{"Content-Type": r.Header["Content-Type"]}
		signV4(h, r.Method, r.Host, r.URL.Path, r.URL.RawQuery, body, id, secret, "us-east-1", "sts", when)
		if h.Get("Authorization") != auth {
			w.WriteHeader(403)
			w.Write([]byte(`<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code></Error></ErrorResponse>`))
			return
		}
		w.Write([]byte(`<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/deploy</Arn><UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`))
	})
	got := verifyOne(t, aws, p.URL, "aws-secret-access-key", secret, mkFinding("aws-access-key-id", id))
	if got.Status != finding.Verified || got.Identity != "arn:aws:iam::123456789012:user/deploy" || !strings.Contains(got.Reaches, "123456789012") {
		t.Errorf("live pair: %+v", got)
	}
	if got := verifyOne(t, aws, p.URL, "aws-access-key-id", id, mkFinding("aws-secret-access-key", secret)); got.Status != finding.Verified {
		t.Errorf("id with its secret: %+v", got)
	}
	if got := verifyOne(t, aws, p.URL, "aws-secret-access-key", "wrongwrongwrongwrongwrongwrongwrongwrong", mkFinding("aws-access-key-id", id)); got.Status != finding.Invalid {
		t.Errorf("wrong secret: %+v", got)
	}
	if got := verifyOne(t, aws, p.URL, "aws-secret-access-key", secret); got.Status != finding.Unknown {
		t.Errorf("no id: %+v", got)
	}
}

// TestSigV4Vector checks the signer against the example in AWS's
// Signature Version 4 documentation (IAM ListUsers, 2015-08-30).
func TestSigV4Vector(t *testing.T) {
	t.Parallel()
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}
	when := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	signV4(h, "GET", "iam.amazonaws.com", "/", "Action=ListUsers&Version=2010-05-08", nil,
		"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "iam", when)
	const want = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
	if got := h.Get("Authorization"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func equalVerification(a, b finding.Verification) bool {
	return a.Status == b.Status && a.Identity == b.Identity && strings.Join(a.Scopes, ",") == strings.Join(b.Scopes, ",") &&
		a.Expires.Equal(b.Expires) && a.Reaches == b.Reaches && a.Reason == b.Reason
}

func readAll(path string) ([]byte, error) { return os.ReadFile(path) }
