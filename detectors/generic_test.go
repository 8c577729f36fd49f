package detectors_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/finding"
)

// fill replaces {P} with a punctuated password, {A} with an alphanumeric
// one and returns the content and the secret put in.
func fill(content string) (string, string) {
	switch {
	case strings.Contains(content, "{P}"):
		p := detectortest.PunctuatedPassword()
		return strings.ReplaceAll(content, "{P}", p), p
	case strings.Contains(content, "{A}"):
		p := detectortest.Password()
		return strings.ReplaceAll(content, "{A}", p), p
	case strings.Contains(content, "{S}"):
		p := "!" + detectortest.Password()
		return strings.ReplaceAll(content, "{S}", p), p
	case strings.Contains(content, "{B64}"):
		p := detectortest.Password()
		return strings.ReplaceAll(content, "{B64}", base64.StdEncoding.EncodeToString([]byte(p))), p
	}
	return content, ""
}

// TestGenericAssignmentSyntaxes: a generated secret assigned to a
// secret-named key in every common syntax is found once, at its line.
func TestGenericAssignmentSyntaxes(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	cases := []struct {
		name, path, content string
		line                int
	}{
		{"properties", "src/main/resources/application.properties", "db.url=jdbc:mysql://db:3306/app\npassword={P}\n", 2},
		{"properties spaced", "conf/app.properties", "# db\nspring.datasource.password = {P}\n", 2},
		{"properties colon", "conf/app.properties", "mail.smtp.password: {P}\n", 1},
		{"env", "deploy/.env", "PORT=8080\nDB_PASSWORD={P}\n", 2},
		{"env double quoted", "deploy/.env", "API_KEY=\"{P}\"\n", 1},
		{"env single quoted", ".env.production", "SECRET_KEY='{P}'\n", 1},
		{"env comment", "deploy/.env", "DB_PASSWORD={A} # rotated monthly\n", 1},
		{"yaml", "config/app.yaml", "db:\n  host: db.internal\n  password: {P}\n", 3},
		{"yaml quoted", "deploy/values.yml", "auth:\n  api_key: \"{P}\"\n", 2},
		{"compose env list", "docker-compose.yml", "services:\n  db:\n    environment:\n      - POSTGRES_PASSWORD={P}\n", 4},
		{"json", "config/settings.json", "{\n  \"client_secret\": \"{P}\"\n}\n", 2},
		{"toml", "config/app.toml", "[database]\npassword = \"{P}\"\n", 2},
		{"toml literal", "config/app.toml", "token = '{P}'\n", 1},
		{"ini", "config/app.ini", "[database]\npassword = {P}\n", 2},
		{"cfg", "setup.cfg", "[upload]\npasswd: {A}\n", 2},
		{"my.cnf", "etc/my.cnf", "[client]\nuser=app\npassword={P}\n", 3},
		{"xml attribute", "conf/context.xml", "<Resource name=\"jdbc/app\" username=\"app\" password=\"{P}\" />\n", 1},
		{"xml key value", "web.config", "<appSettings>\n  <add key=\"PaymentsApiKey\" value=\"{P}\" />\n</appSettings>\n", 2},
		{"xml element", "settings.xml", "<server>\n  <id>corp</id>\n  <password>{P}</password>\n</server>\n", 3},
		{"hcl", "infra/main.tf", "resource \"aws_db_instance\" \"db\" {\n  password = \"{P}\"\n}\n", 2},
		{"tfvars", "infra/prod.tfvars", "db_password = \"{P}\"\n", 1},
		{"hcl variable default", "infra/variables.tf", "variable \"db_password\" {\n  type    = string\n  default = \"{P}\"\n}\n", 3},
		{"shell export", "scripts/env.sh", "#!/bin/sh\nexport API_TOKEN={A}\n", 2},
		{"shell quoted", "scripts/env.sh", "export DB_PASSWORD='{P}'\n", 1},
		{"bat set", "scripts/env.bat", "@echo off\nset DB_PASSWORD={A}\n", 2},
		{"makefile", "Makefile", "REGISTRY_TOKEN ?= {A}\n", 1},
		{"dockerfile env", "Dockerfile", "FROM alpine\nENV API_TOKEN={A}\n", 2},
		{"dockerfile legacy env", "Dockerfile", "FROM alpine\nENV API_TOKEN {A}\n", 2},
		{"python", "app/settings.py", "import os\npassword = \"{P}\"\n", 2},
		{"python kwarg", "app/client.py", "client.login(user=\"svc\", password='{P}')\n", 1},
		{"python raw string", "app/settings.py", "API_KEY = r\"{P}\"\n", 1},
		{"js const", "web/src/api.js", "const apiKey = \"{P}\";\n", 1},
		{"js object", "web/src/api.js", "export default {\n  secret: '{P}',\n}\n", 2},
		{"js unquoted", "web/src/login.js", "const x = 1;\npassword={S}\n", 2},
		{"go", "internal/app/config.go", "func f() {\n\ttoken := \"{P}\"\n}\n", 2},
		{"go field", "internal/app/config.go", "var c = Config{\n\tPassword: \"{P}\",\n}\n", 2},
		{"go setenv", "internal/app/main_test.go", "os.Setenv(\"API_TOKEN\", \"{P}\")\n", 1},
		{"java", "src/Main.java", "private static final String DB_PASSWORD = \"{P}\";\n", 1},
		{"java properties call", "src/Main.java", "props.setProperty(\"password\", \"{P}\");\n", 1},
		{"csharp verbatim", "src/App.cs", "string apiKey = @\"{P}\";\n", 1},
		{"connection string", "src/App.cs", "var cs = \"Server=db;Database=app;User Id=sa;Password={P};\";\n", 1},
		{"appsettings connection string", "appsettings.json", "{\n  \"ConnectionStrings\": {\n    \"Default\": \"Server=db;Database=app;User Id=sa;Password={P};\"\n  }\n}\n", 3},
		{"cli flag equals", "scripts/deploy.sh", "mytool login --password={A} --user ci\n", 1},
		{"cli flag quoted", "scripts/deploy.sh", "mytool login --password=\"{P}\" --user ci\n", 1},
		{"cli flag space", "ci/run.yml", "script:\n  - deploy --api-key '{P}' --env prod\n", 2},
		{"docker run env", "scripts/run.sh", "docker run -e API_TOKEN={A} app:1\n", 1},
		{"jvm property", "scripts/start.sh", "java -Dspring.datasource.password={A} -jar app.jar\n", 1},
		{"helm set", "scripts/deploy.sh", "helm upgrade app ./chart --set auth.apiKey={A}\n", 1},
		{"kubectl from-literal", "scripts/secret.sh", "kubectl create secret generic db --from-literal=password={A}\n", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			content, secret := fill(c.content)
			fs := detectortest.Find(t, e, c.path, content)
			if len(fs) != 1 {
				for _, f := range fs {
					t.Logf("%s line %d %s", f.RuleID, f.Location.Line, finding.Redact(f.Secret))
				}
				t.Fatalf("%d findings, want 1", len(fs))
			}
			if fs[0].Secret != secret || fs[0].Location.Line != c.line {
				t.Errorf("%s found %s at line %d, want the secret at line %d", fs[0].RuleID, finding.Redact(fs[0].Secret), fs[0].Location.Line, c.line)
			}
		})
	}
}

// TestGenericLookAlikes: values of secret-named keys that are code,
// references, paths, placeholders, hashes, runs or dummies, and names that
// point at secrets rather than hold them, stay silent in every syntax.
func TestGenericLookAlikes(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	cases := []struct{ path, content string }{
		// Identifiers and expressions in code.
		{"web/src/login.js", "password = userPassword;\ntoken = getToken();\nconst secret = config.secret;\npassword=passwordField.value;\npassword=hashedPassword1;\napiKey: accessTokenV2,\nsecret=SECRET_KEY_NAME;\n"},
		{"internal/x.go", "token := strings.TrimSpace(line)\nif password != \"\" {\nsecret := make([]byte, 32)\ntokenType := \"Bearer\"\nif token == \"expectedValue\" {\n"},
		{"src/Main.java", "String password = request.getParameter(\"password\");\nprivate String apiKey = System.getenv(\"API_KEY\");\n"},
		{"app/x.py", "password = os.environ['DB_PASSWORD']\ntoken = settings.API_TOKEN\napi_key = os.getenv(\"API_KEY\", \"\")\nsecret = f\"{prefix}-{suffix}\"\n"},
		// Paths and URLs.
		{"config/app.yaml", "token_file: /var/run/secrets/token\nkey_path: ./keys/id_rsa\npassword_file: /etc/app/password.txt\ntoken_url: https://auth.corp.io/oauth2/token\nsecret_ref: projects/app/secrets/db/versions/2\n"},
		// References and templates.
		{"config/app.yaml", "password: ${DB_PASSWORD}\ntoken: {{ .Values.token }}\napi_key: \"%(api_key)s\"\npassword: *default_password\nsecret: !vault |\npassword: !secret db_password\nsecret_arn: arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf\n"},
		{"deploy/.env", "PASSWORD=$DB_PASS\nTOKEN=$(cat /run/secrets/token)\nAPI_KEY=${API_KEY:-}\n"},
		{"scripts/env.bat", "set DB_PASSWORD=%DB_PASSWORD%\n"},
		{"infra/main.tf", "password = var.db_password\npassword = \"${var.db_password}\"\npassword = random_password.db.result\n"},
		// Placeholders.
		{"config/app.yaml", "password: changeme\napi_key: <your-api-key>\ntoken: \"xxxxxxxxxxxxxxxx\"\npassword: \"********\"\nSECRET_KEY: replace-me-with-a-real-secret\napi_key: YOUR_API_KEY_HERE\n"},
		// Names of variables and constants, with a word on.
		{"pkg/authn/keychain_test.go", "\tPassword: \"XDG_RUNTIME_DIR-bar\",\n\tPassword: \"REGISTRY_AUTH_FILE-bar\",\n"},
		// URNs (a WebDAV lock token).
		{"webdav/lock_test.go", "\tToken: `urn:uuid:150852e2-3847-42d5-8cbe-0f4f296f26cf`,\n"},
		// Hashes and UUIDs.
		{"config/app.yaml", "token: 123e4567-e89b-12d3-a456-426614174000\nsecret_hash: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\ntoken_sha1: da39a3ee5e6b4b0d3255bfef95601890afd80709\n"},
		// Runs and dummies.
		{"deploy/.env", "PASSWORD=aaaaaaaaaaaa\nPASSWORD=abcdefgh12345678\nAPI_KEY=1234567890abcdef\nPASSWORD=qwertyuiop123\nPASSWORD=secret123\nPASSWORD=admin1234\nPASSWORD=Passw0rd!\nAPI_TOKEN=test-token-123\nPASSWORD=mypassword123\nSECRET=MyS3cretK3y!\n"},
		// Names that point at a secret, or are no credential.
		{"k8s/deploy.yaml", "secretName: db-credentials-v2\ntokenSecretRef: vault-token-2\npasswordPolicy: strong-v2\nsecret_name: app/prod/db-2\napiKeyId: AKID7x2Lq9\ncsrf_token: a8Fk2LmQ9xZ7vR3t\nnext_page_token: CiAKGjBpNDd2Nmp2Zml\n"},
		{"app.config", "<add name=\"System.Web\" type=\"System.Web.Foo, System.Web, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a\" />\n"},
		// Token values that read as words or names.
		{"deploy/.env", "ETSY_TOKEN=123.short\nAPI_TOKEN=expected-token-1\nACCESS_TOKEN=connectionString2\n"},
		// Command lines.
		{"scripts/deploy.sh", "mytool --password-file /run/secrets/pw\nmytool --token \"$TOKEN\"\nmytool --password=${PW}\nmytool --api-key <key>\nmytool --token-ttl 3600s\ndocker run -e API_TOKEN=$API_TOKEN app:1\n"},
		// XML.
		{"settings.xml", "<password></password>\n<password>${env.DEPLOY_PASSWORD}</password>\n<add key=\"ApiKey\" value=\"\" />\n<input type=\"password\" name=\"password\" value=\"\">\n"},
		// Prose.
		{"README.md", "The token is rotated every 24h.\nSet `password` to a value of 12 characters or more.\n"},
	}
	for _, c := range cases {
		for _, f := range detectortest.Find(t, e, c.path, c.content) {
			t.Errorf("%s:%d: %s fired on %q", c.path, f.Location.Line, f.RuleID, strings.TrimSpace(f.Match))
		}
	}
}

// TestDigestShapedSecretsUnderSecretNames: a UUID or a value of 40 or 64
// hex digits is reported when the name it is given says secret (a GitHub
// OAuth app's client secret is 40 hex digits; many API keys are UUIDs),
// and stays silent under any other name, where it is far likelier an ID,
// a commit or a digest.
func TestDigestShapedSecretsUnderSecretNames(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	h := detectortest.HexLower
	uuid := func() string {
		return detectortest.Random(h, 8) + "-" + detectortest.Random(h, 4) + "-4" + detectortest.Random(h, 3) + "-a" +
			detectortest.Random(h, 3) + "-" + detectortest.Random(h, 12)
	}
	for _, c := range []struct{ path, content string }{
		{"config/app.yaml", "client_secret: \"" + detectortest.Random(h, 64) + "\"\n"},
		{"config/app.json", "{\"credentials\": \"" + detectortest.Random(h, 64) + "\"}\n"},
		{"deploy/.env", "GITHUB_CLIENT_SECRET=" + detectortest.Random(h, 40) + "\n"},
		{"deploy/.env", "API_KEY=" + uuid() + "\n"},
		{"src/app.py", "password = \"" + uuid() + "\"\n"},
		{"src/Config.java", "private static final String API_TOKEN = \"" + uuid() + "\";\n"},
	} {
		if fs := detectortest.Find(t, e, c.path, c.content); len(fs) == 0 {
			t.Errorf("%s: nothing found in %q", c.path, c.content)
		}
	}
	for _, c := range []struct{ path, content string }{
		{"config/app.yaml", "request_id: " + uuid() + "\ntenant_id: \"" + uuid() + "\"\n"},
		{"config/app.yaml", "token_sha256: " + detectortest.Random(h, 64) + "\nsecret_fingerprint: " + detectortest.Random(h, 40) + "\n"},
		{"config/app.yaml", "token_id: " + uuid() + "\napi_key_id: \"" + uuid() + "\"\n"},
		{"deploy/.env", "BUILD_COMMIT=" + detectortest.Random(h, 40) + "\nIMAGE_DIGEST=" + detectortest.Random(h, 64) + "\n"},
		{"config/app.yaml", "token: 550e8400-e29b-41d4-a716-446655440000\npassword: da39a3ee5e6b4b0d3255bfef95601890afd80709\n"},
	} {
		for _, f := range detectortest.Find(t, e, c.path, c.content) {
			t.Errorf("%s:%d: %s fired on %q", c.path, f.Location.Line, f.RuleID, strings.TrimSpace(f.Match))
		}
	}
}

// TestSettingsInDocs: a setting shown in a README, a runbook or notes is
// read as in a config file; the prose around it is not.
func TestSettingsInDocs(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	secret := detectortest.Random(detectortest.Base62, 24)
	for _, path := range []string{"docs/runbook.md", "README.rst", "ops/notes.txt", "docs/setup.adoc"} {
		content := "Connect with:\n\n    client_secret: " + secret + "\n"
		if fs := detectortest.Find(t, e, path, content); len(fs) != 1 || fs[0].Secret != secret {
			t.Errorf("%s: found %d, want the client secret once", path, len(fs))
		}
	}
	prose := "Password: use at least twelve characters, with digits and symbols.\nToken: the token is rotated every 24 hours.\n" +
		"- password: changeme\n- token: <your token here>\nSECRET_KEY=replace-me\nSecret: kept-in-vault-under-app-prod\ntoken: 2024-05-01\n"
	for _, f := range detectortest.Find(t, e, "README.md", prose) {
		t.Errorf("README.md:%d: %s fired on %q", f.Location.Line, f.RuleID, strings.TrimSpace(f.Match))
	}
}

// TestCryptoTestVectorsNotGeneric: hex key material in a cryptographic
// library's test vectors is no credential; the same line in a config file
// is reported, and so is a value that is not hex alone in test data.
func TestCryptoTestVectorsNotGeneric(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	h := detectortest.HexLower
	vectors := `{"mode":0,"shared_secret":"` + detectortest.Random(h, 96) + `","secret":"` + detectortest.Random(h, 128) +
		`","exporter_secret":"` + detectortest.Random(h, 96) + `"}` + "\n"
	for _, path := range []string{"hpke/testdata/vectors_rfc9180.json", "crypto/test-vectors/ecdh.json", "wycheproof/testvectors_v1/x25519_test.json"} {
		for _, f := range detectortest.Find(t, e, path, vectors) {
			t.Errorf("%s: %s fired on %q", path, f.RuleID, f.Match)
		}
	}
	if fs := detectortest.Find(t, e, "config/app.json", vectors); len(fs) == 0 {
		t.Errorf("config/app.json: nothing found in %q", vectors)
	}
	pw := `{"db_password": "` + detectortest.Random(detectortest.Base62, 20) + `"}` + "\n"
	if fs := detectortest.Find(t, e, "internal/testdata/fixture.json", pw); len(fs) == 0 {
		t.Errorf("testdata: nothing found in %q", pw)
	}
}

// TestProviderLookAlikesNotGeneric: a value in a provider's format that
// fails the provider's checksum or structure check (a truncated or
// made-up token) is that provider's look-alike: the generic rules don't
// report it instead.
func TestProviderLookAlikesNotGeneric(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	gh := detectortest.GitHubToken("ghp_")
	broken := gh[:len(gh)-6] + "000000"
	for path, content := range map[string]string{
		"a.py":   "GITHUB_TOKEN = \"" + broken + "\"\n",
		"b.env":  "GRAFANA_TOKEN=glc_" + detectortest.Random(detectortest.Base62, 80) + "\n",
		"c.env":  "SENTRY_AUTH_TOKEN=sntrys_eyJ" + detectortest.Random(detectortest.Base62, 70) + "_" + detectortest.Random(detectortest.Base62, 30) + "\n",
		"d.yaml": "password: pypi-AgEIcHlwaS5vcmc" + detectortest.Random(detectortest.Base62, 60) + "\n",
		"e.json": "{\"token\": \"eyJhbGciOiJIUzI1NiJ9.eyJ" + detectortest.Random(detectortest.Base62, 30) + "." + detectortest.Random(detectortest.Base62, 30) + "\"}\n",
	} {
		for _, f := range detectortest.Find(t, e, path, content) {
			t.Errorf("%s: %s fired on %s", path, f.RuleID, finding.Redact(f.Secret))
		}
	}
}

// TestRandomValuesWhoseLettersReadAsWords: generated values whose letters,
// joined across their digits, read as camel-case words were taken for
// identifiers (about one in 6,000). Digits between letters in two places
// or more mark a generated value: identifiers hold one at most.
func TestRandomValuesWhoseLettersReadAsWords(t *testing.T) {
	t.Parallel()
	e := defaultEngine(t)
	for _, v := range []string{"!do1s9Rig9w2hdMNtutt1", "!XYWicAj42mO0ure07F69", "!4nowLuNGUIO8R5UEvel7", "!8ero4rlFUKlnf5lEd07o"} {
		detectortest.MustFind(t, e, "web/src/login.js", "const x = 1;\npassword="+v+"\n", v)
	}
	detectortest.MustFind(t, e, "deploy/.env", "API_TOKEN=VEVAL7ombpreKka1kg0b\n", "VEVAL7ombpreKka1kg0b")
	// An identifier with one digit group still reads as one.
	detectortest.MustNotFind(t, e, "web/src/login.js", "password=!oauth2ClientSecret\nAPI_TOKEN=sha256HashValue\n")
}
