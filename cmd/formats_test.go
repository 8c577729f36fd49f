package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/report"
)

// Every format, the new ones too, redacts end to end. The one-rule config
// keeps 16 scans cheap under -race.
func TestEveryFormatRedactsThroughTheCLI(t *testing.T) {
	t.Parallel()
	pw := detectortest.Token()
	dir := writeFiles(t, map[string]string{"config.yaml": "api_token: " + pw + "\n"})
	cfg := filepath.Join(t.TempDir(), "rules.toml")
	if err := os.WriteFile(cfg, []byte(detectortest.TokenRuleTOML), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range report.Formats() {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := run(t, "", "dir", dir, "--config", cfg, "--format", format)
			if code != ExitFindings {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if strings.Contains(out+errOut, pw) {
				t.Errorf("secret printed")
			}
			if !strings.Contains(out, "config.yaml") {
				t.Errorf("no location in output:\n%s", out)
			}
			code, out, _ = run(t, "", "dir", dir, "--config", cfg, "--format", format, "--reveal")
			if code != ExitFindings || !strings.Contains(out, pw) {
				t.Errorf("--reveal: exit %d, secret not shown", code)
			}
		})
	}
}

// What a format leaves out is said on stderr beside the summary.
func TestReportWarningsReachStderr(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for range 1200 {
		b.WriteString("token = " + detectortest.Token() + "\n")
	}
	dir := writeFiles(t, map[string]string{"many.txt": b.String()})
	cfg := filepath.Join(t.TempDir(), "rules.toml")
	if err := os.WriteFile(cfg, []byte(detectortest.TokenRuleTOML), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "", "dir", dir, "--config", cfg, "--format", "markdown")
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	shown := strings.Count(out, "\n| `test-token`")
	want := fmt.Sprintf("warning: markdown report: %d of 1200 findings left out to fit a comment", 1200-shown)
	if shown == 0 || shown == 1200 || !strings.Contains(errOut, want) {
		t.Errorf("%d rows shown; stderr lacks %q:\n%s", shown, want, errOut)
	}
	if _, _, errOut := run(t, "", "dir", dir, "--config", cfg, "--format", "markdown", "--quiet"); strings.Contains(errOut, "warning") {
		t.Errorf("--quiet printed a warning: %s", errOut)
	}
}
