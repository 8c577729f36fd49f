package cmd

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors/detectortest"
)

// TestGitleaksConfig loads a gitleaks-format config that uses every
// feature leakhound honours and checks each one's effect on a scan.
func TestGitleaksConfig(t *testing.T) {
	t.Parallel()
	lower := detectortest.Lower + detectortest.Digits
	key := func() string { return detectortest.Secret("ck_", lower, 24) }
	gh := detectortest.GitHubToken("ghp_")
	k1, k2, k3, k4, k5 := key(), key(), key(), key(), key()
	pw := detectortest.Password()
	cid, cs, lone := detectortest.Secret("cid_", lower, 12), detectortest.Secret("cs_", lower, 32), detectortest.Secret("cs_", lower, 32)
	dir := writeFiles(t, map[string]string{
		"app/main.py":          "corp_key = '" + k1 + "'\nTOKEN = \"" + gh + "\"\n",
		"bots/bot.py":          "TOKEN = \"" + gh + "\"\n",
		"legacy/old.py":        "corp_key = '" + k2 + "'  # rotated\n",
		"legacy/other.py":      "corp_key = '" + k3 + "'\n",
		"vendor/lib/x.py":      "corp_key = '" + k4 + "'\n",
		"fixtures/f.py":        "corp_key = '" + k5 + "'\n",
		"app/public.py":        "corp_key = '" + detectortest.Secret("ck_public", lower, 15) + "'\n",
		"deploy/prod.yaml":     "db_pass: " + pw + "\nother: vault:secret/db\n",
		"deploy/vault.yaml":    "db_pass: vault:secret/data/db\n",
		"docs/notes.yaml":      "db_pass: " + pw + "\n",
		"app/.env":             "API_TOKEN=" + detectortest.Password() + "\n", // generic-secret-config is disabled
		"oauth/client.yaml":    "client_id: " + cid + "\nname: x\nclient_secret: " + cs + "\n",
		"oauth/orphan.yaml":    "client_secret: " + lone + "\n",
		".gitleaksignore.keep": "",
	})
	code, out, errOut := run(t, "", "dir", dir, "--config", filepath.Join("testdata", "gitleaks.toml"), "--format", "json", "--reveal")
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []string
	for _, f := range decode(t, out) {
		got = append(got, f.RuleID+" "+f.File+" "+f.Secret)
	}
	sort.Strings(got)
	want := []string{
		"corp-api-key app/main.py " + k1,
		"corp-api-key legacy/other.py " + k3, // AND allowlist: path matches, line lacks "# rotated"
		"corp-client-secret oauth/client.yaml " + cs,
		"corp-db-password deploy/prod.yaml " + pw,
		"github-pat app/main.py " + gh,
	}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n got  %s\n want %s", strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
}
