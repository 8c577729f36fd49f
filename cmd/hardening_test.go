package cmd

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/finding"
)

// TestScannedTreeConfigIsNotTrustedBlindly: a tree's own config and
// ignore files can be refused, and when used they are named and what they
// hide is counted.
func TestScannedTreeConfigIsNotTrustedBlindly(t *testing.T) {
	t.Parallel()
	tok := detectortest.GitHubToken("ghp_")
	secret := "token = \"" + tok + "\"\n"

	empty := writeFiles(t, map[string]string{"app.py": secret, ".gitleaks.toml": "# just a comment\n"})
	code, _, errOut := run(t, "", "dir", empty)
	if code != ExitUsage || !strings.Contains(errOut, "no rules") || !strings.Contains(errOut, "--no-repo-config") {
		t.Errorf("comment-only config: exit %d: %s", code, errOut)
	}
	if code, _, errOut = run(t, "", "dir", "--no-repo-config", empty); code != ExitFindings {
		t.Errorf("--no-repo-config: exit %d: %s", code, errOut)
	}

	allowAll := writeFiles(t, map[string]string{"app.py": secret,
		".gitleaks.toml": "[extend]\nuseDefault = true\n[[allowlists]]\npaths = ['''.*''']\n"})
	code, _, errOut = run(t, "", "dir", allowAll)
	if code != ExitClean || !strings.Contains(errOut, ".gitleaks.toml from the scanned tree (extends the built-in rules)") ||
		!strings.Contains(errOut, "1 suppressed (global allowlists 1)") {
		t.Errorf("allow-all config: exit %d: %s", code, errOut)
	}

	trusted := filepath.Join(t.TempDir(), "trusted.toml")
	os.WriteFile(trusted, []byte("[extend]\nuseDefault = true\n"), 0o644)
	ignored := writeFiles(t, map[string]string{"app.py": secret, ".gitleaksignore": finding.HashSecret(tok) + "\n"})
	if code, _, errOut = run(t, "", "dir", ignored); code != ExitClean || !strings.Contains(errOut, ".gitleaksignore 1") {
		t.Errorf("tree's ignore file: exit %d: %s", code, errOut)
	}
	if code, _, errOut = run(t, "", "dir", "-c", trusted, ignored); code != ExitFindings {
		t.Errorf("tree's ignore file beat --config: exit %d: %s", code, errOut)
	}
}

// TestNoRepoConfigEnv is not parallel: it sets the environment.
func TestNoRepoConfigEnv(t *testing.T) {
	dir := writeFiles(t, map[string]string{"app.py": "token = \"" + detectortest.GitHubToken("ghp_") + "\"\n", ".leakhound.toml": "# nothing\n"})
	t.Setenv(noRepoConfigEnv, "1")
	if code, _, errOut := run(t, "", "dir", dir); code != ExitFindings {
		t.Errorf("%s=1: exit %d: %s", noRepoConfigEnv, code, errOut)
	}
}

func TestOutputIsNotFollowedThroughALink(t *testing.T) {
	t.Parallel()
	tok := detectortest.GitHubToken("ghp_")
	dir := writeFiles(t, map[string]string{"app.py": "token = \"" + tok + "\"\n"})
	victim := filepath.Join(t.TempDir(), ".bashrc")
	os.WriteFile(victim, []byte("alias ll='ls -l'\n"), 0o644)
	out := filepath.Join(dir, "leakhound.json")
	if err := os.Symlink(victim, out); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, "", "dir", "--format", "json", "--output", out, filepath.Join(dir, "app.py"))
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if b, _ := os.ReadFile(victim); string(b) != "alias ll='ls -l'\n" {
		t.Errorf("the link's target was written: %q", b)
	}
	st, err := os.Lstat(out)
	if err != nil || !st.Mode().IsRegular() || (runtime.GOOS != "windows" && st.Mode().Perm() != 0o600) {
		t.Errorf("report %v %v", st.Mode(), err)
	}
	if b, _ := os.ReadFile(out); len(decode(t, string(b))) != 1 || bytes.Contains(b, []byte(tok)) {
		t.Errorf("report: %s", b)
	}
}

// TestQuietKeepsErrorsAndFailOnErrors: a pre-commit hook runs --quiet and
// must still say why it failed; a repository that vendors corrupt
// fixtures can choose not to fail on them.
func TestQuietKeepsErrorsAndFailOnErrors(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"ok.txt": "nothing here\n"})
	corruptZip(t, filepath.Join(dir, "fixture.zip"), "data.txt")
	code, out, errOut := run(t, "", "dir", "--quiet", dir)
	if code != ExitErrors || !strings.Contains(errOut, "error: fixture.zip") || strings.Contains(errOut, "scanned") || out != "" {
		t.Errorf("--quiet: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = run(t, "", "dir", "--fail-on-errors=false", dir)
	if code != ExitClean || !strings.Contains(errOut, "error: fixture.zip") || !strings.Contains(errOut, "1 errors") {
		t.Errorf("--fail-on-errors=false: exit %d: %s", code, errOut)
	}
	// Findings still fail the scan.
	os.WriteFile(filepath.Join(dir, "app.py"), []byte("token = \""+detectortest.GitHubToken("ghp_")+"\"\n"), 0o644)
	if code, _, errOut = run(t, "", "dir", "--fail-on-errors=false", dir); code != ExitFindings {
		t.Errorf("findings with --fail-on-errors=false: exit %d: %s", code, errOut)
	}
}

// corruptZip writes a zip whose member's data is not valid deflate.
func corruptZip(t *testing.T, path, member string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(member)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(bytes.Repeat([]byte("some text to compress "), 200))
	zw.Close()
	b := buf.Bytes()
	// Overwrite the compressed data (after the 30-byte local header and
	// the name) with garbage.
	start := 30 + len(member)
	for i := start; i < start+40 && i < len(b); i++ {
		b[i] = 0xff
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSummaryEscapesControlCharacters: names from scanned content reach
// stderr; an escape sequence in one must not reach the terminal.
func TestSummaryEscapesControlCharacters(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("file names with control characters")
	}
	dir := t.TempDir()
	evil := "x\x1b]0;pwned\x07\x1b[2J.zip"
	corruptZip(t, filepath.Join(dir, evil), "m\x1b[31m.txt")
	_, _, errOut := run(t, "", "dir", dir)
	if strings.ContainsAny(errOut, "\x1b\x07\x00") {
		t.Errorf("control characters reached stderr: %q", errOut)
	}
	if !strings.Contains(errOut, `x\x1b]0;pwned\x07\x1b[2J.zip`) {
		t.Errorf("escaped name missing: %q", errOut)
	}
}

func TestIgnoreFileReasonsAndStaleEntries(t *testing.T) {
	t.Parallel()
	tok := detectortest.GitHubToken("ghp_")
	dir := writeFiles(t, map[string]string{"app.py": "token = \"" + tok + "\"\n"})
	ignore := filepath.Join(t.TempDir(), "ignore")
	os.WriteFile(ignore, []byte(finding.HashSecret(tok)+"   # test fixture, revoked\n0123456789abcdef0123456789abcdef # gone\n"), 0o644)
	code, _, errOut := run(t, "", "dir", "--ignore-file", ignore, dir)
	if code != ExitClean {
		t.Errorf("entry with a reason did not match: exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "1 of 2 ignore and baseline entries matched no finding") || !strings.Contains(errOut, ignore+":2") {
		t.Errorf("stale entry not reported: %s", errOut)
	}
}

func TestDisabledRulesNamingNoRuleWarns(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(cfg, []byte("[extend]\nuseDefault = true\ndisabledRules = [\"generic-api-key\"]\n"), 0o644)
	code, _, errOut := run(t, "", "dir", "-c", cfg, writeFiles(t, map[string]string{"a.txt": "x\n"}))
	if code != ExitClean || !strings.Contains(errOut, `warning: `+cfg+`: disabledRules names "generic-api-key", which no rule has`) {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

func TestVersionFlag(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, _ := run(t, "", args...)
		if code != ExitClean || !strings.HasPrefix(out, "leakhound ") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
}
