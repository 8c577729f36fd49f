package cmd

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leakhound/leakhound/detectors/detectortest"
)

// runGitCmd runs `leakhound git ...` in-process.
func runGitCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return run(t, "", append([]string{"git"}, args...)...)
}

// The git tests detect with the one-rule test config, so changes to the
// default rules can't break them.
var (
	gitToken      = detectortest.Token
	gitTestConfig = detectortest.TokenRuleTOML
)

type gitRepo struct {
	t   *testing.T
	dir string
}

func newGitRepo(t *testing.T) *gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git command not found")
	}
	r := &gitRepo{t: t, dir: t.TempDir()}
	r.git(nil, "init", "-q", "-b", "main")
	return r
}

func (r *gitRepo) git(env []string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=Jane Doe", "GIT_AUTHOR_EMAIL=jane@example.com", "GIT_AUTHOR_DATE=2024-03-01T10:00:00Z",
		"GIT_COMMITTER_NAME=Jane Doe", "GIT_COMMITTER_EMAIL=jane@example.com", "GIT_COMMITTER_DATE=2024-03-01T10:00:00Z")
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return strings.TrimSpace(out.String())
}

func (r *gitRepo) write(name, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *gitRepo) commit(msg string) string {
	r.t.Helper()
	r.git(nil, "add", "-A")
	r.git(nil, "commit", "-q", "--allow-empty", "-m", msg)
	return r.git(nil, "rev-parse", "HEAD")
}

// writeGitTestConfig writes the one-rule test config and returns its path.
func writeGitTestConfig(t *testing.T) string {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "rules.toml")
	if err := os.WriteFile(cfg, []byte(gitTestConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

type gitFinding struct {
	RuleID      string `json:"rule_id"`
	Secret      string `json:"secret"`
	File        string `json:"file"`
	Line        int    `json:"line"`
	Commit      string `json:"commit"`
	Author      string `json:"author"`
	Email       string `json:"email"`
	Date        string `json:"date"`
	Message     string `json:"message"`
	Repository  string `json:"repository"`
	Fingerprint string `json:"fingerprint"`
}

// TestGitReplacedKeyIsFound: a commit that replaces a private key with a
// new one changes only the key's body; its BEGIN and END lines are the old
// version's. The new key is reported for that commit, the old one for the
// commit that added it, each once. The keys are generated here.
func TestGitReplacedKeyIsFound(t *testing.T) {
	t.Parallel()
	r := newGitRepo(t)
	keyPEM := func() string {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	}
	oldKey, newKey := keyPEM(), keyPEM()
	r.write("deploy/values.yaml", "service: billing\nsigningKey: |\n"+indent(oldKey)+"replicas: 2\n")
	added := r.commit("add signing key")
	r.write("deploy/values.yaml", "service: billing\nsigningKey: |\n"+indent(newKey)+"replicas: 2\n")
	rotated := r.commit("rotate signing key")

	code, out, errOut := runGitCmd(t, r.dir, "--no-repo-config", "--format", "json", "--reveal")
	if code != ExitFindings {
		t.Fatalf("exit %d, want 1; stderr: %s", code, errOut)
	}
	var fs []gitFinding
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out)
	}
	// The first line of a key's body tells the keys apart.
	firstBody := func(key string) string { return strings.TrimSpace(strings.Split(key, "\n")[1]) }
	got := map[string]string{} // commit -> the key's first body line
	for _, f := range fs {
		if f.File != "deploy/values.yaml" || f.Line != 3 {
			t.Errorf("finding at %s:%d, want deploy/values.yaml:3", f.File, f.Line)
		}
		if _, dup := got[f.Commit]; dup {
			t.Errorf("commit %.7s reported twice", f.Commit)
		}
		got[f.Commit] = firstBody(f.Secret)
	}
	if got[added] != firstBody(oldKey) || got[rotated] != firstBody(newKey) || len(got) != 2 {
		t.Errorf("findings %v, want the old key at %.7s and the new one at %.7s", got, added, rotated)
	}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n  ") + "\n"
}

func TestGitHistoryEndToEnd(t *testing.T) {
	t.Parallel()
	cfg := writeGitTestConfig(t)
	r := newGitRepo(t)
	tok := gitToken()
	r.write("README.md", "hello\n")
	base := r.commit("initial")
	r.write("deploy/env.sh", "#!/bin/sh\nexport TOKEN="+tok+"\n")
	added := r.commit("add deploy script\n\nbody")
	r.git(nil, "rm", "-q", "deploy/env.sh")
	r.commit("remove the token") // deleted, but still in history

	code, out, errOut := runGitCmd(t, r.dir, "--config", cfg, "--format", "json", "--reveal")
	if code != ExitFindings {
		t.Fatalf("exit %d, want 1; stderr: %s", code, errOut)
	}
	var fs []gitFinding
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out)
	}
	want := gitFinding{RuleID: detectortest.TokenRule.ID, Secret: tok, File: "deploy/env.sh", Line: 2, Commit: added,
		Author: "Jane Doe", Email: "jane@example.com", Message: "add deploy script", Repository: r.dir}
	if len(fs) != 1 {
		t.Fatalf("%d findings, want 1: %s", len(fs), out)
	}
	got := fs[0]
	if !strings.HasPrefix(got.Date, "2024-03-01") {
		t.Errorf("date = %q", got.Date)
	}
	got.Date, got.Fingerprint = "", ""
	if got != want {
		t.Errorf("finding:\n  got  %+v\n  want %+v", got, want)
	}
	if !strings.Contains(errOut, "findings") {
		t.Errorf("no summary line: %s", errOut)
	}

	// Stable fingerprint across runs, and a redacted default report.
	code, out2, _ := runGitCmd(t, r.dir, "--config", cfg, "--format", "json")
	if code != ExitFindings || strings.Contains(out2, tok) {
		t.Errorf("default run: exit %d, secret shown: %v", code, strings.Contains(out2, tok))
	}
	var fs2 []gitFinding
	_ = json.Unmarshal([]byte(out2), &fs2)
	if len(fs2) != 1 || fs2[0].Fingerprint != fs[0].Fingerprint {
		t.Errorf("fingerprint changed between runs")
	}

	// SARIF carries the commit in the result's properties.
	_, sarif, _ := runGitCmd(t, r.dir, "--config", cfg, "--format", "sarif")
	if !strings.Contains(sarif, `"commit": "`+added+`"`) {
		t.Errorf("SARIF has no commit property")
	}

	// --range over the commits after the leak: clean.
	if code, _, errOut := runGitCmd(t, r.dir, "--config", cfg, "--range", added+"..HEAD"); code != ExitClean {
		t.Errorf("--range after the leak: exit %d: %s", code, errOut)
	}
	if code, _, _ := runGitCmd(t, r.dir, "--config", cfg, "--range", base+"..HEAD"); code != ExitFindings {
		t.Errorf("--range over the leak: exit %d", code)
	}
	if code, _, _ := runGitCmd(t, r.dir, "--config", cfg, "--max-commits", "1"); code != ExitClean {
		t.Errorf("--max-commits 1: exit %d", code)
	}
	if code, _, _ := runGitCmd(t, r.dir, "--config", cfg, "--since", "2030-01-01"); code != ExitClean {
		t.Errorf("--since in the future: exit %d", code)
	}
	if code, _, _ := runGitCmd(t, r.dir, "--config", cfg, "--branch", "main"); code != ExitFindings {
		t.Errorf("--branch main: exit %d", code)
	}

	// A file:// URL is cloned and scanned; the report names the URL.
	code, out, errOut = runGitCmd(t, "file://"+r.dir, "--config", cfg, "--format", "json")
	if code != ExitFindings || !strings.Contains(out, `"repository": "file://`) {
		t.Errorf("file:// URL: exit %d: %s %s", code, out, errOut)
	}

	// Usage errors: not a repository, unknown revision, bad --since.
	for _, args := range [][]string{
		{t.TempDir()},
		{r.dir, "--range", "nosuch..HEAD"},
		{r.dir, "--branch", "nosuch"},
		{r.dir, "--since", "yesterday-ish"},
		{filepath.Join(r.dir, "missing")},
	} {
		if code, _, errOut := runGitCmd(t, append(args, "--config", cfg)...); code != ExitUsage {
			t.Errorf("%v: exit %d, want 2: %s", args, code, errOut)
		}
	}
}

func TestGitStagedEndToEnd(t *testing.T) {
	t.Parallel()
	cfg := writeGitTestConfig(t)
	// No commits yet: the staged file is still scanned.
	r := newGitRepo(t)
	tok := gitToken()
	r.write("app/config.yml", "token: "+tok+"\n")
	r.git(nil, "add", "-A")
	code, out, errOut := runGitCmd(t, r.dir, "--staged", "--config", cfg, "--format", "json")
	if code != ExitFindings {
		t.Fatalf("exit %d, want 1: %s", code, errOut)
	}
	var fs []gitFinding
	if err := json.Unmarshal([]byte(out), &fs); err != nil || len(fs) != 1 || fs[0].File != "app/config.yml" || fs[0].Line != 1 || fs[0].Commit != "" {
		t.Fatalf("findings = %+v (%v)", fs, err)
	}
	// Committed, nothing staged: clean.
	r.commit("add config")
	if code, _, errOut := runGitCmd(t, r.dir, "--staged", "--config", cfg); code != ExitClean {
		t.Errorf("nothing staged: exit %d: %s", code, errOut)
	}
	if code, _, _ := runGitCmd(t, r.dir, "--staged", "--range", "a..b"); code != ExitUsage {
		t.Errorf("--staged with --range: exit %d, want 2", code)
	}
}

func TestParseSince(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2024-01-31T00:00:00Z": time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC),
		"72h":                  now.Add(-72 * time.Hour),
		"30d":                  now.AddDate(0, 0, -30),
		"2w":                   now.AddDate(0, 0, -14),
		"3 days ago":           now.AddDate(0, 0, -3),
	} {
		got, err := parseSince(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseSince("2024-01-31", now); err != nil {
		t.Errorf("date: %v", err)
	}
	if _, err := parseSince("soon", now); err == nil {
		t.Error("parseSince(soon): no error")
	}
}
