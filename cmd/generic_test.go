package cmd

import (
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors/detectortest"
)

// TestIssueMisses runs the CLI over the files issue #10 and #11 name as
// misses (other scanners report them; leakhound reported nothing and
// exited 0), each holding a freshly generated secret: every one is found,
// at its file and line, and the scan exits 1.
func TestIssueMisses(t *testing.T) {
	t.Parallel()
	b64 := base64.StdEncoding.EncodeToString
	raw := make([]byte, 600)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	var body []string
	for b := b64(raw); len(b) > 0; {
		n := min(64, len(b))
		body = append(body, b[:n])
		b = b[n:]
	}
	pem := "-----BEGIN PRIVATE KEY-----\\n" + strings.Join(body, `\n`) + "\\n-----END PRIVATE KEY-----"

	props, js := detectortest.PunctuatedPassword(), "!"+detectortest.Password()
	k8sPass, k8sToken := detectortest.Password(), detectortest.PunctuatedPassword()
	bearer, ghToken, curlPass, curlPass2 := detectortest.Password()+detectortest.Password(), detectortest.Random(detectortest.HexLower, 40), detectortest.Password(), detectortest.Password()
	nuget := detectortest.PunctuatedPassword()
	type want struct {
		file   string
		line   int
		secret string
	}
	cases := []struct {
		files map[string]string
		want  []want
	}{
		{map[string]string{"src/main/resources/app.properties": "db.url=jdbc:mysql://db:3306/app\npassword=" + props + "\n"},
			[]want{{"src/main/resources/app.properties", 2, props}}},
		{map[string]string{"web/src/login.js": "const user = 'ci';\npassword=" + js + "\n"},
			[]want{{"web/src/login.js", 2, js}}},
		{map[string]string{"k8s/db.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  username: " + b64([]byte("app")) +
			"\n  password: " + b64([]byte(k8sPass)) + "\nstringData:\n  api-token: \"" + k8sToken + "\"\n"},
			[]want{{"k8s/db.yaml", 8, k8sPass}, {"k8s/db.yaml", 10, k8sToken}}},
		{map[string]string{"scripts/deploy.sh": "#!/bin/sh\nset -eu\ncurl -fsS -H 'Authorization: Bearer " + bearer + "' https://api.corp.io/v1/deploy\n" +
			"curl -H \"Authorization: token " + ghToken + "\" https://api.github.com/user\n" +
			"curl -u deploy:" + curlPass + " https://ci.corp.io/job/build\n" +
			"curl -fsS \\\n  -X PUT \\\n  --user 'ci:" + curlPass2 + "' \\\n  https://nexus.corp.io/raw/app.tgz\n"},
			[]want{{"scripts/deploy.sh", 3, bearer}, {"scripts/deploy.sh", 4, ghToken}, {"scripts/deploy.sh", 5, curlPass}, {"scripts/deploy.sh", 8, curlPass2}}},
		{map[string]string{"NuGet.Config": "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSourceCredentials>\n    <corp>\n" +
			"      <add key=\"Username\" value=\"ci\" />\n      <add key=\"ClearTextPassword\" value=\"" + nuget + "\" />\n    </corp>\n  </packageSourceCredentials>\n</configuration>\n"},
			[]want{{"NuGet.Config", 6, nuget}}},
		{map[string]string{"deploy/.env": "APP_ENV=prod\nSIGNING_KEY=\"" + pem + "\\n\"\n", "config/sa.json": "{\n  \"name\": \"svc\",\n  \"signing_key\": \"" + pem + "\"\n}\n"},
			[]want{{"config/sa.json", 3, pem}, {"deploy/.env", 2, pem}}},
	}
	for _, c := range cases {
		dir := writeFiles(t, c.files)
		code, out, errOut := run(t, "", "dir", dir, "--format", "json", "--reveal")
		if code != ExitFindings {
			t.Errorf("%v: exit %d, want 1; stderr: %s", keys(c.files), code, errOut)
			continue
		}
		got := map[want]bool{}
		for _, f := range decode(t, out) {
			got[want{f.File, f.Line, f.Secret}] = true
		}
		for _, w := range c.want {
			if !got[w] {
				t.Errorf("%s:%d: secret not found; findings: %s", w.file, w.line, summary(decode(t, out)))
			}
		}
		if len(got) != len(c.want) {
			t.Errorf("%v: %d findings, want %d: %s", keys(c.files), len(got), len(c.want), summary(decode(t, out)))
		}
	}
}

// TestIssueLookAlikesClean: the same files holding references,
// placeholders and encrypted values instead of secrets make a clean scan.
func TestIssueLookAlikesClean(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"src/main/resources/app.properties": "password=${DB_PASSWORD}\njwt.secret=changeme\ntoken.expiry=3600\n",
		"web/src/login.js":                  "password=passwordInput.value;\ntoken=getToken();\n",
		"k8s/db.yaml":                       "kind: Secret\ndata:\n  password: \"\"\nstringData:\n  api-token: \"{{ .Values.token }}\"\n---\nkind: ConfigMap\ndata:\n  app.mode: cHJvZHVjdGlvbg==\n",
		"scripts/deploy.sh":                 "curl -H \"Authorization: Bearer $TOKEN\" -u \"$USER:$PASS\" https://api.corp.io\n",
		"NuGet.Config":                      "<add key=\"ClearTextPassword\" value=\"%NUGET_PASSWORD%\" />\n<add key=\"Password\" value=\"AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAAbZ5J7Q2xLp7TzR9kXq8vN2xLp4Rz7mK3wQ==\" />\n",
		"deploy/.env":                       "SIGNING_KEY=\"-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\"\n",
	})
	code, out, errOut := run(t, "", "dir", dir, "--format", "json")
	if code != ExitClean {
		t.Errorf("exit %d, want 0: %s %s", code, summary(decode(t, out)), errOut)
	}
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func summary(fs []jsonFinding) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, f.RuleID+" "+f.File+":"+strconv.Itoa(f.Line))
	}
	return strings.Join(parts, ", ")
}
