package accuracy

import "math/rand/v2"

// fillerLines are realistic lines of each kind that hold no secret, many
// with words like token, key and password used in code.
var fillerLines = map[string][]string{
	"go": {
		"\ttoken := lexer.Next()", "\tif password == \"\" {", "\t\treturn nil, errMissingPassword", "\t}",
		"\tapiKey := os.Getenv(\"API_KEY\")", "import \"net/http\"", "// keyFor returns the cache key for a request.",
		"\tfor _, k := range keys {", "\tdefer resp.Body.Close()", "\tctx, cancel := context.WithTimeout(ctx, 5*time.Second)",
	},
	"py": {
		"import os", "def load_token(path):", "    with open(path) as f:", "        return f.read().strip()",
		"password = os.environ.get(\"DB_PASSWORD\")", "logger.info(\"refreshing access token\")", "    if not api_key:",
		"        raise ValueError(\"api_key is required\")",
	},
	"js": {
		"const token = req.headers.authorization;", "import express from 'express';", "  if (!apiKey) throw new Error('missing key');",
		"module.exports = { port: 8080 };", "// rotate the session secret every deploy", "const keys = Object.keys(cfg);",
	},
	"env":        {"PORT=8080", "LOG_LEVEL=info", "DATABASE_HOST=db.internal", "# API key is injected by the platform", "FEATURE_FLAGS=search,billing"},
	"yaml":       {"replicas: 3", "  image: nginx:1.25", "  port: 8080", "# token is read from the mounted secret", "  tokenFile: /var/run/token", "logLevel: info"},
	"json":       {"  \"port\": 8080,", "  \"logLevel\": \"info\",", "  \"tokenUrl\": \"https://auth.example.com/oauth/token\",", "  \"retries\": 3,"},
	"ipynb":      {"  \"cell_type\": \"code\",", "  \"execution_count\": 4,", "  \"source\": [\"df = pd.read_csv('data.csv')\"],"},
	"toml":       {"port = 8080", "log_level = \"info\"", "[database]", "host = \"db.internal\"", "# password comes from the environment"},
	"properties": {"server.port=8080", "spring.datasource.url=jdbc:postgresql://db:5432/app", "logging.level.root=INFO", "# key rotation is automatic"},
	"sh":         {"#!/bin/sh", "set -eu", "TOKEN=\"$(cat /run/secrets/token)\"", "curl -fsS \"$URL\" -H \"Authorization: Bearer $TOKEN\"", "echo \"deploying $VERSION\""},
	"dockerfile": {"FROM golang:1.26 AS build", "WORKDIR /src", "COPY . .", "RUN go build -o /app .", "ENV PORT=8080", "ARG API_KEY"},
	"log":        {"2024-03-11T10:22:30Z INFO  server listening on :8080", "2024-03-11T10:22:31Z WARN  token refresh took 1.2s", "2024-03-11T10:22:32Z INFO  GET /healthz 200 1ms"},
	"yaml-k8s":   {},
}

func filler(kind string, r *rand.Rand) string {
	ls := fillerLines[kind]
	if len(ls) == 0 {
		return "# ---"
	}
	return ls[r.IntN(len(ls))]
}
