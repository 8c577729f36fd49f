package verify

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

// dockerHubSample is a token with its user name.
func dockerHubSample(*testing.T) finding.Finding {
	f := mkFinding("dockerhub-token", "dckr_pat_safety0123456789abcdefghij")
	f.Groups = map[string]string{"username": "acmebot"}
	return f
}

func TestDockerHub(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		expectRequest(t, r, "POST", "/v2/auth/token")
		var in struct{ Identifier, Secret string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			t.Errorf("body: %v", err)
		}
		switch {
		case in.Secret == "dckr_pat_busy":
			rateLimited(w)
		case in.Identifier == "acmebot" && in.Secret == "dckr_pat_live":
			w.Write([]byte(`{"access_token":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}`))
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"detail":"Incorrect authentication credentials","message":"Incorrect authentication credentials"}`))
		}
	})
	for _, tc := range []struct {
		secret, user string
		want         verdict
	}{
		{"dckr_pat_live", "acmebot", verdict{status: finding.Verified, identity: "acmebot", reaches: "Docker Hub account acmebot"}},
		{"dckr_pat_live", "someone", verdict{status: finding.Invalid}},
		{"dckr_pat_revoked", "acmebot", verdict{status: finding.Invalid}},
		{"dckr_pat_busy", "acmebot", verdict{status: finding.Unknown, reason: "rate limited"}},
	} {
		f := mkFinding("dockerhub-token", tc.secret)
		f.Groups = map[string]string{"username": tc.user}
		checkVerdict(t, tc.secret+" "+tc.user, verifyFinding(t, dockerHub, p.URL, f), tc.want)
	}
	hits := p.hits.Load()
	checkVerdict(t, "no name", verifyOne(t, dockerHub, p.URL, "dockerhub-token", "dckr_pat_live"), verdict{status: finding.Unknown, reason: "name"})
	if p.hits.Load() != hits {
		t.Error("a token was sent without its name")
	}
}

// TestDockerLoginLine: the built-in rule reads the name from a docker
// login line.
func TestDockerLoginLine(t *testing.T) {
	t.Parallel()
	const token = "dckr_pat_Q8vT2mX5kR9wL3nC7yP4sJ6hF1g"
	for _, tc := range []struct{ line, user string }{
		{"docker login -u acmebot -p " + token + " docker.io", "acmebot"},
		{`docker login --username "acme.bot" --password "` + token + `"`, "acme.bot"},
		{"DOCKERHUB_TOKEN=" + token, ""},
	} {
		fs := detectRule(t, "dockerhub-token", "deploy.sh", tc.line+"\n")
		if len(fs) != 1 || fs[0].Secret != token || fs[0].Groups["username"] != tc.user {
			t.Errorf("%s: %+v", tc.line, fs)
		}
	}
}
