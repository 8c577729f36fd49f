package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func gitFindings(t *testing.T, out string) []gitFinding {
	t.Helper()
	var fs []gitFinding
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out)
	}
	return fs
}

// A shallow clone's cut history is an incomplete scan: exit 3 with a hint
// when nothing was found, exit 1 when what is there holds a secret; a
// --range whose base is outside the clone says it is shallow.
func TestGitShallowClone(t *testing.T) {
	t.Parallel()
	cfg := writeGitTestConfig(t)
	r := newGitRepo(t)
	tok := gitToken()
	r.write("old.env", "TOKEN="+tok+"\n")
	first := r.commit("old secret")
	r.git(nil, "rm", "-q", "old.env")
	r.commit("drop it")
	r.write("README", "clean\n")
	r.commit("tip")

	shallow := filepath.Join(t.TempDir(), "shallow")
	r.git(nil, "clone", "-q", "--depth", "1", "file://"+r.dir, shallow)
	code, _, errOut := runGitCmd(t, shallow, "--config", cfg)
	if code != ExitErrors {
		t.Errorf("shallow clone, secret only in the missing history: exit %d, want 3: %s", code, errOut)
	}
	if !strings.Contains(errOut, "shallow clone") || !strings.Contains(errOut, "git fetch --unshallow") || strings.Count(errOut, "shallow clone") != 1 {
		t.Errorf("want one shallow-clone hint on stderr: %s", errOut)
	}

	// A secret in what the clone has: exit 1, the hint still given.
	r.write("new.env", "TOKEN="+gitToken()+"\n")
	r.commit("new secret")
	shallow2 := filepath.Join(t.TempDir(), "shallow2")
	r.git(nil, "clone", "-q", "--depth", "1", "file://"+r.dir, shallow2)
	code, _, errOut = runGitCmd(t, shallow2, "--config", cfg)
	if code != ExitFindings || !strings.Contains(errOut, "git fetch --unshallow") {
		t.Errorf("shallow clone with a secret at its tip: exit %d, want 1 with the hint: %s", code, errOut)
	}

	for _, rg := range []string{first + "..HEAD", "origin/nosuch..HEAD", "HEAD~3..HEAD"} {
		code, _, errOut = runGitCmd(t, shallow2, "--config", cfg, "--range", rg)
		if code != ExitUsage || !strings.Contains(errOut, "shallow clone") || !strings.Contains(errOut, "git fetch") {
			t.Errorf("--range %s in a shallow clone: exit %d, want 2 saying it is shallow: %s", rg, code, errOut)
		}
	}
}

// A secret in a commit message is a finding attributed to the commit, at
// its line in the message, with a fingerprint that does not change from
// run to run; every format shows it.
func TestGitCommitMessageSecret(t *testing.T) {
	t.Parallel()
	cfg := writeGitTestConfig(t)
	r := newGitRepo(t)
	r.write("a.txt", "a\n")
	r.commit("initial")
	tok := gitToken()
	c := r.commit("rotate the deploy token\n\nthe old one was " + tok + "\n")

	code, out, errOut := runGitCmd(t, r.dir, "--config", cfg, "--format", "json")
	if code != ExitFindings {
		t.Fatalf("exit %d, want 1: %s", code, errOut)
	}
	fs := gitFindings(t, out)
	if len(fs) != 1 {
		t.Fatalf("%d findings, want 1: %s", len(fs), out)
	}
	f := fs[0]
	if f.File != ".git/COMMIT_EDITMSG" || f.Line != 3 || f.Commit != c || f.Author != "Jane Doe" || f.Message != "rotate the deploy token" {
		t.Errorf("finding = %+v", f)
	}
	if strings.Contains(out+errOut, tok) {
		t.Errorf("secret printed without --reveal")
	}
	_, out2, _ := runGitCmd(t, r.dir, "--config", cfg, "--format", "json")
	if fs2 := gitFindings(t, out2); len(fs2) != 1 || fs2[0].Fingerprint != f.Fingerprint || f.Fingerprint == "" {
		t.Errorf("fingerprint not stable across runs")
	}
	for _, format := range []string{"text", "sarif", "csv", "jsonl"} {
		code, out, _ := runGitCmd(t, r.dir, "--config", cfg, "--format", format)
		if code != ExitFindings || !strings.Contains(out, "COMMIT_EDITMSG") || !strings.Contains(out, c[:7]) || strings.Contains(out, tok) {
			t.Errorf("%s: exit %d, location or commit missing, or secret shown:\n%s", format, code, out)
		}
	}
	// The fingerprint leaves the commit out: an ignore entry covers the
	// secret in this message.
	ignore := filepath.Join(t.TempDir(), "ignore")
	os.WriteFile(ignore, []byte(f.Fingerprint+"\n"), 0o644)
	if code, _, errOut := runGitCmd(t, r.dir, "--config", cfg, "--ignore-file", ignore); code != ExitClean {
		t.Errorf("ignored message finding: exit %d: %s", code, errOut)
	}
}

// Tags pointing at blobs and trees, lightweight and annotated, are
// scanned, and so are annotated tags' messages.
func TestGitTagsToBlobsAndTrees(t *testing.T) {
	t.Parallel()
	cfg := writeGitTestConfig(t)
	r := newGitRepo(t)
	r.write("README", "hello\n")
	r.commit("initial")
	blobTok, annBlobTok, treeTok, msgTok := gitToken(), gitToken(), gitToken(), gitToken()
	hashObject := func(content string) string {
		p := filepath.Join(t.TempDir(), "blob")
		os.WriteFile(p, []byte(content), 0o644)
		return r.git(nil, "hash-object", "-w", p)
	}
	r.git(nil, "tag", "signing-key", hashObject("KEY="+blobTok+"\n"))
	r.git(nil, "tag", "-a", "-m", "the key\n\nold: "+msgTok, "signing-key-2", hashObject("KEY="+annBlobTok+"\n"))
	r.write("conf/prod.env", "TOKEN="+treeTok+"\n")
	r.git(nil, "add", "conf/prod.env")
	tree := r.git(nil, "write-tree")
	r.git(nil, "reset", "-q", "--hard")
	r.git(nil, "tag", "-a", "-m", "config snapshot", "snapshot", tree)

	code, out, errOut := runGitCmd(t, r.dir, "--config", cfg, "--format", "json", "--reveal")
	if code != ExitFindings {
		t.Fatalf("exit %d, want 1: %s", code, errOut)
	}
	got := map[string]string{}
	for _, f := range gitFindings(t, out) {
		got[f.Secret] = f.File
	}
	want := map[string]string{
		blobTok:    "refs/tags/signing-key",
		annBlobTok: "refs/tags/signing-key-2",
		msgTok:     "refs/tags/signing-key-2^{tag}",
		treeTok:    "refs/tags/snapshot:conf/prod.env",
	}
	for tok, file := range want {
		if got[tok] != file {
			t.Errorf("%s: found at %q, want %q", tok, got[tok], file)
		}
	}
	if len(got) != len(want) {
		t.Errorf("findings %v, want %v", got, want)
	}
}

// `git clone --shared` of a repository whose history is only in loose
// objects: the clone's history is read from the alternate.
func TestGitSharedCloneOfLooseObjects(t *testing.T) {
	t.Parallel()
	cfg := writeGitTestConfig(t)
	r := newGitRepo(t)
	tok := gitToken()
	r.write("deploy.env", "TOKEN="+tok+"\n")
	c := r.commit("add")
	if packs, _ := filepath.Glob(filepath.Join(r.dir, ".git", "objects", "pack", "*.pack")); len(packs) != 0 {
		t.Fatalf("want loose objects only: %v", packs)
	}
	shared := filepath.Join(t.TempDir(), "shared")
	r.git(nil, "clone", "-q", "--shared", r.dir, shared)
	code, out, errOut := runGitCmd(t, shared, "--config", cfg, "--format", "json")
	if code != ExitFindings || strings.Contains(errOut, "error:") {
		t.Fatalf("exit %d, want 1 and no errors: %s", code, errOut)
	}
	if fs := gitFindings(t, out); len(fs) != 1 || fs[0].File != "deploy.env" || fs[0].Commit != c {
		t.Errorf("findings: %s", out)
	}
}

// A clone URL's credentials, as user info or in the query string, are
// in no output when the clone fails.
func TestGitCloneErrorHidesTokens(t *testing.T) {
	t.Parallel()
	tok1, tok2 := gitToken(), gitToken()
	for _, u := range []string{
		"https://user:" + tok1 + "@127.0.0.1:1/x.git?private_token=" + tok2,
		"https://" + tok1 + "@127.0.0.1:1/x.git?private_token=" + tok2,
	} {
		code, out, errOut := runGitCmd(t, u, "--format", "sarif")
		if code != ExitErrors {
			t.Errorf("exit %d, want 3: %s", code, errOut)
		}
		if strings.Contains(out+errOut, tok1) || strings.Contains(out+errOut, tok2) {
			t.Errorf("a token is printed:\n%s\n%s", out, errOut)
		}
		if !strings.Contains(errOut, "127.0.0.1:1") {
			t.Errorf("the error does not say what failed: %s", errOut)
		}
	}
}

// objects/info/alternates pointing at /dev/zero is a problem, not gigabytes
// read. Not parallel: the allocation count is the process's.
func TestGitAlternatesDevZero(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no /dev/zero")
	}
	cfg := writeGitTestConfig(t)
	r := newGitRepo(t)
	r.write("a.env", "TOKEN="+gitToken()+"\n")
	r.commit("add")
	alt := filepath.Join(r.dir, ".git", "objects", "info", "alternates")
	os.MkdirAll(filepath.Dir(alt), 0o755)
	if err := os.Symlink("/dev/zero", alt); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	code, _, errOut := runGitCmd(t, r.dir, "--config", cfg)
	runtime.ReadMemStats(&after)
	if code != ExitFindings || !strings.Contains(errOut, "objects/info/alternates") || !strings.Contains(errOut, "not a regular file") {
		t.Errorf("exit %d, want 1 with a problem naming the alternates file: %s", code, errOut)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 256<<20 {
		t.Errorf("the scan allocated %d MiB", n>>20)
	}
}
