package verify

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/finding"
)

// Alphabets of synthetic secrets (detectortest.Random draws them).
const (
	alphaB62    = detectortest.Base62
	alphaHex    = detectortest.HexLower
	alphaLower  = detectortest.Lower
	alphaDigits = detectortest.Digits
)

// synth is a synthetic secret body, random at every run.
func synth(alphabet string, n int) string { return detectortest.Random(alphabet, n) }

// writeAnswer writes a provider's answer: a JSON body with the status and the
// headers given as name, value pairs.
func writeAnswer(w http.ResponseWriter, status int, body string, headers ...string) {
	w.Header().Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		w.Header().Set(headers[i], headers[i+1])
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// expectCall reports (as a test error) a request that is not method
// and path; a want with a query is compared with the query too.
func expectCall(t *testing.T, r *http.Request, method, want string) {
	t.Helper()
	got := r.URL.Path
	if strings.Contains(want, "?") {
		got = r.URL.RequestURI()
	}
	if r.Method != method || got != want {
		t.Errorf("request %s %s, want %s %s", r.Method, got, method, want)
	}
}

// providerCase is one credential shown to a verifier and what the
// verifier must conclude from the fake provider's answer.
type providerCase struct {
	name   string
	rule   string
	secret string
	others []finding.Finding // other findings in the same file (parts)
	groups map[string]string
	// want: Status, Identity, Scopes, Expires and Reaches must be equal;
	// Reason must hold want.Reason (and be empty when verified).
	want finding.Verification
}

// runProviderCases verifies each case's finding against endpoint.
func runProviderCases(t *testing.T, v *Verifier, endpoint string, cases []providerCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := mkFinding(c.rule, c.secret)
			f.Groups = c.groups
			fs := append([]finding.Finding{f}, c.others...)
			if _, err := Run(context.Background(), fs, Options{
				Verifiers:      []*Verifier{v},
				Endpoints:      map[string]string{v.Provider: endpoint},
				RequestTimeout: 2 * time.Second,
				Timeout:        10 * time.Second,
			}); err != nil {
				t.Fatal(err)
			}
			got, want := fs[0].Verification, c.want
			if got.Status != want.Status || got.Identity != want.Identity || got.Reaches != want.Reaches ||
				strings.Join(got.Scopes, ",") != strings.Join(want.Scopes, ",") || !got.Expires.Equal(want.Expires) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			if !strings.Contains(got.Reason, want.Reason) || (want.Status == finding.Verified && got.Reason != "") {
				t.Errorf("reason %q, want one holding %q", got.Reason, want.Reason)
			}
			if strings.Contains(got.Reason, c.secret) {
				t.Errorf("reason carries the secret: %q", got.Reason)
			}
		})
	}
}

func liveAs(identity, reaches string, scopes ...string) finding.Verification {
	return finding.Verification{Status: finding.Verified, Identity: identity, Reaches: reaches, Scopes: scopes}
}

func invalidBecause(reason string) finding.Verification {
	return finding.Verification{Status: finding.Invalid, Reason: reason}
}

func unknownBecause(reason string) finding.Verification {
	return finding.Verification{Status: finding.Unknown, Reason: reason}
}

func TestProviderMessage(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"message":"Bad credentials"}`:                                      "Bad credentials",
		`{"error":"invalid_token"}`:                                          "invalid_token",
		`{"error":{"message":"Incorrect API key","type":"invalid_request"}}`: "Incorrect API key",
		`{"error":{".tag":"expired_access_token"}}`:                          "expired_access_token",
		`{"errors":[{"code":"UNAUTHORIZED","detail":"revoked"}]}`:            "revoked",
		`{"errors":[{"code":20003}]}`:                                        "20003",
		`{"title":"API Key Invalid","status":401}`:                           "API Key Invalid",
		`{"errors":"[API] Invalid API key or access token"}`:                 "[API] Invalid API key or access token",
		`{"ErrorMessage":"API key authentication failure"}`:                  "API key authentication failure",
		`not json`: "",
		`{"message":"` + strings.Repeat("x", 300) + `"}`: strings.Repeat("x", maxMessage) + "...",
	} {
		if got := providerMessage(&Response{Status: 401, Body: []byte(body)}); got != want {
			t.Errorf("%s: got %q, want %q", body, got, want)
		}
	}
}
