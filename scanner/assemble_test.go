package scanner

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/internal/plainfile"
	"github.com/leakhound/leakhound/scanner/source/dir"
)

// tree writes files under a new directory and returns it.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// scanTree runs a real directory scan of root with its own files as the
// scanned tree's config and ignore files.
func scanTree(t *testing.T, root string, o Options) (Result, error) {
	t.Helper()
	src, err := dir.New(dir.Options{Paths: []string{root}})
	if err != nil {
		t.Fatal(err)
	}
	o.Target, o.Source = root, src
	o.Repo = &Repo{Files: plainfile.Dir(root), Name: "the scanned tree"}
	return Run(context.Background(), o)
}

// TestScannedTreeCannotDecideItsResult is the attack of a hostile
// repository: its own config or ignore file hides its own secret.
func TestScannedTreeCannotDecideItsResult(t *testing.T) {
	t.Parallel()
	tok := detectortest.GitHubToken("ghp_")
	secret := "token = \"" + tok + "\"\n"
	trusted := filepath.Join(t.TempDir(), "trusted.toml")
	if err := os.WriteFile(trusted, []byte("[extend]\nuseDefault = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("config with no rules is an error", func(t *testing.T) {
		t.Parallel()
		root := tree(t, map[string]string{"app.py": secret, ".gitleaks.toml": "# nothing to see\n"})
		_, err := scanTree(t, root, Options{})
		var ce *ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "no rules") {
			t.Fatalf("err = %v, want a ConfigError about no rules", err)
		}
		res, err := scanTree(t, root, Options{RulesetOptions: RulesetOptions{NoRepoConfig: true}})
		if err != nil || len(res.Findings) != 1 || res.Summary.Config != "built-in rules" {
			t.Fatalf("--no-repo-config: %v, %d findings, config %q", err, len(res.Findings), res.Summary.Config)
		}
	})

	t.Run("allowlist of every path is shown", func(t *testing.T) {
		t.Parallel()
		root := tree(t, map[string]string{"app.py": secret,
			".gitleaks.toml": "[extend]\nuseDefault = true\n[[allowlists]]\npaths = ['''.*''']\n"})
		res, err := scanTree(t, root, Options{})
		if err != nil {
			t.Fatal(err)
		}
		s := res.Summary
		if len(res.Findings) != 0 || !strings.Contains(s.Config, ".gitleaks.toml from the scanned tree") || s.Suppressed["global allowlists"] == 0 {
			t.Fatalf("findings %d, config %q, suppressed %v", len(res.Findings), s.Config, s.Suppressed)
		}
		res, err = scanTree(t, root, Options{RulesetOptions: RulesetOptions{NoRepoConfig: true}})
		if err != nil || len(res.Findings) != 1 {
			t.Fatalf("--no-repo-config: %v, %d findings", err, len(res.Findings))
		}
	})

	t.Run("ignore file loses to a trusted config", func(t *testing.T) {
		t.Parallel()
		root := tree(t, map[string]string{"app.py": secret, ".gitleaksignore": finding.HashSecret(tok) + "\n"})
		res, err := scanTree(t, root, Options{})
		if err != nil || len(res.Findings) != 0 || res.Summary.Suppressed[".gitleaksignore"] != 1 {
			t.Fatalf("tree's own ignore file: %v, %d findings, suppressed %v", err, len(res.Findings), res.Summary.Suppressed)
		}
		res, err = scanTree(t, root, Options{RulesetOptions: RulesetOptions{Config: trusted}})
		if err != nil || len(res.Findings) != 1 {
			t.Fatalf("with --config: %v, %d findings", err, len(res.Findings))
		}
		if !strings.Contains(res.Summary.Config, "trusted.toml (extends the built-in rules)") {
			t.Errorf("config %q", res.Summary.Config)
		}
	})

	t.Run("extend may not leave the tree", func(t *testing.T) {
		t.Parallel()
		for _, p := range []string{"/dev/zero", "../../etc/passwd", trusted} {
			root := tree(t, map[string]string{"app.py": secret, ".leakhound.toml": "[extend]\npath = '" + p + "'\n"})
			_, err := scanTree(t, root, Options{})
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("extend %s: err = %v, want ConfigError", p, err)
			}
		}
	})
}

// TestTreeFilesThatWouldHang: a FIFO or device where a config or ignore
// file is expected is refused at once.
func TestTreeFilesThatWouldHang(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no FIFOs")
	}
	for _, name := range []string{".leakhoundignore", ".leakhound.toml"} {
		root := tree(t, map[string]string{"app.py": "x = 1\n"})
		if err := syscall.Mkfifo(filepath.Join(root, name), 0o644); err != nil {
			t.Skip("mkfifo:", err)
		}
		_, err := scanTree(t, root, Options{})
		var ce *ConfigError
		if !errors.As(err, &ce) || !errors.Is(err, plainfile.ErrNotRegular) {
			t.Errorf("%s as a FIFO: err = %v", name, err)
		}
	}
	// A user's config that extends /dev/zero.
	cfg := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(cfg, []byte("[extend]\npath = '/dev/zero'\n"), 0o644)
	_, err := scanTree(t, tree(t, nil), Options{RulesetOptions: RulesetOptions{Config: cfg}})
	if !errors.Is(err, plainfile.ErrNotRegular) {
		t.Errorf("extend /dev/zero: %v", err)
	}
}

func TestReportFile(t *testing.T) {
	t.Parallel()
	tok := detectortest.GitHubToken("ghp_")
	root := tree(t, map[string]string{"app.py": "token = \"" + tok + "\"\n"})
	outDir := t.TempDir()

	t.Run("a planted link is replaced, not followed", func(t *testing.T) {
		t.Parallel()
		victim := filepath.Join(outDir, "bashrc")
		if err := os.WriteFile(victim, []byte("export PATH=/usr/bin\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(outDir, "report.json")
		if err := os.Symlink(victim, out); err != nil {
			t.Fatal(err)
		}
		res, err := scanTree(t, root, Options{Report: ReportOptions{Format: "json", Path: out}})
		if err != nil || len(res.Findings) != 1 {
			t.Fatalf("%v, %d findings", err, len(res.Findings))
		}
		if b, _ := os.ReadFile(victim); string(b) != "export PATH=/usr/bin\n" {
			t.Errorf("link target written: %q", b)
		}
		st, err := os.Lstat(out)
		if err != nil || !st.Mode().IsRegular() {
			t.Fatalf("report: %v %v", st, err)
		}
		if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
			t.Errorf("report mode %v, want 0600", st.Mode().Perm())
		}
		if b, _ := os.ReadFile(out); !strings.Contains(string(b), `"rule_id"`) || strings.Contains(string(b), tok) {
			t.Errorf("report: %s", b)
		}
	})

	t.Run("a failed write keeps the old report and the summary", func(t *testing.T) {
		t.Parallel()
		res, err := scanTree(t, root, Options{Report: ReportOptions{Format: "json", Writer: failingWriter{}}})
		var re *ReportError
		if !errors.As(err, &re) || res.Summary.Findings != 1 || res.Summary.Files == 0 {
			t.Fatalf("err %v, summary %+v", err, res.Summary)
		}
		// A write to a path that fails keeps the old report whole and
		// leaves no temporary file beside it. The directory is this
		// subtest's own: the others write reports, through temporary
		// files, at the same time.
		dir := t.TempDir()
		old := filepath.Join(dir, "report.json")
		if err := os.WriteFile(old, []byte("old report\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		err = WriteFile(old, func(w io.Writer) error {
			if _, err := w.Write(make([]byte, 128<<10)); err != nil {
				return err
			}
			return syscall.ENOSPC
		})
		if !errors.Is(err, syscall.ENOSPC) {
			t.Errorf("WriteFile: %v", err)
		}
		if b, _ := os.ReadFile(old); string(b) != "old report\n" {
			t.Errorf("old report now %q", b)
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Name() != "report.json" {
				t.Errorf("file left: %s", e.Name())
			}
		}
	})

	t.Run("an unwritable path fails before the scan", func(t *testing.T) {
		t.Parallel()
		_, err := scanTree(t, root, Options{Report: ReportOptions{Format: "json", Path: filepath.Join(outDir, "missing", "r.json")}})
		var ce *ConfigError
		if !errors.As(err, &ce) || !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("baseline round trip", func(t *testing.T) {
		t.Parallel()
		base := filepath.Join(t.TempDir(), "baseline.json")
		if _, err := scanTree(t, root, Options{Report: ReportOptions{Baseline: base}}); err != nil {
			t.Fatal(err)
		}
		b1, _ := os.ReadFile(base)
		if bytes.Contains(b1, []byte(tok)) || !bytes.Contains(b1, []byte(`"fingerprint"`)) {
			t.Fatalf("baseline: %s", b1)
		}
		res, err := scanTree(t, root, Options{Baselines: []string{base}, Report: ReportOptions{Baseline: base}})
		if err != nil || len(res.Findings) != 0 || res.Summary.Suppressed[base] != 1 {
			t.Fatalf("%v, %d findings, suppressed %v", err, len(res.Findings), res.Summary.Suppressed)
		}
		// Nothing left to write: the new baseline is empty, and stable.
		b2, _ := os.ReadFile(base)
		if string(b2) != "[\n]\n" {
			t.Errorf("second baseline: %q", b2)
		}
	})
}

type failingWriter struct{}

func (failingWriter) Write(p []byte) (int, error) { return 0, syscall.ENOSPC }

func TestStaleEntriesAreReported(t *testing.T) {
	t.Parallel()
	root := tree(t, map[string]string{"app.py": "x = 1\n", ".leakhoundignore": "# known\n0123456789abcdef0123456789abcdef # old key\n"})
	res, err := scanTree(t, root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Summary.Warnings) != 1 || !strings.Contains(res.Summary.Warnings[0], ".leakhoundignore:2") {
		t.Errorf("warnings %q", res.Summary.Warnings)
	}
}

func TestSelectRules(t *testing.T) {
	t.Parallel()
	load := func(ids, tags []string) ([]string, error) {
		rs, err := LoadRuleset(RulesetOptions{Rules: ids, Tags: tags})
		if err != nil {
			return nil, err
		}
		var out []string
		for _, r := range rs.Config.Rules {
			out = append(out, r.ID)
		}
		return out, nil
	}
	got, err := load([]string{"github-*"}, nil)
	if err != nil || len(got) < 3 {
		t.Fatalf("github-*: %v %v", got, err)
	}
	for _, id := range got {
		if !strings.HasPrefix(id, "github-") {
			t.Errorf("github-* selected %s", id)
		}
	}
	if got, err := load(nil, []string{"aws"}); err != nil || len(got) == 0 {
		t.Errorf("--tag aws: %v %v", got, err)
	}
	for _, bad := range [][2][]string{{{"no-such-rule"}, nil}, {nil, {"no-such-tag"}}} {
		var ce *ConfigError
		if _, err := load(bad[0], bad[1]); !errors.As(err, &ce) {
			t.Errorf("%v: err = %v, want ConfigError", bad, err)
		}
	}
}
