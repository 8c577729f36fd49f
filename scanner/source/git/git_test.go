package git

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/scanner/source"
	"github.com/leakhound/leakhound/scanner/source/archive"
)

// The tests use their own one-rule matcher instead of the detection engine
// so they test only this source: secrets are "tok_" + 20 random [a-z0-9].
var (
	tokenRE = regexp.MustCompile(detectortest.TokenRule.Regex)
	token   = detectortest.Token
)

type hit struct {
	Secret, Path, Commit, Author, Email, Message string
	Line, Column                                 int
	Date                                         time.Time
}

func (h hit) String() string {
	return fmt.Sprintf("%s %s:%d:%d %.7s %s", h.Secret, h.Path, h.Line, h.Column, h.Commit, h.Author)
}

// recorder is a Sink that finds tokens in chunks the way the engine would:
// matches starting in a chunk's tail belong to the next chunk, matches
// ending in its head were found before.
type recorder struct {
	mu       sync.Mutex
	chunks   []finding.Chunk // without Data
	hits     []hit
	items    int
	bytes    int64
	skips    map[string]string
	problems []string
}

func newRecorder() *recorder { return &recorder{skips: map[string]string{}} }

func (r *recorder) Chunk(c finding.Chunk) {
	var hs []hit
	for _, m := range tokenRE.FindAllIndex(c.Data, -1) {
		if m[0] >= len(c.Data)-c.Tail || m[1] <= c.Head {
			continue
		}
		before := c.Data[:m[0]]
		line := c.LineBase + bytes.Count(before, []byte{'\n'}) + 1
		col := m[0] - bytes.LastIndexByte(before, '\n')
		if line == c.LineBase+1 {
			col += c.ColumnBase
		}
		o := c.Origin
		hs = append(hs, hit{Secret: string(c.Data[m[0]:m[1]]), Path: o.Path, Commit: o.Commit, Author: o.Author,
			Email: o.Email, Message: o.Message, Date: o.Date, Line: line, Column: col})
	}
	r.mu.Lock()
	r.hits = append(r.hits, hs...)
	c.Data = nil
	r.chunks = append(r.chunks, c)
	r.mu.Unlock()
}

func (r *recorder) Item(size int64) {
	r.mu.Lock()
	r.items++
	r.bytes += size
	r.mu.Unlock()
}

func (r *recorder) Skip(path, reason string) {
	r.mu.Lock()
	r.skips[path] = reason
	r.mu.Unlock()
}

func (r *recorder) Problem(path string, err error) {
	r.mu.Lock()
	r.problems = append(r.problems, path+": "+err.Error())
	r.mu.Unlock()
}

// secrets returns "secret path commit" for every hit, sorted.
func (r *recorder) summary() []string {
	var out []string
	for _, h := range r.hits {
		out = append(out, fmt.Sprintf("%s %s:%d %s", h.Secret, h.Path, h.Line, h.Commit))
	}
	sort.Strings(out)
	return out
}

func scan(t *testing.T, opts Options) *recorder {
	t.Helper()
	rec, err := scanErr(t, opts)
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return rec
}

func scanErr(t *testing.T, opts Options) (*recorder, error) {
	t.Helper()
	if opts.ChunkSize == 0 {
		opts.ChunkSize, opts.Overlap = source.DefaultChunkSize, 4096
	}
	if opts.MaxFileSize == 0 {
		opts.MaxFileSize = 1 << 20
	}
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	rec := newRecorder()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return rec, s.Scan(ctx, rec)
}

// testRepo builds a repository with the git command.
type testRepo struct {
	t   *testing.T
	dir string
}

func gitEnv() []string {
	return append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=nobody", "GIT_AUTHOR_EMAIL=nobody@example.com",
		"GIT_COMMITTER_NAME=nobody", "GIT_COMMITTER_EMAIL=nobody@example.com")
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git command not found")
	}
	r := &testRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	return r.gitEnv(nil, args...)
}

func (r *testRepo) gitEnv(env []string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "commit.gpgsign=false", "-c", "gc.auto=0", "-c", "core.autocrlf=false"}, args...)...)
	cmd.Dir = r.dir
	cmd.Env = append(gitEnv(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		r.t.Fatalf("git %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return strings.TrimSpace(out.String())
}

func (r *testRepo) write(files map[string]string) {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

// who is an author and the day (from 2021-01-01) of a commit.
type who struct {
	name string
	day  int
}

func (w who) env() []string {
	d := time.Date(2021, 1, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, w.day).Format(time.RFC3339)
	email := strings.ToLower(w.name) + "@example.com"
	return []string{"GIT_AUTHOR_NAME=" + w.name, "GIT_AUTHOR_EMAIL=" + email, "GIT_AUTHOR_DATE=" + d,
		"GIT_COMMITTER_NAME=" + w.name, "GIT_COMMITTER_EMAIL=" + email, "GIT_COMMITTER_DATE=" + d}
}

// commit writes files, removes the paths in del, commits everything and
// returns the commit's hash.
func (r *testRepo) commit(w who, msg string, files map[string]string, del ...string) string {
	r.t.Helper()
	r.write(files)
	for _, d := range del {
		r.git("rm", "-q", "-r", d)
	}
	r.git("add", "-A")
	r.gitEnv(w.env(), "commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

func wantHits(t *testing.T, rec *recorder, want ...string) {
	t.Helper()
	want = append([]string(nil), want...)
	sort.Strings(want)
	got := rec.summary()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("hits:\n  got  %s\n  want %s", strings.Join(got, "\n       "), strings.Join(want, "\n       "))
	}
}

func noProblems(t *testing.T, rec *recorder) {
	t.Helper()
	if len(rec.problems) > 0 {
		t.Errorf("unexpected problems: %q", rec.problems)
	}
}

func TestHistoryAttribution(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	tokA, tokB, tokC, tokD, tokE, tokM, tokS, tokF := token(), token(), token(), token(), token(), token(), token(), token()
	shared := "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\n"

	c1 := r.commit(who{"Alice", 0}, "add config\n\nlong body", map[string]string{
		"config/app.env": "hello\nkey = " + tokA + "\n",
		"shared.txt":     shared,
		"README":         "readme\n",
	})
	// tokA stays in the file: it was introduced by c1, not again by c2.
	c2 := r.commit(who{"Bob", 1}, "add B", map[string]string{"config/app.env": "hello\nkey = " + tokA + "\nother = " + tokB + "\n"})
	r.git("branch", "feature")
	// Deleted again: still found, at the commit that added it.
	c3 := r.commit(who{"Carol", 2}, "move things", map[string]string{"lib/c.txt": "x " + tokC + "\n"}, "config/app.env")
	c4 := r.commit(who{"Carol", 3}, "main side of shared", map[string]string{"shared.txt": strings.Replace(shared, "l1", "l1 "+tokM, 1)})
	r.git("checkout", "-q", "feature")
	c5 := r.commit(who{"Dave", 4}, "feature work", map[string]string{"feat.txt": tokD + "\n", "README": "readme\n" + tokE + "\n"})
	c6 := r.commit(who{"Dave", 5}, "feature side of shared", map[string]string{"shared.txt": strings.Replace(shared, "l8", "l8 "+tokS, 1)})
	r.git("checkout", "-q", "main")
	// A merge whose shared.txt differs from both parents but holds no new
	// line: nothing is new in it. merge.txt is new in the merge itself.
	r.gitEnv(who{"Eve", 6}.env(), "merge", "-q", "--no-ff", "--no-commit", "feature")
	r.write(map[string]string{"merge.txt": tokF + "\n"})
	r.git("add", "-A")
	r.gitEnv(who{"Eve", 6}.env(), "commit", "-q", "-m", "Merge feature")
	c7 := r.git("rev-parse", "HEAD")
	// The same blob at a second path is reported there too.
	c8 := r.commit(who{"Frank", 7}, "copy", map[string]string{"vendor/c.txt": "x " + tokC + "\n"})

	rec := scan(t, Options{Path: r.dir})
	noProblems(t, rec)
	wantHits(t, rec,
		tokA+" config/app.env:2 "+c1,
		tokB+" config/app.env:3 "+c2,
		tokC+" lib/c.txt:1 "+c3,
		tokM+" shared.txt:1 "+c4,
		tokD+" feat.txt:1 "+c5,
		tokE+" README:2 "+c5,
		tokS+" shared.txt:8 "+c6,
		tokF+" merge.txt:1 "+c7,
		tokC+" vendor/c.txt:1 "+c8,
	)
	for _, h := range rec.hits {
		if h.Secret == tokA {
			want := hit{Secret: tokA, Path: "config/app.env", Commit: c1, Author: "Alice", Email: "alice@example.com",
				Message: "add config", Line: 2, Column: 7, Date: time.Date(2021, 1, 1, 12, 0, 0, 0, time.UTC)}
			h.Date = h.Date.UTC()
			if h != want {
				t.Errorf("tokA hit:\n  got  %+v\n  want %+v", h, want)
			}
		}
	}
	// README twice, shared.txt four times (c1, c4, c6, merge), ...: every
	// (blob, path) pair once.
	if want := strings.Count(r.git("log", "--all", "--format=", "--raw", "--no-abbrev", "-m", "--no-renames"), "\n"); rec.items == 0 || rec.items > want+1 {
		t.Errorf("items = %d, want between 1 and %d", rec.items, want+1)
	}
}

func TestOneScanPerBlobPath(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	tok := token()
	r.commit(who{"A", 0}, "one", map[string]string{"a.txt": tok + "\n", "b.txt": "b\n"})
	// Many commits that don't touch a.txt, and one that reverts b.txt.
	for i := 1; i <= 20; i++ {
		r.commit(who{"A", i}, "more", map[string]string{"b.txt": fmt.Sprintf("b%d\n", i%3)})
	}
	rec := scan(t, Options{Path: r.dir})
	noProblems(t, rec)
	if len(rec.hits) != 1 {
		t.Errorf("hits = %v, want one", rec.hits)
	}
	// a.txt once, b.txt in four versions (b, b1, b2, b0).
	if rec.items != 5 {
		t.Errorf("items = %d, want 5", rec.items)
	}
}

func linearRepo(t *testing.T) (*testRepo, []string, []string) {
	r := newTestRepo(t)
	var toks, commits []string
	for i := 0; i < 4; i++ {
		tok := token()
		toks = append(toks, tok)
		content := ""
		for _, t := range toks {
			content += "k = " + t + "\n"
		}
		commits = append(commits, r.commit(who{"A", i * 100}, fmt.Sprintf("c%d", i), map[string]string{
			"secrets.txt":             content,
			fmt.Sprintf("f%d.txt", i): tok + "\n",
		}))
	}
	return r, toks, commits
}

func TestRange(t *testing.T) {
	t.Parallel()
	r, toks, cs := linearRepo(t)
	want := []string{
		toks[2] + " secrets.txt:3 " + cs[2], toks[2] + " f2.txt:1 " + cs[2],
		toks[3] + " secrets.txt:4 " + cs[3], toks[3] + " f3.txt:1 " + cs[3],
	}
	for _, rg := range []string{cs[1] + ".." + cs[3], cs[1][:10] + "..main", "HEAD~2..HEAD", "main^^..", "main~1^1^0..main"} {
		rec := scan(t, Options{Path: r.dir, Range: rg})
		noProblems(t, rec)
		t.Run(rg, func(t *testing.T) { wantHits(t, rec, want...) })
	}
	if _, err := scanErr(t, Options{Path: r.dir, Range: "nosuch..main"}); err == nil {
		t.Error("unknown revision: no error")
	}
	if _, err := New(Options{Path: r.dir, Range: "a...b"}); err == nil {
		t.Error("symmetric range accepted")
	}
}

func TestSinceAndMaxCommits(t *testing.T) {
	t.Parallel()
	r, toks, cs := linearRepo(t)
	// Days 0, 100, 200, 300: since day 150 keeps the last two.
	since := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 150)
	want := []string{
		toks[2] + " secrets.txt:3 " + cs[2], toks[2] + " f2.txt:1 " + cs[2],
		toks[3] + " secrets.txt:4 " + cs[3], toks[3] + " f3.txt:1 " + cs[3],
	}
	rec := scan(t, Options{Path: r.dir, Since: since})
	noProblems(t, rec)
	wantHits(t, rec, want...)
	rec = scan(t, Options{Path: r.dir, MaxCommits: 2})
	noProblems(t, rec)
	wantHits(t, rec, want...)
	rec = scan(t, Options{Path: r.dir, MaxCommits: 1})
	wantHits(t, rec, want[2:]...)
}

func TestBranches(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	tokMain, tokSide := token(), token()
	cm := r.commit(who{"A", 0}, "main", map[string]string{"m.txt": tokMain})
	r.git("checkout", "-q", "-b", "side")
	cs := r.commit(who{"B", 1}, "side", map[string]string{"s.txt": tokSide})
	r.git("checkout", "-q", "main")

	wantHits(t, scan(t, Options{Path: r.dir, Branches: []string{"main"}}), tokMain+" m.txt:1 "+cm)
	wantHits(t, scan(t, Options{Path: r.dir, Branches: []string{"side"}}), tokMain+" m.txt:1 "+cm, tokSide+" s.txt:1 "+cs)
	wantHits(t, scan(t, Options{Path: r.dir}), tokMain+" m.txt:1 "+cm, tokSide+" s.txt:1 "+cs)
	if _, err := scanErr(t, Options{Path: r.dir, Branches: []string{"nosuch"}}); err == nil {
		t.Error("unknown branch: no error")
	}
}

func TestTagsStashAndDetachedCommits(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	r.commit(who{"A", 0}, "base", map[string]string{"a.txt": "a\n"})
	// A commit reachable only from an annotated tag.
	r.git("checkout", "-q", "-b", "tmp")
	tokTag := token()
	ct := r.commit(who{"A", 1}, "tagged", map[string]string{"t.txt": tokTag})
	r.gitEnv(who{"A", 1}.env(), "tag", "-a", "-m", "release", "v1")
	r.git("checkout", "-q", "main")
	r.git("branch", "-q", "-D", "tmp")
	// Two stashes: the older one is reachable only through the reflog.
	tokStash1, tokStash2 := token(), token()
	r.write(map[string]string{"a.txt": "a\n" + tokStash1 + "\n"})
	r.gitEnv(who{"A", 2}.env(), "stash", "-q")
	r.write(map[string]string{"a.txt": "a\n" + tokStash2 + "\n"})
	r.gitEnv(who{"A", 3}.env(), "stash", "-q")

	rec := scan(t, Options{Path: r.dir})
	noProblems(t, rec)
	got := strings.Join(rec.summary(), "\n")
	for _, want := range []string{tokTag + " t.txt:1 " + ct, tokStash1 + " a.txt:2", tokStash2 + " a.txt:2"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
}

func TestStaged(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	tokOld, tokNew, tokAdded, tokUnstaged, tokDeep := token(), token(), token(), token(), token()
	files := map[string]string{"a.txt": "one\n" + tokOld + "\n"}
	for i := 0; i < 5; i++ {
		files[fmt.Sprintf("d%d/sub/f.txt", i)] = fmt.Sprintf("file %d\n", i)
	}
	r.commit(who{"A", 0}, "base", files)
	r.write(map[string]string{
		"a.txt":         "one\n" + tokOld + "\n" + tokNew + "\n",
		"new/b.txt":     tokAdded + "\n",
		"d3/sub/f.txt":  "file 3\n" + tokDeep + "\n",
		"untracked.txt": tokUnstaged,
	})
	r.git("add", "a.txt", "new/b.txt", "d3/sub/f.txt")
	// A change made after staging is not what will be committed.
	r.write(map[string]string{"new/b.txt": tokAdded + "\n" + tokUnstaged + "\n"})

	rec := scan(t, Options{Path: r.dir, Staged: true})
	noProblems(t, rec)
	wantHits(t, rec, tokNew+" a.txt:3 ", tokAdded+" new/b.txt:1 ", tokDeep+" d3/sub/f.txt:2 ")

	// Nothing staged: nothing scanned.
	r.gitEnv(who{"A", 1}.env(), "commit", "-q", "-m", "next")
	rec = scan(t, Options{Path: r.dir, Staged: true})
	noProblems(t, rec)
	wantHits(t, rec)
	if rec.items != 0 {
		t.Errorf("items = %d with nothing staged", rec.items)
	}
}

func TestStagedNoCommits(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	tok := token()
	r.write(map[string]string{"x/y.txt": "first\n" + tok + "\n"})
	r.git("add", "-A")
	rec := scan(t, Options{Path: filepath.Join(r.dir, "x"), Staged: true}) // from a subdirectory
	noProblems(t, rec)
	wantHits(t, rec, tok+" x/y.txt:2 ")

	// No index at all.
	empty := newTestRepo(t)
	rec = scan(t, Options{Path: empty.dir, Staged: true})
	noProblems(t, rec)
	wantHits(t, rec)
}

func TestBareWorktreeAndFileURL(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	tok1, tok2 := token(), token()
	c1 := r.commit(who{"A", 0}, "one", map[string]string{"a.txt": tok1})
	r.git("checkout", "-q", "-b", "dev")
	c2 := r.commit(who{"A", 1}, "two", map[string]string{"b.txt": tok2})
	r.git("checkout", "-q", "main")
	want := []string{tok1 + " a.txt:1 " + c1, tok2 + " b.txt:1 " + c2}

	bare := filepath.Join(t.TempDir(), "bare.git")
	r.git("clone", "-q", "--bare", r.dir, bare)
	t.Run("bare", func(t *testing.T) { wantHits(t, scan(t, Options{Path: bare}), want...) })
	t.Run("dotgit", func(t *testing.T) { wantHits(t, scan(t, Options{Path: filepath.Join(r.dir, ".git")}), want...) })

	wt := filepath.Join(t.TempDir(), "wt")
	r.git("worktree", "add", "-q", wt, "dev")
	t.Run("worktree", func(t *testing.T) {
		rec := scan(t, Options{Path: wt})
		noProblems(t, rec)
		wantHits(t, rec, want...)
	})

	for _, src := range []string{bare, r.dir} {
		t.Run("file-url", func(t *testing.T) {
			rec := scan(t, Options{URL: "file://" + src})
			noProblems(t, rec)
			wantHits(t, rec, want...)
		})
	}
	t.Run("clone-dir", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "clone")
		for i := 0; i < 2; i++ { // the second run updates the clone
			rec := scan(t, Options{URL: "file://" + bare, CloneDir: dir})
			wantHits(t, rec, want...)
		}
		if _, err := os.Stat(filepath.Join(dir, "objects")); err != nil {
			t.Errorf("clone dir not kept: %v", err)
		}
	})
	t.Run("bad-url", func(t *testing.T) {
		if _, err := scanErr(t, Options{URL: "file://" + filepath.Join(t.TempDir(), "nothing")}); err == nil {
			t.Error("no error")
		}
	})
}

func TestEmptyAndNotARepository(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	rec := scan(t, Options{Path: r.dir})
	noProblems(t, rec)
	wantHits(t, rec)

	_, err := scanErr(t, Options{Path: t.TempDir()})
	if !errors.Is(err, ErrNotRepository) {
		t.Errorf("plain directory: err = %v, want ErrNotRepository", err)
	}
	if _, err := scanErr(t, Options{Path: filepath.Join(t.TempDir(), "missing")}); err == nil {
		t.Error("missing path: no error")
	}
}

func TestSizeBinarySymlink(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	tok := token()
	r.write(map[string]string{
		"big.txt": strings.Repeat("x", 5000) + tok,
		"bin.dat": "\x00\x01" + tok,
		"pic.png": "\x89PNG\r\n\x1a\n\x00\x00" + tok,
		"ok.txt":  tok,
	})
	if err := os.Symlink("ok.txt", filepath.Join(r.dir, "link")); err != nil {
		t.Fatal(err)
	}
	c := r.commit(who{"A", 0}, "files", nil)
	rec, err := scanErr(t, Options{Path: r.dir, Options: source.Options{MaxFileSize: 4096}})
	if err != nil {
		t.Fatal(err)
	}
	noProblems(t, rec)
	// A binary's strings are scanned (the recorder counts its lines, the
	// engine would report none); media is skipped by its kind.
	wantHits(t, rec, tok+" bin.dat:1 "+c, tok+" ok.txt:1 "+c)
	want := map[string]string{"big.txt": "too large", "pic.png": "media: png", "link": "symlink"}
	if fmt.Sprint(rec.skips) != fmt.Sprint(want) {
		t.Errorf("skips = %v, want %v", rec.skips, want)
	}
}

func TestMalformedRef(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	tok := token()
	c := r.commit(who{"A", 0}, "one", map[string]string{"a.txt": tok})
	r.write(map[string]string{".git/refs/heads/broken": "this is not a hash\n", ".git/refs/heads/empty": ""})
	rec := scan(t, Options{Path: r.dir})
	wantHits(t, rec, tok+" a.txt:1 "+c)
	if len(rec.problems) != 2 {
		t.Errorf("problems = %q, want the two bad refs", rec.problems)
	}
}

func TestShallowClone(t *testing.T) {
	t.Parallel()
	r, toks, cs := linearRepo(t)
	shallow := filepath.Join(t.TempDir(), "shallow")
	r.git("clone", "-q", "--depth", "1", "file://"+r.dir, shallow)
	rec := scan(t, Options{Path: shallow})
	// The missing parents are reported once, as a shallow clone.
	if len(rec.problems) != 1 || !strings.HasPrefix(rec.problems[0], "shallow: shallow clone") {
		t.Errorf("problems = %q, want the shallow clone's", rec.problems)
	}
	var want []string
	for i, tok := range toks {
		want = append(want, fmt.Sprintf("%s secrets.txt:%d %s", tok, i+1, cs[3]), fmt.Sprintf("%s f%d.txt:1 %s", tok, i, cs[3]))
	}
	wantHits(t, rec, want...)
}

func TestCorruptLooseObject(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	tokGood, tokBad := token(), token()
	c := r.commit(who{"A", 0}, "one", map[string]string{"good.txt": tokGood, "bad.txt": tokBad})
	blob := r.git("rev-parse", "HEAD:bad.txt")
	obj := filepath.Join(r.dir, ".git", "objects", blob[:2], blob[2:])
	st, err := os.Stat(obj)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(obj, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(obj, st.Size()/2); err != nil {
		t.Fatal(err)
	}
	rec := scan(t, Options{Path: r.dir})
	wantHits(t, rec, tokGood+" good.txt:1 "+c)
	if len(rec.problems) != 1 || !strings.HasPrefix(rec.problems[0], "bad.txt: blob "+blob) {
		t.Errorf("problems = %q, want one for bad.txt", rec.problems)
	}
}

// packOffsets returns the offset of every object in the repository's one
// pack, in pack order, and the pack's path.
func packOffsets(t *testing.T, r *testRepo) (string, map[string]int64, []int64) {
	t.Helper()
	idx, _ := filepath.Glob(filepath.Join(r.dir, ".git", "objects", "pack", "*.idx"))
	if len(idx) != 1 {
		t.Fatalf("want one pack, got %v", idx)
	}
	offsets := map[string]int64{}
	var all []int64
	for _, line := range strings.Split(r.git("verify-pack", "-v", idx[0]), "\n") {
		f := strings.Fields(line)
		if len(f) >= 5 && isHex40(f[0]) {
			off, _ := strconv.ParseInt(f[4], 10, 64)
			offsets[f[0]] = off
			all = append(all, off)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	return strings.TrimSuffix(idx[0], ".idx") + ".pack", offsets, all
}

func TestCorruptPackfile(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	var toks []string
	var c string
	files := map[string]string{}
	for i := 0; i < 10; i++ {
		tok := token()
		toks = append(toks, tok)
		// Unrelated contents so no blob is stored as a delta of another.
		files[fmt.Sprintf("f%d.txt", i)] = fmt.Sprintf("%d %s %s\n", i, strings.Repeat(strings.ToUpper(token()), i+1), tok)
	}
	c = r.commit(who{"A", 0}, "files", files)
	r.git("repack", "-q", "-a", "-d")
	pack, offsets, all := packOffsets(t, r)
	bad := r.git("rev-parse", "HEAD:f4.txt")
	off := offsets[bad]
	// Overwrite the middle of that object's compressed data.
	data, err := os.ReadFile(pack)
	if err != nil {
		t.Fatal(err)
	}
	end := int64(len(data) - 20)
	for _, o := range all {
		if o > off {
			end = o
			break
		}
	}
	for i := off + 3; i < end-1; i++ {
		data[i] ^= 0x5a
	}
	if err := os.Chmod(pack, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pack, data, 0o644); err != nil {
		t.Fatal(err)
	}
	rec := scan(t, Options{Path: r.dir})
	var want []string
	for i, tok := range toks {
		if i != 4 {
			want = append(want, tok+fmt.Sprintf(" f%d.txt:1 ", i)+c)
		}
	}
	wantHits(t, rec, want...)
	if len(rec.problems) != 1 || !strings.HasPrefix(rec.problems[0], "f4.txt: blob "+bad) {
		t.Errorf("problems = %q, want one for f4.txt", rec.problems)
	}

	// A pack cut short: whatever can't be read is reported, the scan
	// still ends without an error.
	if err := os.WriteFile(pack, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	rec = scan(t, Options{Path: r.dir})
	if len(rec.problems) == 0 {
		t.Error("truncated pack: no problems reported")
	}
}

func TestIsURLAndDisplayURL(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"https://github.com/a/b": true, "file:///tmp/x": true, "git@github.com:a/b.git": true,
		"ssh://git@host/x": true, ".": false, "/tmp/repo": false, "C:\\repo": false, "dir/a@b:c": false,
	} {
		if IsURL(s) != want {
			t.Errorf("IsURL(%q) = %v", s, !want)
		}
	}
	if got := DisplayURL("https://user:secret@example.com/r.git"); strings.Contains(got, "secret") {
		t.Errorf("DisplayURL kept the password: %s", got)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	r, _, _ := linearRepo(t)
	s, err := New(Options{Path: r.dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Scan(ctx, newRecorder()); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestStagedManyFiles(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	files := map[string]string{}
	var want []string
	for i := 0; i < inlineStaged+8; i++ { // past the inline limit: workers
		tok := token()
		name := fmt.Sprintf("dir%d/f.txt", i%5) + strconv.Itoa(i)
		files[name] = "x\n" + tok + "\n"
		want = append(want, tok+" "+name+":2 ")
	}
	r.write(files)
	r.git("add", "-A")
	rec := scan(t, Options{Path: r.dir, Staged: true})
	noProblems(t, rec)
	wantHits(t, rec, want...)
}

func TestReftableIsRefused(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	r.commit(who{"A", 0}, "one", map[string]string{"a.txt": "a"})
	if err := os.Mkdir(filepath.Join(r.dir, ".git", "reftable"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := scanErr(t, Options{Path: r.dir}); !errors.Is(err, ErrReftable) {
		t.Errorf("err = %v, want ErrReftable", err)
	}
}

func TestEmptyRemote(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	bare := filepath.Join(t.TempDir(), "empty.git")
	r.git("init", "-q", "--bare", bare)
	rec := scan(t, Options{URL: "file://" + bare})
	noProblems(t, rec)
	wantHits(t, rec)
}

func TestCloneErrorHidesCredentials(t *testing.T) {
	t.Parallel()
	const token = "ghp_notarealtoken0123456789abcdef"
	err := &redactedError{err: fmt.Errorf(`Get "https://%s@example.invalid/r.git/info/refs": dial tcp: lookup example.invalid`, token), url: "https://" + token + "@example.invalid/r.git"}
	if strings.Contains(err.Error(), token) {
		t.Errorf("token in error: %s", err)
	}
}

// TestArchivesInBlobs checks that a committed archive is entered, with the
// archive chain in the location, and attributed to its commit.
func TestArchivesInBlobs(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	tok := token()
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, err := zw.Create("BOOT-INF/classes/application.properties")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("db.token=" + tok + "\n")); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	c := r.commit(who{name: "Ada"}, "add the build", map[string]string{"dist/app.jar": zbuf.String()})
	rec := scan(t, Options{Path: r.dir, Archive: &archive.Options{}})
	noProblems(t, rec)
	if len(rec.hits) != 1 || rec.hits[0].Commit != c || rec.hits[0].Path != "BOOT-INF/classes/application.properties" {
		t.Fatalf("hits %v", rec.hits)
	}
	var chain string
	for _, ch := range rec.chunks {
		if ch.Origin.Path == "BOOT-INF/classes/application.properties" {
			chain = ch.Origin.Archive
		}
	}
	if chain != "dist/app.jar" {
		t.Errorf("archive chain %q, want dist/app.jar", chain)
	}
	// Without archive options the jar is binary and skipped.
	if rec := scan(t, Options{Path: r.dir}); len(rec.hits) != 0 {
		t.Errorf("archive entered without Archive options: %v", rec.hits)
	}
}

func TestExcludeScansOnlyNewCommits(t *testing.T) {
	t.Parallel()
	r, toks, cs := linearRepo(t)
	tagTok := token()
	r.gitEnv(who{"A", 400}.env(), "tag", "-a", "-m", "release "+tagTok, "v1")

	tips, err := Refs(context.Background(), r.dir)
	if err != nil {
		t.Fatal(err)
	}
	if tips["refs/heads/main"] != cs[3] || tips["refs/tags/v1"] == "" || tips["refs/tags/v1"] == cs[3] {
		t.Fatalf("refs = %v", tips)
	}
	var all []string
	for _, h := range tips {
		all = append(all, h)
	}

	tests := []struct {
		name    string
		exclude []string
		want    []string
	}{
		{"an old tip: only later commits", []string{cs[1]}, []string{
			toks[2] + " secrets.txt:3 " + cs[2], toks[2] + " f2.txt:1 " + cs[2],
			toks[3] + " secrets.txt:4 " + cs[3], toks[3] + " f3.txt:1 " + cs[3],
			tagTok + " refs/tags/v1^{tag}:1 ",
		}},
		{"every current tip: nothing", all, nil},
		{"a tip no longer in the repository: everything", []string{strings.Repeat("ab", 20)}, []string{
			toks[0] + " secrets.txt:1 " + cs[0], toks[0] + " f0.txt:1 " + cs[0],
			toks[1] + " secrets.txt:2 " + cs[1], toks[1] + " f1.txt:1 " + cs[1],
			toks[2] + " secrets.txt:3 " + cs[2], toks[2] + " f2.txt:1 " + cs[2],
			toks[3] + " secrets.txt:4 " + cs[3], toks[3] + " f3.txt:1 " + cs[3],
			tagTok + " refs/tags/v1^{tag}:1 ",
		}},
	}
	for _, tt := range tests {
		// Not parallel: the repository gets a new commit below.
		t.Run(tt.name, func(t *testing.T) {
			rec := scan(t, Options{Path: r.dir, Exclude: tt.exclude})
			noProblems(t, rec)
			wantHits(t, rec, tt.want...)
		})
	}

	// A new commit after the recorded tips: only it is scanned.
	newTok := token()
	c4 := r.commit(who{"A", 500}, "c4", map[string]string{"new.txt": newTok + "\n"})
	rec := scan(t, Options{Path: r.dir, Exclude: all})
	noProblems(t, rec)
	wantHits(t, rec, newTok+" new.txt:1 "+c4)

	if _, err := New(Options{Path: r.dir, Exclude: []string{"main"}}); err == nil {
		t.Error("a ref name accepted as an excluded hash")
	}
}
