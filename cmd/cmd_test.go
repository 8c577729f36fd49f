package cmd

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors/detectortest"
)

// run runs the CLI in-process and returns exit code, stdout and stderr.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	io, out, errOut := TestStreams(stdin)
	code := Run(context.Background(), args, io)
	return code, out.String(), errOut.String()
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type jsonFinding struct {
	RuleID      string  `json:"rule_id"`
	Secret      string  `json:"secret"`
	Match       string  `json:"match"`
	File        string  `json:"file"`
	Line        int     `json:"line"`
	Column      int     `json:"column"`
	Fingerprint string  `json:"fingerprint"`
	Entropy     float64 `json:"entropy"`
}

func decode(t *testing.T, s string) []jsonFinding {
	t.Helper()
	var fs []jsonFinding
	if err := json.Unmarshal([]byte(s), &fs); err != nil {
		t.Fatalf("bad JSON %q: %v", s, err)
	}
	return fs
}

func TestDirFindingsJSONAndRedaction(t *testing.T) {
	t.Parallel()
	pw := detectortest.Password()
	dir := writeFiles(t, map[string]string{
		"app/.env":          "DB_PASSWORD=" + pw + "\n",
		"app/ok.env":        "DB_PASSWORD=${DB_PASSWORD}\n",
		".git/config":       "DB_PASSWORD=" + detectortest.Password() + "\n",
		"node_modules/x.sh": "DB_PASSWORD=" + detectortest.Password() + "\n",
	})
	code, out, errOut := run(t, "", "dir", dir, "--format", "json", "--exclude", "node_modules/")
	if code != ExitFindings {
		t.Fatalf("exit %d, want 1; stderr: %s", code, errOut)
	}
	fs := decode(t, out)
	if len(fs) != 1 {
		t.Fatalf("%d findings, want 1: %s", len(fs), out)
	}
	f := fs[0]
	if f.File != "app/.env" || f.Line != 1 || f.Column != 13 || f.RuleID != "generic-secret-config" {
		t.Errorf("finding = %+v", f)
	}
	if strings.Contains(out, pw) || strings.Contains(errOut, pw) {
		t.Errorf("secret printed without --reveal")
	}
	if !strings.Contains(errOut, "excluded 2") {
		t.Errorf("summary does not count the excluded node_modules/ and .git/: %s", errOut)
	}
	_, out, _ = run(t, "", "dir", dir, "--format", "json", "--reveal", "--exclude", "node_modules/")
	if fs := decode(t, out); len(fs) != 1 || fs[0].Secret != pw {
		t.Errorf("--reveal did not show the secret: %s", out)
	}
	// Same secret, same place: same fingerprint across runs.
	_, out2, _ := run(t, "", "dir", dir, "--format", "json", "--exclude", "node_modules/")
	if decode(t, out2)[0].Fingerprint != f.Fingerprint {
		t.Errorf("fingerprint not stable across runs")
	}
}

func TestEveryFormatRedacts(t *testing.T) {
	t.Parallel()
	pw := detectortest.Password()
	dir := writeFiles(t, map[string]string{"config.yaml": "api_token: " + pw + "\n"})
	for _, format := range []string{"text", "json", "jsonl", "sarif", "csv"} {
		code, out, errOut := run(t, "", "dir", dir, "--format", format)
		if code != ExitFindings {
			t.Fatalf("%s: exit %d: %s", format, code, errOut)
		}
		if strings.Contains(out+errOut, pw) {
			t.Errorf("%s: secret printed", format)
		}
		if !strings.Contains(out, "config.yaml") {
			t.Errorf("%s: no location in output", format)
		}
	}
}

func TestOutputFile(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"x.env": "SECRET_KEY=" + detectortest.Password() + "\n"})
	out := filepath.Join(t.TempDir(), "report.sarif")
	code, stdout, _ := run(t, "", "dir", dir, "--format", "sarif", "--output", out)
	if code != ExitFindings || stdout != "" {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	data, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(data), `"version": "2.1.0"`) {
		t.Fatalf("report file: %v %s", err, data)
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	clean := writeFiles(t, map[string]string{"a.txt": "nothing to see\n"})
	if code, _, errOut := run(t, "", "dir", clean); code != ExitClean {
		t.Errorf("clean tree: exit %d: %s", code, errOut)
	}
	if code, _, _ := run(t, "", "dir", clean, "--no-such-flag"); code != ExitUsage {
		t.Errorf("bad flag: exit %d", code)
	}
	if code, _, _ := run(t, "", "dir", filepath.Join(clean, "missing")); code != ExitUsage {
		t.Errorf("missing path: exit %d", code)
	}
	if code, _, _ := run(t, "", "dir", clean, "--format", "xml"); code != ExitUsage {
		t.Errorf("bad format: exit %d", code)
	}
	if code, _, _ := run(t, "", "dir", clean, "--rule", "no-such-rule"); code != ExitUsage {
		t.Errorf("unknown --rule: exit %d", code)
	}

	cfgDir := writeFiles(t, map[string]string{
		"syntax.toml": "[[rules]]\nid = \"x\"\nregex = '''unterminated\n",
		"regex.toml":  "[[rules]]\nid = \"bad-regex-rule\"\ndescription = \"d\"\nregex = '''(unclosed'''\nkeywords = [\"x\"]\n",
	})
	code, _, errOut := run(t, "", "dir", clean, "--config", filepath.Join(cfgDir, "syntax.toml"))
	if code != ExitUsage || !strings.Contains(errOut, "syntax.toml") {
		t.Errorf("TOML syntax error: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = run(t, "", "dir", clean, "--config", filepath.Join(cfgDir, "regex.toml"))
	if code != ExitUsage || !strings.Contains(errOut, "bad-regex-rule") || !strings.Contains(errOut, "regex.toml") {
		t.Errorf("bad regex: exit %d, stderr %q", code, errOut)
	}

	if runtime.GOOS == "linux" {
		// Reading /proc/self/mem at offset 0 fails with EIO even as root:
		// a file that can't be read, so the scan must say so with exit 3.
		code, _, errOut = run(t, "", "dir", "/proc/self/mem")
		if code != ExitErrors || !strings.Contains(errOut, "1 errors") {
			t.Errorf("unreadable file: exit %d, stderr %q", code, errOut)
		}
	}
}

func TestBadInputsDoNotStopTheScan(t *testing.T) {
	t.Parallel()
	pw := detectortest.Password()
	dir := writeFiles(t, map[string]string{
		"latin1.env":   "caf\xe9=\xff\xfe\nAPI_SECRET=" + pw + "\n",
		"big/line.txt": strings.Repeat("x", 3<<20),
		"pic.dat":      "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
		"empty/.keep":  "",
	})
	if err := os.Symlink("..", filepath.Join(dir, "big", "loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc", filepath.Join(dir, "outside")); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "", "dir", dir, "--format", "jsonl", "--max-file-size", "1MiB")
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"latin1.env"`) {
		t.Errorf("secret after invalid UTF-8 not found: %s", out)
	}
	for _, want := range []string{"too large 1", "media: png 1", "symlink 2"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("summary lacks %q: %s", want, errOut)
		}
	}

	empty := t.TempDir()
	code, _, errOut = run(t, "", "dir", empty)
	if code != ExitClean || !strings.Contains(errOut, "scanned 0 files") {
		t.Errorf("empty dir: exit %d: %s", code, errOut)
	}
}

func TestStdin(t *testing.T) {
	t.Parallel()
	pw := detectortest.Password()
	input := strings.Repeat("filler\n", 1000) + "password = \"" + pw + "\"\n"
	code, out, errOut := run(t, input, "stdin", "--name", "piped.py", "--format", "json")
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	fs := decode(t, out)
	if len(fs) != 1 || fs[0].File != "piped.py" || fs[0].Line != 1001 {
		t.Fatalf("findings %+v", fs)
	}
	// A long single line read in chunks: the secret at its end is found.
	code, out, _ = run(t, strings.Repeat("a", 3<<20)+" password = \""+pw+"\"", "stdin", "--format", "json")
	if code != ExitFindings || len(decode(t, out)) != 1 {
		t.Fatalf("long line: exit %d, %s", code, out)
	}
}

// TestSettingsOutsideConfigFiles: KEY=value settings in what is neither
// source code nor a known config extension (a file named credentials, a
// shell's dot-files, a log, an env dump piped in) are read as settings.
func TestSettingsOutsideConfigFiles(t *testing.T) {
	t.Parallel()
	pw := detectortest.Password()
	names := []string{"credentials", "deploy/secrets", ".bashrc", ".profile", ".git-credentials", "logs/build.log"}
	files := map[string]string{}
	for _, n := range names {
		files[n] = "# settings\nexport API_TOKEN=" + pw + "\n"
	}
	code, out, errOut := run(t, "", "dir", writeFiles(t, files), "--format", "json")
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got := map[string]bool{}
	for _, f := range decode(t, out) {
		if f.Line == 2 && f.RuleID == "generic-secret-config" {
			got[f.File] = true
		}
	}
	for _, n := range names {
		if !got[n] {
			t.Errorf("%s: no finding on line 2 in %s", n, out)
		}
	}
	// `env | leakhound stdin`, under the default name.
	code, out, errOut = run(t, "HOME=/root\nAPI_TOKEN="+pw+"\n", "stdin", "--format", "json")
	if fs := decode(t, out); code != ExitFindings || len(fs) != 1 || fs[0].File != "stdin" || fs[0].Line != 2 {
		t.Fatalf("stdin: exit %d, %+v, %s", code, fs, errOut)
	}
	// `git diff | leakhound stdin --name changes.diff` (the help's
	// example): an added line and a removed one.
	pw2 := detectortest.Password()
	diff := "diff --git a/.env b/.env\n--- a/.env\n+++ b/.env\n@@ -1,2 +1,2 @@\n PORT=8080\n+DB_PASSWORD=" + pw + "\n-DB_PASSWORD=" + pw2 + "\n"
	code, out, errOut = run(t, diff, "stdin", "--name", "changes.diff", "--format", "json")
	fs := decode(t, out)
	if code != ExitFindings || len(fs) != 2 || fs[0].Line != 6 || fs[1].Line != 7 {
		t.Fatalf("diff: exit %d, %+v, %s", code, fs, errOut)
	}
}

func TestInlineAllowAndIgnoreFile(t *testing.T) {
	t.Parallel()
	pw1, pw2 := detectortest.Password(), detectortest.Password()
	dir := writeFiles(t, map[string]string{
		"a.env": "TOKEN=" + pw1 + " # leakhound:allow\nOTHER_TOKEN=" + pw2 + "\n",
	})
	code, out, _ := run(t, "", "dir", dir, "--format", "json")
	fs := decode(t, out)
	if code != ExitFindings || len(fs) != 1 || fs[0].Line != 2 {
		t.Fatalf("exit %d, findings %+v", code, fs)
	}
	if err := os.WriteFile(filepath.Join(dir, ".leakhoundignore"), []byte("# known\n"+fs[0].Fingerprint+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := run(t, "", "dir", dir, "--format", "json"); code != ExitClean || strings.TrimSpace(out) != "[]" {
		t.Fatalf("ignore file not honoured: exit %d %s", code, out)
	}
	// gitleaks' own ignore format, file:rule:line.
	if err := os.Remove(filepath.Join(dir, ".leakhoundignore")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".gitleaksignore"), []byte("a.env:generic-secret-config:2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := run(t, "", "dir", dir, "--format", "json"); code != ExitClean {
		t.Fatalf(".gitleaksignore not honoured: exit %d %s", code, out)
	}
}

func TestBaseline(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"a.env": "TOKEN=" + detectortest.Password() + "\n"})
	base := filepath.Join(t.TempDir(), "baseline.json")
	if code, _, _ := run(t, "", "dir", dir, "--format", "json", "--output", base); code != ExitFindings {
		t.Fatal("no finding to baseline")
	}
	if code, _, errOut := run(t, "", "dir", dir, "--baseline", base); code != ExitClean {
		t.Fatalf("baseline not honoured: exit %d %s", code, errOut)
	}
	if err := os.WriteFile(filepath.Join(dir, "b.env"), []byte("TOKEN="+detectortest.Password()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := run(t, "", "dir", dir, "--baseline", base); code != ExitFindings {
		t.Fatalf("new secret hidden by the baseline: exit %d", code)
	}
}

func TestConfigExtendAndRule(t *testing.T) {
	t.Parallel()
	secret := detectortest.Secret("acme_", detectortest.Base62, 24)
	dir := writeFiles(t, map[string]string{
		"src/a.go": "var k = \"" + secret + "\"\n",
		".leakhound.toml": `[extend]
useDefault = true
[[rules]]
id = "acme-key"
description = "Acme API key"
regex = '''acme_[A-Za-z0-9]{24}'''
keywords = ["acme_"]
severity = "high"
`,
	})
	code, out, errOut := run(t, "", "dir", dir, "--format", "json", "--reveal")
	fs := decode(t, out)
	if code != ExitFindings || len(fs) != 1 || fs[0].RuleID != "acme-key" || fs[0].Secret != secret {
		t.Fatalf("exit %d findings %+v %s", code, fs, errOut)
	}
	code, out, _ = run(t, "", "dir", dir, "--format", "json", "--rule", "acme-key")
	if code != ExitFindings || len(decode(t, out)) != 1 {
		t.Fatalf("--rule: exit %d %s", code, out)
	}
}

func TestRulesCommands(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, "", "rules", "list", "--format", "json")
	if code != ExitClean {
		t.Fatalf("exit %d", code)
	}
	var rows []struct {
		ID       string   `json:"id"`
		Severity string   `json:"severity"`
		Keywords []string `json:"keywords"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) == 0 {
		t.Fatalf("rules list json: %v %s", err, out)
	}
	dir := writeFiles(t, map[string]string{
		"good.toml": "[[rules]]\nid = \"r\"\ndescription = \"d\"\nregex = '''zz_[0-9]{8}'''\nkeywords = [\"zz_\"]\nexamples = [\"zz_12345678\"]\nnegative_examples = [\"zz_1234\"]\n",
		"bad.toml":  "[[rules]]\nid = \"r\"\ndescription = \"d\"\nregex = '''zz_[0-9]{8}'''\nkeywords = [\"zz_\"]\nexamples = [\"zz_1234\"]\n",
	})
	if code, out, _ := run(t, "", "rules", "test", filepath.Join(dir, "good.toml")); code != ExitClean || !strings.Contains(out, "0 failed") {
		t.Errorf("rules test good: exit %d %s", code, out)
	}
	if code, out, _ := run(t, "", "rules", "test", filepath.Join(dir, "bad.toml")); code != ExitFindings || !strings.Contains(out, "FAIL r") {
		t.Errorf("rules test bad: exit %d %s", code, out)
	}
	if code, out, _ := run(t, "", "version"); code != ExitClean || !strings.HasPrefix(out, "leakhound ") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestArchivesInDirAndStdin(t *testing.T) {
	t.Parallel()
	pw := detectortest.Password()
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, err := zw.Create("config/application.env")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("DB_PASSWORD=" + pw + "\n")); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	var tbuf bytes.Buffer
	gz := gzip.NewWriter(&tbuf)
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{Name: "lib/app.jar", Mode: 0o644, Size: int64(zbuf.Len()), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(zbuf.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	dir := writeFiles(t, map[string]string{"dist/bundle.tgz": tbuf.String()})
	code, out, errOut := run(t, "", "dir", dir, "--format", "json")
	if code != ExitFindings || !strings.Contains(out, "bundle.tgz!/lib/app.jar") || !strings.Contains(out, `"config/application.env"`) {
		t.Fatalf("nested archive member not found: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, _ := run(t, "", "dir", dir, "--archive-depth", "0"); code != ExitClean {
		t.Errorf("--archive-depth 0 still entered the archive: exit %d", code)
	}
	code, out, _ = run(t, tbuf.String(), "stdin", "--format", "json")
	if code != ExitFindings || !strings.Contains(out, "app.jar") {
		t.Fatalf("archive on stdin: exit %d %s", code, out)
	}
}

// TestRepositoryScansClean scans this repository with its own
// .leakhound.toml: every secret-shaped fixture must sit under the allowlist
// it declares, so none is ever mistaken for (or hides) a real leak.
func TestRepositoryScansClean(t *testing.T) {
	t.Parallel()
	code, out, errOut := run(t, "", "dir", "..", "--format", "jsonl", "--exclude", "benchmarks/out/", "--exclude", "/leakhound")
	if code != ExitClean {
		t.Fatalf("exit %d: findings in the repository:\n%s\n%s", code, out, errOut)
	}
}
