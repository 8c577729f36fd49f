package cmd

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// --new-only reports only secrets the range introduces, even when the
// same secret is in another file before it, or was deleted long ago.
func TestGitNewOnly(t *testing.T) {
	t.Parallel()
	cfg := writeGitTestConfig(t)
	r := newGitRepo(t)
	old, moved, fresh := gitToken(), gitToken(), gitToken()
	r.write("legacy/old.env", "TOKEN="+old+"\n")
	r.write("config/app.env", "TOKEN="+moved+"\n")
	r.commit("add tokens")
	r.git(nil, "rm", "-q", "legacy/old.env")
	r.commit("remove the legacy token") // gone from the tree, still in history
	r.git(nil, "checkout", "-q", "-b", "feature")
	r.write("copied/old.env", "TOKEN="+old+"\n")   // deleted before the range
	r.write("deploy/app.env", "TOKEN="+moved+"\n") // in another file before the range
	r.write("deploy/new.env", "TOKEN="+fresh+"\n") // new
	r.commit("copy tokens around, add one")

	secrets := func(out string) []string {
		t.Helper()
		var fs []gitFinding
		if err := json.Unmarshal([]byte(out), &fs); err != nil {
			t.Fatalf("bad JSON: %v\n%s", err, out)
		}
		var got []string
		for _, f := range fs {
			got = append(got, f.Secret)
		}
		slices.Sort(got)
		return got
	}
	args := []string{r.dir, "--config", cfg, "--range", "main..feature", "--format", "json", "--reveal"}
	code, out, errOut := runGitCmd(t, args...)
	all := []string{old, moved, fresh}
	slices.Sort(all)
	if code != ExitFindings || !slices.Equal(secrets(out), all) {
		t.Fatalf("plain range: exit %d, secrets %v, want all three: %s", code, secrets(out), errOut)
	}
	code, out, errOut = runGitCmd(t, append(args, "--new-only")...)
	if code != ExitFindings || !slices.Equal(secrets(out), []string{fresh}) {
		t.Fatalf("--new-only: exit %d, secrets %v, want only the new one: %s", code, secrets(out), errOut)
	}
	for _, want := range []string{"--new-only: 2 secrets already in the history of main", "2 suppressed (already in history before the range 2)"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	// Nothing new: a clean exit.
	r.git(nil, "checkout", "-q", "main")
	r.git(nil, "checkout", "-q", "-b", "only-old")
	r.write("again.env", "TOKEN="+old+"\n")
	r.commit("reuse the old token")
	if code, out, errOut := runGitCmd(t, r.dir, "--config", cfg, "--range", "main..only-old", "--new-only"); code != ExitClean {
		t.Errorf("only old secrets: exit %d: %s %s", code, out, errOut)
	}

	for _, bad := range [][]string{{"--new-only"}, {"--new-only", "--staged"}, {"--new-only", "--range", "nosuch..feature"}} {
		if code, _, errOut := runGitCmd(t, append([]string{r.dir, "--config", cfg}, bad...)...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d: %s", bad, code, ExitUsage, errOut)
		}
	}
}

// baseline create writes what a scan finds now, sorted, with no lines or
// times; later scans with --baseline report only new secrets, even after
// the old ones move.
func TestBaselineCreate(t *testing.T) {
	t.Parallel()
	cfg := writeGitTestConfig(t)
	a, b := gitToken(), gitToken()
	dir := writeFiles(t, map[string]string{
		"b/app.env": "TOKEN=" + b + "\n",
		"a/app.env": "x\nTOKEN=" + a + "\n",
	})
	base := filepath.Join(t.TempDir(), "baseline.json")
	code, out, errOut := run(t, "", "baseline", "create", "-o", base, "--config", cfg, "dir", dir)
	if code != ExitClean || out != "" {
		t.Fatalf("exit %d, stdout %q: %s", code, out, errOut)
	}
	if !strings.Contains(errOut, "wrote baseline "+base+": 2 entries") {
		t.Errorf("stderr: %s", errOut)
	}
	first, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	var entries []map[string]any
	if err := json.Unmarshal(first, &entries); err != nil || len(entries) != 2 {
		t.Fatalf("baseline %s: %v", first, err)
	}
	if entries[0]["file"] != "a/app.env" || entries[1]["file"] != "b/app.env" {
		t.Errorf("not sorted by file: %s", first)
	}
	for _, e := range entries {
		for _, k := range []string{"line", "date", "commit", "secret"} {
			if _, ok := e[k]; ok {
				t.Errorf("baseline entry has %q: %v", k, e)
			}
		}
	}
	if bytes.Contains(first, []byte(a)) || bytes.Contains(first, []byte(b)) {
		t.Error("baseline holds a secret")
	}

	// Code moves: the baseline still covers it, and regenerating it gives
	// the same bytes (nothing to review, nothing to merge).
	os.WriteFile(filepath.Join(dir, "a/app.env"), []byte("moved\ndown\nthree\nlines\nTOKEN="+a+"\n"), 0o644)
	if code, _, errOut := run(t, "", "dir", dir, "--config", cfg, "--baseline", base); code != ExitClean {
		t.Errorf("moved secret revived: exit %d: %s", code, errOut)
	}
	if code, _, errOut := run(t, "", "baseline", "create", "-o", base, "--config", cfg, "dir", dir); code != ExitClean {
		t.Fatalf("regenerate: exit %d: %s", code, errOut)
	}
	if again, _ := os.ReadFile(base); !bytes.Equal(again, first) {
		t.Errorf("regenerated baseline differs:\n%s\n---\n%s", again, first)
	}

	// A new secret still fails the build, and is the only one reported.
	c := gitToken()
	os.WriteFile(filepath.Join(dir, "c.env"), []byte("TOKEN="+c+"\n"), 0o644)
	code, out, errOut = run(t, "", "dir", dir, "--config", cfg, "--baseline", base, "--format", "json", "--reveal")
	if fs := decode(t, out); code != ExitFindings || len(fs) != 1 || fs[0].Secret != c {
		t.Errorf("new secret: exit %d, findings %s: %s", code, out, errOut)
	}

	// History too: --output names the baseline, and nothing goes to
	// stdout.
	r := newGitRepo(t)
	r.write("k.env", "TOKEN="+a+"\n")
	r.commit("add")
	gbase := filepath.Join(t.TempDir(), "git-baseline.json")
	if code, out, errOut := run(t, "", "baseline", "create", "--output", gbase, "--config", cfg, "git", r.dir); code != ExitClean || out != "" {
		t.Fatalf("git: exit %d: %s %s", code, out, errOut)
	}
	if code, _, errOut := run(t, "", "git", r.dir, "--config", cfg, "--baseline", gbase); code != ExitClean {
		t.Errorf("git with its baseline: exit %d: %s", code, errOut)
	}

	// --baseline would leave findings out of the new baseline: refused.
	if code, _, errOut := run(t, "", "baseline", "create", "-o", base, "--baseline", base, "--config", cfg, "dir", dir); code != ExitUsage {
		t.Errorf("--baseline with baseline create: exit %d: %s", code, errOut)
	}
}
