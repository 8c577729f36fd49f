package orgscan

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/scanner"
	"github.com/leakhound/leakhound/scanner/source"
	gitsource "github.com/leakhound/leakhound/scanner/source/git"
	"github.com/leakhound/leakhound/scanner/source/org"
)

// gitRepo is a repository made with the git CLI.
type gitRepo struct {
	t   *testing.T
	dir string
	n   int
}

func newGitRepo(t *testing.T) *gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git command not found")
	}
	r := &gitRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *gitRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=Jane", "GIT_AUTHOR_EMAIL=jane@example.com", "GIT_COMMITTER_NAME=Jane", "GIT_COMMITTER_EMAIL=jane@example.com")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return strings.TrimSpace(out.String())
}

// commit writes files and commits them.
func (r *gitRepo) commit(files map[string]string) string {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	r.n++
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", "change")
	return r.git("rev-parse", "HEAD")
}

func (r *gitRepo) repo(name string) org.Repo {
	return org.Repo{FullName: "acme/" + name, CloneURL: "file://" + r.dir, WebURL: "https://forge.example/acme/" + name}
}

func testRuleset(t *testing.T) *scanner.Ruleset {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "rules.toml")
	os.WriteFile(cfg, []byte(detectortest.TokenRuleTOML), 0o644)
	rs, err := scanner.LoadRuleset(scanner.RulesetOptions{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func newScanner(t *testing.T, cache, state string, rs *scanner.Ruleset, version string, mod func(*Options)) *Scanner {
	t.Helper()
	st, err := OpenState(state)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{CacheDir: cache, State: st, Ruleset: rs, RulesetVersion: version, Concurrency: 2,
		Git: gitsource.Options{Options: source.Options{ChunkSize: source.DefaultChunkSize, Overlap: 256}}}
	if mod != nil {
		mod(&o)
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func secrets(r RepoResult) string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Secret+"@"+f.Location.Repository)
	}
	return strings.Join(out, " ")
}

func TestIncrementalRuns(t *testing.T) {
	t.Parallel()
	a, b := newGitRepo(t), newGitRepo(t)
	tokA, tokB := detectortest.Token(), detectortest.Token()
	for i := 0; i < 5; i++ {
		a.commit(map[string]string{"file" + string(rune('0'+i)) + ".txt": "filler line\n"})
	}
	a.commit(map[string]string{"a.env": "TOKEN=" + tokA + "\n"})
	b.commit(map[string]string{"b.env": "TOKEN=" + tokB + "\n"})
	repos := []org.Repo{a.repo("a"), b.repo("b")}
	cache, state := t.TempDir(), filepath.Join(t.TempDir(), "state.json")
	rs := testRuleset(t)

	// First run: everything, incremental nowhere.
	s := newScanner(t, cache, state, rs, "v1", nil)
	res := s.Run(context.Background(), repos)
	for i, r := range res {
		if r.Status != Scanned || r.Incremental || r.Err != nil {
			t.Fatalf("run 1 %s: %s incremental=%v err=%v", r.Repo.FullName, r.Status, r.Incremental, r.Err)
		}
		if len(r.New) != 1 || len(r.Findings) != 1 {
			t.Fatalf("run 1 %s: findings %s", r.Repo.FullName, secrets(r))
		}
		if want := []string{tokA, tokB}[i] + "@" + r.Repo.FullName; secrets(r) != want {
			t.Errorf("run 1: %s, want %s", secrets(r), want)
		}
	}
	firstFiles := res[0].Summary.Files
	if err := s.Deliver(res); err != nil {
		t.Fatal(err)
	}

	// Second run, nothing committed: nothing scanned.
	s = newScanner(t, cache, state, rs, "v1", nil)
	res = s.Run(context.Background(), repos)
	for _, r := range res {
		if r.Status != Unchanged || len(r.Findings) != 0 {
			t.Errorf("run 2 %s: %s, %s", r.Repo.FullName, r.Status, secrets(r))
		}
	}

	// Third run after a commit in a: only that commit of a is scanned.
	tokNew := detectortest.Token()
	a.commit(map[string]string{"new.env": "TOKEN=" + tokNew + "\n"})
	s = newScanner(t, cache, state, rs, "v1", nil)
	res = s.Run(context.Background(), repos)
	if r := res[0]; r.Status != Scanned || !r.Incremental || secrets(r) != tokNew+"@acme/a" || len(r.New) != 1 {
		t.Errorf("run 3 a: %s incremental=%v findings %s err %v", r.Status, r.Incremental, secrets(r), r.Err)
	}
	// One blob, against the first run's six.
	if got := res[0].Summary.Files; got != 1 || firstFiles != 6 {
		t.Errorf("run 3 scanned %d blobs, run 1 %d; want 1 and 6", got, firstFiles)
	}
	if res[1].Status != Unchanged {
		t.Errorf("run 3 b: %s", res[1].Status)
	}
	s.Deliver(res)

	// Other rules: everything again, but nothing is new.
	s = newScanner(t, cache, state, rs, "v2", nil)
	res = s.Run(context.Background(), repos)
	for _, r := range res {
		if r.Status != Scanned || r.Incremental || len(r.Findings) == 0 || len(r.New) != 0 {
			t.Errorf("new rules %s: %s incremental=%v findings %d new %d", r.Repo.FullName, r.Status, r.Incremental, len(r.Findings), len(r.New))
		}
	}
	s.Deliver(res)
	// --full too.
	s = newScanner(t, cache, state, rs, "v2", func(o *Options) { o.Full = true })
	if res = s.Run(context.Background(), repos); res[0].Incremental || len(res[0].Findings) != 2 {
		t.Errorf("full: incremental=%v findings %s", res[0].Incremental, secrets(res[0]))
	}
}

func TestUndeliveredFindingsAreFoundAgain(t *testing.T) {
	t.Parallel()
	a := newGitRepo(t)
	a.commit(map[string]string{"x.txt": "nothing\n"})
	cache, state := t.TempDir(), filepath.Join(t.TempDir(), "state.json")
	rs := testRuleset(t)
	s := newScanner(t, cache, state, rs, "v1", nil)
	s.Deliver(s.Run(context.Background(), []org.Repo{a.repo("a")}))

	tok := detectortest.Token()
	a.commit(map[string]string{"y.env": "TOKEN=" + tok + "\n"})
	// A run that stops after the scan, before its report and alerts
	// (a crash): no Deliver.
	s = newScanner(t, cache, state, rs, "v1", nil)
	if res := s.Run(context.Background(), []org.Repo{a.repo("a")}); secrets(res[0]) != tok+"@acme/a" {
		t.Fatalf("findings %s", secrets(res[0]))
	}
	// The next run finds it again, still new.
	s = newScanner(t, cache, state, rs, "v1", nil)
	res := s.Run(context.Background(), []org.Repo{a.repo("a")})
	if r := res[0]; r.Status != Scanned || !r.Incremental || secrets(r) != tok+"@acme/a" || len(r.New) != 1 {
		t.Fatalf("after the crash: %s incremental=%v %s new %d", r.Status, r.Incremental, secrets(r), len(r.New))
	}
	if err := s.Deliver(res); err != nil {
		t.Fatal(err)
	}
	s = newScanner(t, cache, state, rs, "v1", nil)
	if res := s.Run(context.Background(), []org.Repo{a.repo("a")}); res[0].Status != Unchanged {
		t.Errorf("after delivery: %s %s", res[0].Status, secrets(res[0]))
	}
	data, _ := os.ReadFile(state)
	if strings.Contains(string(data), tok) {
		t.Error("the state file holds a secret")
	}
}

func TestFailuresDoNotStopOthers(t *testing.T) {
	t.Parallel()
	a := newGitRepo(t)
	tok := detectortest.Token()
	a.commit(map[string]string{"a.env": "TOKEN=" + tok + "\n"})
	missing := org.Repo{FullName: "acme/gone", CloneURL: "file://" + filepath.Join(t.TempDir(), "nothing-here")}
	big := a.repo("big")
	big.Size = 5 << 30
	s := newScanner(t, t.TempDir(), "", testRuleset(t), "v1", func(o *Options) { o.MaxRepoSize = 1 << 30 })
	res := s.Run(context.Background(), []org.Repo{missing, a.repo("a"), big})
	if res[0].Status != Failed || res[0].Err == nil {
		t.Errorf("missing repository: %s %v", res[0].Status, res[0].Err)
	}
	if res[1].Status != Scanned || secrets(res[1]) != tok+"@acme/a" {
		t.Errorf("good repository: %s %s %v", res[1].Status, secrets(res[1]), res[1].Err)
	}
	if res[2].Status != Skipped || !strings.Contains(res[2].Err.Error(), "--max-repo-size") {
		t.Errorf("large repository: %s %v", res[2].Status, res[2].Err)
	}
	if res[0].Complete() || !res[1].Complete() || res[2].Complete() {
		t.Error("Complete() wrong")
	}
}

func TestPushWithoutState(t *testing.T) {
	t.Parallel()
	a := newGitRepo(t)
	old := detectortest.Token()
	before := a.commit(map[string]string{"old.env": "TOKEN=" + old + "\n"})
	tok := detectortest.Token()
	after := a.commit(map[string]string{"new.env": "TOKEN=" + tok + "\n"})
	s := newScanner(t, t.TempDir(), "", testRuleset(t), "v1", nil)
	r := s.Scan(context.Background(), a.repo("a"), &Push{Ref: "refs/heads/main", Before: before, After: after})
	if r.Status != Scanned || secrets(r) != tok+"@acme/a" {
		t.Errorf("push scan: %s %s %v", r.Status, secrets(r), r.Err)
	}
	if st := s.State().Get("acme/a"); st != nil && st.Tips != nil {
		t.Errorf("a push-only scan recorded tips: %+v", st)
	}
}

func TestMirrorDirStaysInCache(t *testing.T) {
	t.Parallel()
	cache := t.TempDir()
	s := &Scanner{opts: Options{CacheDir: cache}}
	for _, name := range []string{"../../etc", "a/b", "a_b", "/abs", "x/../../y"} {
		d := s.MirrorDir(name)
		if filepath.Dir(d) != cache {
			t.Errorf("%q -> %s, outside the cache", name, d)
		}
	}
	if s.MirrorDir("a/b") == s.MirrorDir("a_b") {
		t.Error("a/b and a_b share a mirror")
	}
}
