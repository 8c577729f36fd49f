package verify

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

// bitbucketSample is an app password with its user name.
func bitbucketSample(*testing.T) finding.Finding {
	f := mkFinding("bitbucket-app-password", "ATBBsafety0123456789abcdefghijklmnop")
	f.Groups = map[string]string{"username": "jodev"}
	return f
}

func TestBitbucket(t *testing.T) {
	t.Parallel()
	basic := func(u, p string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p)) }
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "GET", "/2.0/user")
		switch r.Header.Get("Authorization") {
		case basic("jodev", "ATBBlive"):
			w.Header().Set("X-OAuth-Scopes", "account, repository")
			w.Write([]byte(`{"username":"jodev","display_name":"Jo Dev","account_id":"557058:f1"}`))
		case basic("jodev", "ATBBnarrow"):
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes."}}`))
		case basic("jodev", "ATBBbusy"):
			rateLimited(w)
		default:
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
	for _, tc := range []struct {
		secret, user string
		want         verdict
	}{
		{"ATBBlive", "jodev", verdict{status: finding.Verified, identity: "jodev", scopes: []string{"account", "repository"}, reaches: "Bitbucket user jodev"}},
		{"ATBBnarrow", "jodev", verdict{status: finding.Verified, reaches: "without account read"}},
		{"ATBBrevoked", "jodev", verdict{status: finding.Invalid}},
		{"ATBBlive", "someone-else", verdict{status: finding.Invalid}},
		{"ATBBbusy", "jodev", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		f := mkFinding("bitbucket-app-password", tc.secret)
		f.Groups = map[string]string{"username": tc.user}
		checkVerdict(t, tc.secret+" "+tc.user, verifyFinding(t, bitbucket, p.URL, f), tc.want)
	}
	hits := p.hits.Load()
	checkVerdict(t, "no user", verifyOne(t, bitbucket, p.URL, "bitbucket-app-password", "ATBBlive"), verdict{status: finding.Unknown, reason: "user name"})
	if p.hits.Load() != hits {
		t.Error("an app password was sent without its user")
	}
}

// TestBitbucketCloneURL: the built-in rule reads the user name from a
// clone URL, and the verifier authenticates as that user.
func TestBitbucketCloneURL(t *testing.T) {
	t.Parallel()
	const password = "ATBBk3Xq9TzR2mW7vL5nC8yP4sJ6hF1gD0aE"
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		u, pw, _ := r.BasicAuth()
		if u != "jodev" || pw != password {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`{"username":"jodev"}`))
	})
	fs := detectRule(t, "bitbucket-app-password", "ci.sh", "git clone https://jodev:"+password+"@bitbucket.org/acme/app.git\n")
	if len(fs) != 1 || fs[0].Secret != password || fs[0].Groups["username"] != "jodev" {
		t.Fatalf("findings %+v", fs)
	}
	checkVerdict(t, "clone URL", verifyFinding(t, bitbucket, p.URL, fs[0]), verdict{status: finding.Verified, identity: "jodev"})
	if fs := detectRule(t, "bitbucket-app-password", "app.env", "BITBUCKET_APP_PASSWORD="+password+"\n"); len(fs) != 1 || fs[0].Groups != nil {
		t.Errorf("without a URL: %+v", fs)
	}
}
