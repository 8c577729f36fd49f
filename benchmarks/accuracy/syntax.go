package accuracy

import (
	"fmt"
	"strings"

	"github.com/leakhound/leakhound/detectors"
)

// syntaxCase is a file in one syntax with a secret assigned in it: {S}
// stands for the secret, which is planted on the line holding it.
type syntaxCase struct {
	rule, path, content string
	// plain asks for a password without punctuation, where the syntax
	// gives punctuation a meaning (an unquoted shell word).
	plain bool
}

// syntaxCases are the assignments the generic and credential-file rules
// must find in each syntax, with punctuated passwords wherever the syntax
// says where the value ends (a quote, the end of the line).
var syntaxCases = []syntaxCase{
	{rule: "generic-secret-config", path: "src/main/resources/application.properties", content: "db.url=jdbc:mysql://db:3306/app\npassword={S}\n"},
	{rule: "generic-secret-config", path: "conf/app.properties", content: "spring.datasource.password = {S}\n"},
	{rule: "generic-secret-config", path: "deploy/.env", content: "PORT=8080\nDB_PASSWORD={S}\n"},
	{rule: "generic-secret-config", path: "deploy/.env", content: "DB_PASSWORD={S} # rotated monthly\n"},
	{rule: "generic-secret-config", path: "config/app.yaml", content: "db:\n  host: db.internal\n  password: {S}\n"},
	{rule: "generic-secret-config", path: "docker-compose.yml", content: "services:\n  db:\n    environment:\n      - POSTGRES_PASSWORD={S}\n"},
	{rule: "generic-secret-config", path: "config/app.ini", content: "[database]\npassword = {S}\n"},
	{rule: "generic-secret-config", path: "Dockerfile", content: "FROM alpine\nENV API_TOKEN {S}\n", plain: true},
	{rule: "generic-secret-config", path: "scripts/env.sh", content: "#!/bin/sh\nexport API_TOKEN={S}\n", plain: true},
	{rule: "generic-secret-config", path: "home/.bashrc", content: "alias ll='ls -l'\nexport API_TOKEN={S}\n", plain: true},
	{rule: "generic-secret-config", path: "deploy/credentials", content: "[default]\nsecret_key = {S}\n"},
	{rule: "generic-secret-config", path: "ci/build.log", content: "+ env\nHOME=/root\nDEPLOY_TOKEN={S}\n", plain: true},
	{rule: "generic-secret-assignment", path: "deploy/values.yml", content: "auth:\n  api_key: \"{S}\"\n"},
	{rule: "generic-secret-assignment", path: "config/settings.json", content: "{\n  \"client_secret\": \"{S}\"\n}\n"},
	{rule: "generic-secret-assignment", path: "config/app.toml", content: "[database]\npassword = '{S}'\n"},
	{rule: "generic-secret-assignment", path: "conf/context.xml", content: "<Resource name=\"jdbc/app\" username=\"app\" password=\"{S}\" />\n"},
	{rule: "generic-secret-assignment", path: "web.config", content: "<appSettings>\n  <add key=\"PaymentsApiKey\" value=\"{S}\" />\n</appSettings>\n"},
	{rule: "generic-secret-assignment", path: "settings.xml", content: "<server>\n  <id>corp</id>\n  <password>{S}</password>\n</server>\n"},
	{rule: "generic-secret-assignment", path: "infra/main.tf", content: "resource \"aws_db_instance\" \"db\" {\n  password = \"{S}\"\n}\n"},
	{rule: "terraform-variable-default", path: "infra/variables.tf", content: "variable \"db_password\" {\n  type    = string\n  default = \"{S}\"\n}\n"},
	{rule: "generic-secret-assignment", path: "app/settings.py", content: "import os\nAPI_KEY = r\"{S}\"\n"},
	{rule: "generic-secret-assignment", path: "web/src/api.js", content: "export default {\n  secret: '{S}',\n}\n"},
	{rule: "generic-secret-assignment", path: "notebooks/explore.ipynb", content: "{\"cells\": [{\"cell_type\": \"code\", \"source\": [\"import client\\n\", \"api_key = \\\"{S}\\\"\\n\"]}]}\n", plain: true},
	{rule: "generic-secret-assignment", path: "Jenkinsfile", content: "pipeline {\n  withEnv(['DEPLOY_TOKEN={S}']) {\n    sh 'make deploy'\n  }\n}\n", plain: true},
	{rule: "generic-secret-config", path: "src/main/resources/application.yml", content: "spring:\n  datasource:\n    password: ${DB_PASSWORD:{S}}\n", plain: true},
	{rule: "generic-secret-keyvalue", path: "postman/staging.postman_environment.json", content: "{\"name\": \"staging\", \"values\": [{\"key\": \"api_token\", \"value\": \"{S}\", \"type\": \"secret\", \"enabled\": true}]}\n", plain: true},
	{rule: "generic-secret-keyvalue", path: "app/src/main/res/values/strings.xml", content: "<resources>\n    <string name=\"app_name\">Shop</string>\n    <string name=\"payments_api_key\">{S}</string>\n</resources>\n", plain: true},
	{rule: "generic-secret-keyvalue", path: "ios/App/Info.plist", content: "<dict>\n\t<key>BackendApiSecret</key>\n\t<string>{S}</string>\n</dict>\n", plain: true},
	{rule: "generic-secret-keyvalue", path: "k8s/deployment.yaml", content: "        env:\n        - name: LOG_LEVEL\n          value: info\n        - name: DB_PASSWORD\n          value: {S}\n", plain: true},
	{rule: "generic-secret-keyvalue", path: "cfn/params.json", content: "[{\"ParameterKey\": \"DBPassword\", \"ParameterValue\": \"{S}\"}]\n", plain: true},
	{rule: "generic-secret-config", path: "Pulumi.prod.yaml", content: "config:\n  aws:region: eu-west-1\n  app:dbPassword: {S}\n", plain: true},
	{rule: "generic-secret-assignment", path: "src/mailer.js", content: "nodemailer.createTransport({\n  auth: { user: 'mailer', pass: '{S}' },\n});\n"},
	{rule: "generic-secret-config", path: "config/mail.yml", content: "smtp:\n  user: mailer\n  pass: {S}\n"},
	{rule: "generic-secret-code", path: "web/src/login.js", content: "const x = 1;\npassword=!{S}\n", plain: true},
	{rule: "generic-secret-assignment", path: "internal/app/config.go", content: "var c = Config{\n\tPassword: \"{S}\",\n}\n"},
	{rule: "generic-secret-assignment", path: "src/Main.java", content: "props.setProperty(\"password\", \"{S}\");\n"},
	{rule: "generic-secret-assignment", path: "src/App.cs", content: "string apiKey = @\"{S}\";\n"},
	{rule: "connection-string-password", path: "appsettings.json", content: "{\n  \"ConnectionStrings\": {\n    \"Default\": \"Server=db;Database=app;User Id=sa;Password={S};\"\n  }\n}\n"},
	{rule: "generic-secret-cli", path: "ci/deploy.yml", content: "script:\n  - deploy --api-key '{S}' --env prod\n"},
	{rule: "generic-secret-cli", path: "scripts/run.sh", content: "docker run -e API_TOKEN={S} app:1\n", plain: true},
	{rule: "generic-secret-cli", path: "scripts/start.sh", content: "java -Dspring.datasource.password={S} -jar app.jar\n", plain: true},
	{rule: "curl-user-password", path: "scripts/upload.sh", content: "curl -fsS \\\n  -X PUT \\\n  -u deploy:{S} \\\n  https://nexus.corp.io/raw/app.tgz\n", plain: true},
	{rule: "credential-header", path: "scripts/api.sh", content: "curl -s \\\n  -H \"X-Api-Key: {S}\" \\\n  https://api.corp.io/v1/items\n", plain: true},
	{rule: "nuget-cleartext-password", path: "NuGet.Config", content: "<configuration>\n  <packageSourceCredentials>\n    <corp>\n      <add key=\"Username\" value=\"ci\" />\n      <add key=\"ClearTextPassword\" value=\"{S}\" />\n    </corp>\n  </packageSourceCredentials>\n</configuration>\n"},
	{rule: "private-key", path: "deploy/.env", content: "APP=1\nSIGNING_KEY=\"{PEM}\"\n"},
}

// syntaxLookAlikes are lines in the same syntaxes whose values no rule
// may report: code, references, paths, placeholders, hashes, runs,
// dummies, word-like tokens, names that point at a secret, DPAPI blobs.
var syntaxLookAlikes = map[string][]string{
	"web/src/login.js": {"password = userPassword;", "token = getToken();", "const secret = config.secret;", "password=passwordField.value;",
		"password=hashedPassword1;", "apiKey: accessTokenV2,", "secret=SECRET_KEY_NAME;"},
	"app/settings.py": {"password = os.environ['DB_PASSWORD']", "token = settings.API_TOKEN", "api_key = os.getenv(\"API_KEY\", \"\")",
		"secret = f\"{prefix}-{suffix}\""},
	"config/app.yaml": {"token_file: /var/run/secrets/token", "password_file: /etc/app/password.txt", "token_url: https://auth.corp.io/oauth2/token",
		"password: ${DB_PASSWORD}", "token: {{ .Values.token }}", "password: *default_password", "secret: !vault |", "password: !secret db_password",
		"secretName: db-credentials-v2", "passwordPolicy: strong-v2", "csrf_token: a8Fk2LmQ9xZ7vR3t", "api_key: <your-api-key>",
		"token: 123e4567-e89b-12d3-a456-426614174000", "secret_hash: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	"deploy/.env": {"PASSWORD=$DB_PASS", "TOKEN=$(cat /run/secrets/token)", "PASSWORD=aaaaaaaaaaaa", "PASSWORD=abcdefgh12345678",
		"PASSWORD=qwertyuiop123", "PASSWORD=secret123", "PASSWORD=Passw0rd!", "API_TOKEN=test-token-123", "SECRET=MyS3cretK3y!",
		"ETSY_TOKEN=123.short", "API_TOKEN=expected-token-1"},
	"conf/app.properties": {"spring.datasource.password=", "jwt.secret=${JWT_SECRET}", "token.expiry=3600", "password.hint=Use 12 characters or more"},
	"infra/main.tf":       {"password = var.db_password", "password = \"${var.db_password}\"", "password = random_password.db.result"},
	"scripts/deploy.sh": {"mytool --password-file /run/secrets/pw", "mytool --token \"$TOKEN\"", "mytool --password=${PW}", "mytool --token-ttl 3600s",
		"curl -u \"$USER:$PASS\" https://x.corp.io", "curl -H \"X-Api-Key: $API_KEY\" https://api.corp.io", "curl -H \"Authorization: Bearer $TOKEN\" https://x.corp.io"},
	"settings.xml": {"<password></password>", "<password>${env.DEPLOY_PASSWORD}</password>", "<add key=\"ApiKey\" value=\"\" />"},
	"NuGet.Config": {"<add key=\"Password\" value=\"" + "AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAA" + "bZ5J7Q2xLp7TzR9kXq8vN2xLp4Rz7mK3wQ==\" />",
		"<add key=\"ClearTextPassword\" value=\"%NUGET_PASSWORD%\" />"},
	"k8s/config.yaml": {"kind: ConfigMap\ndata:\n  app.mode: UXo4dkxtMnhSN3BUOXdLNA==", "---\nkind: Secret\ndata:\n  password: \"\"\n  token: Y2hhbmdlbWU="},
	"app.config":      {"<add name=\"x\" type=\"System.Web.Foo, System.Web, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a\" />"},
}

// syntaxes plants each syntax case three times with fresh secrets, and the
// look-alikes once.
func (g *generator) syntaxes() {
	for i, c := range syntaxCases {
		for j := range PositivesPerRule {
			secret := g.password()
			if !c.plain {
				secret = g.punctuatedPassword()
			}
			content := strings.ReplaceAll(c.content, "{S}", secret)
			if strings.Contains(content, "{PEM}") {
				block := strings.Split(g.pem("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----"), "\n")
				secret = strings.Join(block, `\n`)
				content = strings.ReplaceAll(content, "{PEM}", secret)
			}
			if c.rule == "generic-secret-code" {
				secret = "!" + secret
			}
			lines := strings.Split(strings.TrimSuffix(content, "\n"), "\n")
			at := 0
			for k, l := range lines {
				if strings.Contains(l, secret) {
					at = k
				}
			}
			path := fmt.Sprintf("syntax/%d-%d/%s", i, j, c.path)
			g.add(path, "", lines, Planted{RuleID: c.rule, Secret: secret, Positive: true, offset: at})
		}
	}
	for path, ls := range syntaxLookAlikes {
		for i, l := range ls {
			g.add(fmt.Sprintf("syntax-lookalike/%d/%s", i, path), "", strings.Split(l, "\n"), Planted{})
		}
	}
}

// password returns a random 20-character alphanumeric password with every
// class in it (a random string with no digit can read as a name).
func (g *generator) password() string {
	for {
		p := g.randString(20, alnum)
		if strings.ContainsAny(p, "0123456789") && strings.ContainsAny(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") &&
			strings.ContainsAny(p, "abcdefghijklmnopqrstuvwxyz") && !detectors.IsPlaceholder(p) {
			return p
		}
	}
}

// punctuatedPassword returns a random 20-character password mixing
// letters, digits and # ^ ! & @ % * $, starting with a letter; never a %
// before two hex digits (that reads as a percent-encoded character).
func (g *generator) punctuatedPassword() string {
	const punct = "#^!&@%*$"
	for {
		p := g.randString(1, alnum[:52]) + g.randString(19, alnum+punct)
		if strings.Count(p, "")-1 == 20 && strings.ContainsAny(p, punct) && strings.ContainsAny(p, "0123456789") &&
			!detectors.IsPlaceholder(p) && !percentEscape(p) {
			return p
		}
	}
}

func percentEscape(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '%' && isHex(s[i+1]) && isHex(s[i+2]) {
			return true
		}
	}
	return false
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
