package cmd

import (
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/finding"
)

// TestRangeReadsConfigAtBase: a pull request that adds a secret and, beside
// it, a config and an ignore file that would hide it, still fails: a
// --range scan reads the repository's own config at the range's base.
func TestRangeReadsConfigAtBase(t *testing.T) {
	t.Parallel()
	r := newGitRepo(t)
	// The base's own config is honoured: it allowlists fixtures/.
	r.write(".leakhound.toml", "[extend]\nuseDefault = true\n[[allowlists]]\npaths = ['''^fixtures/''']\n")
	r.write("README.md", "app\n")
	r.commit("base")
	r.git(nil, "checkout", "-q", "-b", "pr")
	tok := detectortest.GitHubToken("ghp_")
	fixture := detectortest.GitHubToken("ghp_")
	r.write("deploy.env", "GITHUB_TOKEN="+tok+"\n")
	r.write("fixtures/test.env", "GITHUB_TOKEN="+fixture+"\n")
	r.write(".leakhound.toml", "[extend]\nuseDefault = true\n[[allowlists]]\npaths = ['''.*''']\n")
	r.write(".gitleaksignore", finding.HashSecret(tok)+"\n")
	r.commit("add deploy config")

	code, out, errOut := runGitCmd(t, "--format", "json", "--range", "main..pr", r.dir)
	if code != ExitFindings {
		t.Fatalf("the pull request's own allowlist hid its secret: exit %d: %s", code, errOut)
	}
	fs := decode(t, out)
	if len(fs) != 1 || fs[0].File != "deploy.env" {
		t.Errorf("findings %+v", fs)
	}
	if !strings.Contains(errOut, ".leakhound.toml from base commit") {
		t.Errorf("summary does not name the base's config: %s", errOut)
	}
	// A full history scan of the same checkout reads the work tree (the
	// user's own repository), where the allowlist hides everything.
	if code, _, errOut = runGitCmd(t, r.dir); code != ExitClean || !strings.Contains(errOut, "from the scanned tree") {
		t.Errorf("full scan: exit %d: %s", code, errOut)
	}
}
