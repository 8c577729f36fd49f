package verify

import (
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestNPM(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "GET", "/-/whoami")
		switch r.Header.Get("Authorization") {
		case "Bearer npm_live":
			w.Write([]byte(`{"username":"octo-publisher"}`))
		case "Bearer npm_limited":
			rateLimited(w)
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"Unauthorized"}`))
		}
	})
	for _, tc := range []struct {
		secret string
		want   verdict
	}{
		{"npm_live", verdict{status: finding.Verified, identity: "octo-publisher", reaches: "npm account octo-publisher"}},
		{"npm_revoked", verdict{status: finding.Invalid, reason: "401"}},
		{"npm_limited", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		checkVerdict(t, tc.secret, verifyOne(t, npm, p.URL, "npm-access-token", tc.secret), tc.want)
	}
}

// TestNPMRC: an .npmrc token is sent to npmjs.org only when its line is
// for registry.npmjs.org and sets _authToken.
func TestNPMRC(t *testing.T) {
	t.Parallel()
	const legacy = "0f9c2b7e-51d4-4c8a-9a3e-7b6d2e1f4a5c"
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "GET", "/-/whoami")
		if r.Header.Get("Authorization") != "Bearer "+legacy {
			t.Errorf("sent %q", r.Header.Get("Authorization"))
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`{"username":"legacy-user"}`))
	})
	for _, tc := range []struct {
		line string
		want verdict
	}{
		{"//registry.npmjs.org/:_authToken=" + legacy, verdict{status: finding.Verified, identity: "legacy-user"}},
		{"//npm.corp.example/:_authToken=" + legacy, verdict{status: finding.Unknown, reason: `registry "npm.corp.example"`}},
		{"//registry.npmjs.org/:_password=UGFzc3dvcmQtUjdxOQ==", verdict{status: finding.Unknown, reason: "sets password"}},
		{"_authToken=" + legacy, verdict{status: finding.Unknown, reason: "(none)"}},
	} {
		fs := detectRule(t, "npmrc-auth", ".npmrc", tc.line+"\n")
		if len(fs) != 1 {
			t.Errorf("%s: %d findings", tc.line, len(fs))
			continue
		}
		checkVerdict(t, tc.line, verifyFinding(t, npm, p.URL, fs[0]), tc.want)
	}
	if p.hits.Load() != 1 {
		t.Errorf("npmjs.org asked %d times, want once", p.hits.Load())
	}
}
