package report

import (
	"time"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

// Synthetic secrets: shaped like real credentials, valid for nothing.
const (
	awsID      = "AKIAXLEAKHOUNDTEST01"
	awsSecret  = "wJalrXUtnFEMI0K7MDENG0bPxRfiCYLEAKHOUNDTEST"
	githubPAT  = "ghp_leakhoundTESTtokenNOTreal0000000000"
	genericKey = "s3cr3tLeakhoundTestValue9"
	jwtToken   = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsZWFraG91bmQtdGVzdCJ9.dGVzdC1zaWduYXR1cmUtbm90LXJlYWw"
)

// fixtureTime is when the fixture scan ended, for formats that say.
var fixtureTime = time.Date(2025, 6, 1, 12, 30, 0, 0, time.UTC)

var fixtureSecrets = []string{awsID, awsSecret, githubPAT, genericKey, jwtToken}

func mk(f finding.Finding) finding.Finding {
	f.SecretHash = finding.HashSecret(f.Secret)
	f.Fingerprint = finding.Fingerprint(f.RuleID, f.Location.DisplayPath(), f.SecretHash)
	return f
}

// fixture returns one finding of each kind a source produces, in no
// particular order: two secrets on one line of a file (each match holds
// the other's secret), a git finding whose commit message repeats a
// secret, an image-layer finding, an archive-member finding and a
// path-only finding with no secret.
func fixture() []finding.Finding {
	awsLine := "aws_access_key_id = " + awsID + " aws_secret_access_key = " + awsSecret
	return []finding.Finding{
		mk(finding.Finding{
			RuleID:      "github-pat",
			Description: "GitHub Personal Access Token",
			Severity:    rules.Critical,
			Tags:        []string{"github", "token"},
			Secret:      githubPAT,
			Match:       `GITHUB_TOKEN="` + githubPAT + `"`,
			Entropy:     4.712345,
			Location: finding.Location{
				Origin: finding.Origin{
					Kind:       "git",
					Path:       "scripts/deploy.sh",
					Repository: "https://github.com/acme/app",
					Commit:     "4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39",
					Author:     "Jane Doe",
					Email:      "jane@example.com",
					Date:       time.Date(2024, 3, 1, 10, 0, 0, 0, time.FixedZone("CEST", 2*3600)),
					Message:    "add deploy script\n\nuses " + githubPAT + " for now",
				},
				Line: 7, Column: 15, EndLine: 7, EndColumn: 55, Offset: 214,
			},
			Verification: finding.Verification{Status: finding.Verified, Identity: "jane-doe", Scopes: []string{"repo", "workflow"},
				Reaches: "GitHub user jane-doe", Expires: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		}),
		mk(finding.Finding{
			RuleID:      "aws-secret-access-key",
			Description: "AWS Secret Access Key",
			Severity:    rules.Critical,
			Tags:        []string{"aws"},
			Secret:      awsSecret,
			Match:       awsLine,
			Entropy:     4.9,
			Location: finding.Location{
				Origin: finding.Origin{Kind: "file", Path: "config/prod.env", Root: "/src/app"},
				Line:   12, Column: 66, EndLine: 12, EndColumn: 109, Offset: 431,
			},
		}),
		mk(finding.Finding{
			RuleID:      "aws-access-key-id",
			Description: "AWS Access Key ID",
			Severity:    rules.High,
			Tags:        []string{"aws", "key"},
			Secret:      awsID,
			Match:       awsLine,
			Entropy:     3.684184,
			Location: finding.Location{
				Origin: finding.Origin{Kind: "file", Path: "config/prod.env", Root: "/src/app"},
				Line:   12, Column: 21, EndLine: 12, EndColumn: 41, Offset: 386,
			},
		}),
		mk(finding.Finding{
			RuleID:      "generic-api-key",
			Description: "Generic API key",
			Severity:    rules.Medium,
			Tags:        []string{"generic"},
			Secret:      genericKey,
			Match:       "api_key: " + genericKey,
			Entropy:     3.973557,
			Location: finding.Location{
				Origin: finding.Origin{
					Kind:       "image",
					Path:       "etc/app/config.yml",
					Image:      "ghcr.io/acme/app:1.2.3",
					Layer:      "sha256:3b1f1b3b5c1e7d2a9a9c0f9d7e5b3a1c2d4e6f8091a2b3c4d5e6f708192a3b4c",
					LayerIndex: 3,
				},
				Line: 4, Column: 10, EndLine: 4, EndColumn: 35, Offset: 73,
			},
		}),
		mk(finding.Finding{
			RuleID:      "jwt",
			Description: "JSON Web Token",
			Severity:    rules.Low,
			Tags:        []string{"jwt"},
			Secret:      jwtToken,
			Match:       "token: " + jwtToken,
			Entropy:     5.25,
			Location: finding.Location{
				Origin: finding.Origin{
					Kind:    "archive",
					Path:    "config/application.yml",
					Archive: "dist/app.jar!/BOOT-INF/lib/inner.jar",
				},
				Line: 3, Column: 8, EndLine: 3, EndColumn: 96, Offset: 51,
			},
		}),
		mk(finding.Finding{
			RuleID:      "pkcs12-file",
			Description: "PKCS #12 key store",
			Severity:    rules.Info,
			Location: finding.Location{
				Origin: finding.Origin{Kind: "file", Path: "certs/client.p12"},
				Line:   1, Column: 1,
			},
		}),
	}
}

// fixtureRules overrides some findings' metadata, as a loaded rule set
// would; rules missing from it fall back to the findings' own.
func fixtureRules() *rules.Config {
	return &rules.Config{Rules: []rules.Rule{
		{ID: "aws-access-key-id", Description: "AWS Access Key ID", Severity: rules.High, Tags: []string{"aws", "cloud"}},
		{ID: "github-pat", Description: "GitHub Personal Access Token (classic)", Severity: rules.Critical, Tags: []string{"github", "vcs"}},
		{ID: "unused-rule", Description: "Never fires", Severity: rules.Low},
	}}
}

func fixtureSummary() finding.Summary {
	return finding.Summary{
		Target:   "/src/app",
		Files:    42,
		Bytes:    123456,
		Findings: 6,
		Problems: []finding.Problem{{Path: "vendor/broken.zip", Err: "zip: not a valid zip file"}},
		Duration: 1500 * time.Millisecond,
	}
}
