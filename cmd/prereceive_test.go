package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// hookServer is a bare repository whose pre-receive hook runs leakhound
// (this test binary acting as the CLI), and a clone that pushes to it.
type hookServer struct {
	t      *testing.T
	server string
	client *gitRepo
}

func newHookServer(t *testing.T) *hookServer {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the hook is a shell script")
	}
	client := newGitRepo(t)
	server := filepath.Join(t.TempDir(), "server.git")
	client.git(nil, "init", "-q", "--bare", server)
	return &hookServer{t: t, server: server, client: client}
}

// hook installs hooks/pre-receive running `leakhound git --pre-receive`
// with args (nil: no hook).
func (p *hookServer) hook(args ...string) {
	p.t.Helper()
	name := filepath.Join(p.server, "hooks", "pre-receive")
	if args == nil {
		if err := os.Remove(name); err != nil && !os.IsNotExist(err) {
			p.t.Fatal(err)
		}
		return
	}
	exe, err := os.Executable()
	if err != nil {
		p.t.Fatal(err)
	}
	script := "#!/bin/sh\n" + runAsCLIEnv + "=1 exec " + shellQuote(exe) + " git --pre-receive"
	for _, a := range args {
		script += " " + shellQuote(a)
	}
	if err := os.WriteFile(name, []byte(script+"\n"), 0o755); err != nil {
		p.t.Fatal(err)
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// push runs a real git push to the server and returns whether it was
// accepted and what git printed (the hook's lines start with "remote:").
func (p *hookServer) push(args ...string) (bool, string) {
	p.t.Helper()
	cmd := exec.Command("git", append([]string{"push", "--porcelain", p.server}, args...)...)
	cmd.Dir = p.client.dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		p.t.Fatalf("git push: %v", err)
	}
	return err == nil, out.String()
}

// mustPush pushes and fails the test unless the push goes as wanted.
func (p *hookServer) mustPush(accepted bool, args ...string) string {
	p.t.Helper()
	ok, out := p.push(args...)
	if ok != accepted {
		p.t.Fatalf("git push %s: accepted %v, want %v\n%s", strings.Join(args, " "), ok, accepted, out)
	}
	return out
}

// serverRef is what the server's ref names ("" for none).
func (p *hookServer) serverRef(ref string) string {
	p.t.Helper()
	out, err := exec.Command("git", "--git-dir", p.server, "rev-parse", "-q", "--verify", ref).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// hookSaid returns the hook's lines of a push's output, without "remote: ".
func hookSaid(out string) string {
	var b strings.Builder
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, "remote: "); ok {
			b.WriteString(strings.TrimRight(rest, " \r") + "\n")
		}
	}
	return b.String()
}

func TestPreReceivePushes(t *testing.T) {
	t.Parallel()
	cfg := writeGitTestConfig(t)
	p := newHookServer(t)
	c := p.client
	// History the server had before the hook: a secret on a side branch.
	c.write("README.md", "hello\n")
	base := c.commit("initial")
	c.git(nil, "checkout", "-q", "-b", "vendor")
	vendorTok := gitToken()
	c.write("vendor/keys.txt", "key = "+vendorTok+"\n")
	vendor := c.commit("vendored keys")
	c.git(nil, "checkout", "-q", "main")
	p.mustPush(true, "main", "vendor")
	p.hook("--config", cfg, "--timeout", "5m")

	t.Run("clean push accepted", func(t *testing.T) {
		c.write("docs.md", "docs\n")
		c.commit("docs")
		out := p.mustPush(true, "main")
		if !strings.Contains(hookSaid(out), "leakhound: push checked, no secrets found") {
			t.Errorf("no word from the hook:\n%s", out)
		}
	})

	t.Run("secret rejected", func(t *testing.T) {
		before := p.serverRef("main")
		tok := gitToken()
		c.write("config/app.env", "user = x\ntoken = "+tok+"\n")
		bad := c.commit("add config")
		c.write("more.md", "more\n")
		c.commit("more")
		out := p.mustPush(false, "main")
		msg := hookSaid(out)
		want := regexp.MustCompile(`(?m)^  config/app\.env:2: test-token in commit ` + bad[:12] + `: tok_\*+$`)
		if !want.MatchString(msg) {
			t.Errorf("no line naming file, line, rule and commit:\n%s", out)
		}
		for _, s := range []string{"push rejected: 1 secret in the pushed commits", "git rebase -i", "leakhound:allow", "server's ignore file"} {
			if !strings.Contains(msg, s) {
				t.Errorf("message lacks %q:\n%s", s, msg)
			}
		}
		if strings.Contains(out, tok) {
			t.Errorf("secret shown in full:\n%s", out)
		}
		if p.serverRef("main") != before {
			t.Errorf("the server's main moved")
		}
		// The fingerprint the message gives, in the server's ignore file,
		// lets the push through.
		fp := regexp.MustCompile(`(?m)^      ([0-9a-f]{32})  # config/app\.env test-token$`).FindStringSubmatch(msg)
		if fp == nil {
			t.Fatalf("no fingerprint line:\n%s", msg)
		}
		ignore := filepath.Join(t.TempDir(), "ignore")
		if err := os.WriteFile(ignore, []byte(fp[1]+"  # test fixture\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		// In the pushed commit it is not trusted.
		c.write(".leakhoundignore", fp[1]+"\n")
		c.write(".leakhound.toml", "[extend]\nuseDefault = true\n[[allowlists]]\npaths = ['''.*''']\n")
		c.commit("ignore it myself")
		p.mustPush(false, "main")
		p.hook("--config", cfg, "--timeout", "5m", "--ignore-file", ignore)
		p.mustPush(true, "main")
		p.hook("--config", cfg, "--timeout", "5m")
	})

	t.Run("new branch", func(t *testing.T) {
		c.git(nil, "checkout", "-q", "-b", "topic", base)
		c.write("topic.md", "topic\n")
		c.commit("topic")
		p.mustPush(true, "topic")
		tok := gitToken()
		c.git(nil, "checkout", "-q", "-b", "topic2", base)
		c.write("t.env", "k = "+tok+"\n")
		bad := c.commit("topic2")
		out := p.mustPush(false, "topic2")
		if !strings.Contains(hookSaid(out), "t.env:1: test-token in commit "+bad[:12]) {
			t.Errorf("new branch's secret not named:\n%s", out)
		}
		c.git(nil, "checkout", "-q", "main")
	})

	t.Run("content of another branch", func(t *testing.T) {
		// The vendor branch's secret was on the server before the hook: a
		// branch at that commit, and a merge of it, add nothing new.
		p.mustPush(true, vendor+":refs/heads/vendor-copy")
		c.git(nil, "merge", "-q", "--no-ff", "-m", "merge vendor", "vendor")
		out := p.mustPush(true, "main")
		if strings.Contains(out, "test-token") {
			t.Errorf("the vendor secret blamed on the merge:\n%s", out)
		}
	})

	t.Run("deletion accepted", func(t *testing.T) {
		p.mustPush(true, "--delete", "vendor")
		if p.serverRef("refs/heads/vendor") != "" {
			t.Errorf("vendor not deleted")
		}
	})

	t.Run("force push", func(t *testing.T) {
		// The topic branch rewritten: unchanged, it is accepted; with a
		// secret in a rewritten commit, rejected.
		c.git(nil, "checkout", "-q", "topic")
		c.git(nil, "commit", "-q", "--amend", "-m", "topic, reworded")
		p.mustPush(true, "--force", "topic")
		tok := gitToken()
		c.write("topic.md", "topic\nkey: "+tok+"\n")
		c.git(nil, "add", "-A")
		c.git(nil, "commit", "-q", "--amend", "-m", "topic, with a key")
		bad := c.git(nil, "rev-parse", "HEAD")
		out := p.mustPush(false, "--force", "topic")
		if !strings.Contains(hookSaid(out), "topic.md:2: test-token in commit "+bad[:12]) {
			t.Errorf("force push's secret not named:\n%s", out)
		}
		c.git(nil, "checkout", "-q", "main")
	})

	t.Run("tag to a blob", func(t *testing.T) {
		tok := gitToken()
		blobFile := filepath.Join(t.TempDir(), "blob")
		if err := os.WriteFile(blobFile, []byte(tok+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		blob := c.git(nil, "hash-object", "-w", blobFile)
		c.git(nil, "tag", "key-blob", blob)
		out := p.mustPush(false, "refs/tags/key-blob")
		if !strings.Contains(hookSaid(out), "refs/tags/key-blob:1: test-token in ref refs/tags/key-blob") {
			t.Errorf("tagged blob's secret not named:\n%s", out)
		}
	})

	t.Run("inline allow", func(t *testing.T) {
		c.git(nil, "checkout", "-q", "-b", "allowed", base)
		c.write("fixture.go", "const k = \""+gitToken()+"\" // leakhound:allow test fixture\n")
		c.commit("fixture")
		out := p.mustPush(true, "allowed")
		if !strings.Contains(hookSaid(out), "1 allowed by leakhound:allow comments") {
			t.Errorf("inline allow not told:\n%s", out)
		}
		p.hook("--config", cfg, "--timeout", "5m", "--no-inline-allow")
		c.write("fixture2.go", "const k2 = \""+gitToken()+"\" // leakhound:allow\n")
		c.commit("fixture 2")
		out = p.mustPush(false, "allowed")
		if msg := hookSaid(out); !strings.Contains(msg, "fixture2.go:1: test-token") || strings.Contains(msg, "add a comment with leakhound:allow") {
			t.Errorf("--no-inline-allow: \n%s", msg)
		}
		p.hook("--config", cfg, "--timeout", "5m")
		c.git(nil, "checkout", "-q", "main")
	})

	t.Run("timeout", func(t *testing.T) {
		c.git(nil, "checkout", "-q", "-b", "big", base)
		importCommits(t, c, "refs/heads/big", 300)
		p.hook("--config", cfg, "--timeout", "1ms")
		out := p.mustPush(false, "big")
		if msg := hookSaid(out); !strings.Contains(msg, "push rejected: it could not be checked within 1ms (--timeout)") {
			t.Errorf("timeout not told:\n%s", out)
		}
		p.hook("--config", cfg, "--timeout", "1ms", "--fail-open")
		out = p.mustPush(true, "big")
		if msg := hookSaid(out); !strings.Contains(msg, "could not be checked within 1ms (--timeout)") || !strings.Contains(msg, "accepted unchecked (--fail-open)") {
			t.Errorf("--fail-open not told:\n%s", out)
		}
		p.hook("--config", cfg, "--timeout", "5m")
		c.git(nil, "checkout", "-q", "main")
	})
}

// importCommits adds n small commits to ref with one git fast-import
// (one process, not n), each changing one file, and checks ref out.
func importCommits(t *testing.T, r *gitRepo, ref string, n int) {
	t.Helper()
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "commit %s\ncommitter Jane Doe <jane@example.com> %d +0000\ndata 11\ncommit %03d\n", ref, 1700000000+i, i%1000)
		if i == 0 {
			fmt.Fprintf(&b, "from %s^0\n", ref)
		}
		fmt.Fprintf(&b, "M 644 inline gen/f%d.txt\ndata <<EOF\nline %d of a generated file\nvalue = %d\nEOF\n\n", i%50, i, i)
	}
	imp := exec.Command("git", "fast-import", "--quiet")
	imp.Dir, imp.Stdin = r.dir, &b
	imp.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("fast-import: %v\n%s", err, out)
	}
	r.git(nil, "reset", "-q", "--hard", ref)
}

// A push of 1,000 new commits is accepted, and a secret in the last of
// another thousand is found; the test logs how long the push took (the
// time budget here is generous: under -race on a loaded machine the
// hook is many times slower than a release build).
func TestPreReceiveThousandCommits(t *testing.T) {
	t.Parallel()
	cfg := writeGitTestConfig(t)
	p := newHookServer(t)
	p.client.write("README.md", "hello\n")
	p.client.commit("initial")
	p.mustPush(true, "main")
	importCommits(t, p.client, "refs/heads/main", 1000)
	p.hook("--config", cfg, "--timeout", "5m")
	start := time.Now()
	out := p.mustPush(true, "main")
	t.Logf("git push of 1000 commits with the hook: %s", time.Since(start).Round(time.Millisecond))
	if !regexp.MustCompile(`push checked, no secrets found \(\d+ files`).MatchString(hookSaid(out)) {
		t.Errorf("hook output:\n%s", out)
	}
	// A secret in the 1000th commit of the next push is found.
	tok := gitToken()
	importCommits(t, p.client, "refs/heads/main", 999)
	p.client.write("last.env", "k = "+tok+"\n")
	bad := p.client.commit("last")
	out = p.mustPush(false, "main")
	if !strings.Contains(hookSaid(out), "last.env:1: test-token in commit "+bad[:12]) {
		t.Errorf("hook output:\n%s", out)
	}
}

// In-process: the hook's input and the flags it can't take.
func TestPreReceiveInputAndFlags(t *testing.T) {
	t.Parallel()
	r := newGitRepo(t)
	r.write("a.txt", "a\n")
	head := r.commit("one")
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"nothing pushed", "", nil, ExitClean, "push checked"},
		{"deletion only", head + " " + strings.Repeat("0", 40) + " refs/heads/main\n", nil, ExitClean, "push checked"},
		{"bad input", "hello\n", nil, ExitUsage, `--pre-receive: line 1: want "<old-id> <new-id> <ref>"`},
		{"unknown pushed object", strings.Repeat("0", 40) + " " + strings.Repeat("1", 40) + " refs/heads/x\n", nil, ExitErrors, "could not be checked in full"},
		{"unknown pushed object, fail open", strings.Repeat("0", 40) + " " + strings.Repeat("1", 40) + " refs/heads/x\n", []string{"--fail-open"}, ExitClean, "accepted without them (--fail-open)"},
		{"with range", "", []string{"--range", "a..b"}, ExitUsage, "can't be combined with --range"},
		{"with staged", "", []string{"--staged"}, ExitUsage, "can't be combined with --staged"},
		{"zero timeout", "", []string{"--timeout", "0s"}, ExitUsage, "--timeout 0s: must be more than 0"},
		{"url", "", []string{"https://example.com/r.git"}, ExitUsage, "not a URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"git", "--pre-receive", "--config", writeGitTestConfig(t)}, tc.args...)
			if len(tc.args) == 0 || !strings.HasPrefix(tc.args[0], "https:") {
				args = append(args, r.dir)
			}
			code, _, errOut := run(t, tc.stdin, args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, want %d; stderr does not say %q:\n%s", code, tc.code, tc.want, errOut)
			}
		})
	}
	for _, flag := range []string{"--timeout=5s", "--fail-open", "--no-inline-allow"} {
		code, _, errOut := run(t, "", "git", flag, r.dir)
		if code != ExitUsage || !strings.Contains(errOut, "is for --pre-receive") {
			t.Errorf("%s without --pre-receive: exit %d: %s", flag, code, errOut)
		}
	}
}

// Standard input that never closes does not hold the push: the time
// budget covers reading it.
func TestPreReceiveStdinNeverCloses(t *testing.T) {
	t.Parallel()
	r := newGitRepo(t)
	pr, pw := io.Pipe()
	defer pw.Close()
	ios, _, errOut := TestStreams("")
	ios.In = pr
	start := time.Now()
	code := Run(context.Background(), []string{"git", "--pre-receive", "--timeout", "200ms", "--config", writeGitTestConfig(t), r.dir}, ios)
	if code != ExitErrors || !strings.Contains(errOut.String(), "could not be checked within 200ms (--timeout) while reading the ref updates") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s", d)
	}
}

// The quarantine variables are read by --pre-receive only: an ordinary
// scan run with them set reads the repository's own objects.
func TestQuarantineEnvOnlyInPreReceive(t *testing.T) {
	// Not parallel: it sets the process's environment.
	r := newGitRepo(t)
	tok := gitToken()
	r.write("a.env", "k = "+tok+"\n")
	r.commit("one")
	empty := t.TempDir()
	t.Setenv("GIT_OBJECT_DIRECTORY", empty)
	t.Setenv("GIT_ALTERNATE_OBJECT_DIRECTORIES", empty)
	code, out, errOut := runGitCmd(t, r.dir, "--config", writeGitTestConfig(t), "--format", "json")
	if code != ExitFindings || !strings.Contains(out, `"a.env"`) {
		t.Errorf("exit %d, out %s, stderr %s", code, out, errOut)
	}
}

// danglingCommit makes a commit no ref reaches (as a pushed one is,
// before the push is accepted) holding files, and returns its id.
func danglingCommit(r *gitRepo, msg string, files map[string]string) string {
	r.t.Helper()
	for name, content := range files {
		r.write(name, content)
	}
	r.git(nil, "add", "-A")
	tree := r.git(nil, "write-tree")
	c := r.git(nil, "commit-tree", "-p", "HEAD", "-m", msg, tree)
	r.git(nil, "reset", "-q", "--hard", "HEAD")
	r.git(nil, "clean", "-q", "-fdx")
	return c
}

// The message to the pusher, in-process: secrets hidden everywhere
// (paths too) unless --reveal, commit messages, the cap on lines, and
// the administrators' report in --output.
func TestPreReceiveMessage(t *testing.T) {
	t.Parallel()
	r := newGitRepo(t)
	r.write("README.md", "hi\n")
	head := r.commit("one")
	tok, msgTok := gitToken(), gitToken()
	var many strings.Builder
	for i := 0; i < 60; i++ {
		many.WriteString("k = " + gitToken() + "\n")
	}
	c := danglingCommit(r, "add keys\n\nold key: "+msgTok, map[string]string{
		"keys/" + tok + ".txt": tok + "\n",
		"many.txt":             many.String(),
	})
	stdin := head + " " + c + " refs/heads/main\n"
	cfg := writeGitTestConfig(t)
	report := filepath.Join(t.TempDir(), "report.json")
	code, out, errOut := run(t, stdin, "git", "--pre-receive", "--config", cfg, "--format", "json", "--output", report, r.dir)
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if out != "" {
		t.Errorf("stdout: %q", out)
	}
	for _, want := range []string{
		"push rejected: 62 secrets in the pushed commits",
		"  keys/tok_*****.txt:1: test-token in commit " + c[:12] + ": tok_*****\n",
		"  .git/COMMIT_EDITMSG:3: test-token in the message of commit " + c[:12] + ": tok_*****\n",
		"  ... and 12 more\n",
		"'reword' in git rebase -i",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, tok) || strings.Contains(errOut, msgTok) {
		t.Errorf("secret shown without --reveal:\n%s", errOut)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var fs []gitFinding
	if err := json.Unmarshal(data, &fs); err != nil || len(fs) != 62 {
		t.Errorf("report: %d findings, %v", len(fs), err)
	}
	_, _, errOut = run(t, stdin, "git", "--pre-receive", "--config", cfg, "--reveal", r.dir)
	if !strings.Contains(errOut, "  keys/"+tok+".txt:1: test-token in commit "+c[:12]+": "+tok+"\n") {
		t.Errorf("--reveal:\n%s", errOut)
	}
}
