package git

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
)

const zeroID = "0000000000000000000000000000000000000000"

func TestParseRefUpdates(t *testing.T) {
	t.Parallel()
	a, b := strings.Repeat("a", 40), strings.Repeat("B", 40)
	for _, tc := range []struct {
		name, in string
		want     []RefUpdate
		err      string
	}{
		{name: "empty", in: ""},
		{name: "one", in: a + " " + b + " refs/heads/main\n",
			want: []RefUpdate{{Old: a, New: strings.ToLower(b), Ref: "refs/heads/main"}}},
		{name: "create delete crlf blank", in: zeroID + " " + a + " refs/heads/new\r\n\n" + a + " " + zeroID + " refs/tags/v1",
			want: []RefUpdate{{Old: zeroID, New: a, Ref: "refs/heads/new"}, {Old: a, New: zeroID, Ref: "refs/tags/v1"}}},
		{name: "two fields", in: a + " " + b + "\n", err: "line 1: want"},
		{name: "short id", in: a + " abc refs/heads/x\n", err: `"abc" is not a 40-hex object id`},
		{name: "sha256", in: strings.Repeat("c", 64) + " " + strings.Repeat("d", 64) + " refs/heads/x\n", err: "SHA-256"},
		{name: "second line", in: a + " " + a + " refs/heads/x\nnonsense\n", err: "line 2"},
		{name: "huge line", in: strings.Repeat("x", maxUpdateLine+1), err: "read ref updates"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseRefUpdates(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestQuarantineFromEnv(t *testing.T) {
	t.Parallel()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	sep := string(filepath.ListSeparator)
	for _, tc := range []struct {
		name     string
		env      map[string]string
		dir      string
		alts     []string
		err      string
		unixOnly bool
	}{
		{name: "none"},
		{name: "hook", env: map[string]string{envObjectDir: "/r.git/objects/incoming-1", envQuarantine: "/r.git/objects/incoming-1", envAlternates: "/r.git/objects"},
			dir: "/r.git/objects/incoming-1", alts: []string{"/r.git/objects"}, unixOnly: true},
		{name: "quarantine path only", env: map[string]string{envQuarantine: "/q"}, dir: "/q", unixOnly: true},
		{name: "relative", env: map[string]string{envObjectDir: "./objects/incoming", envAlternates: "objects"},
			dir: filepath.Join(wd, "objects", "incoming"), alts: []string{filepath.Join(wd, "objects")}},
		{name: "several and quoted", env: map[string]string{envAlternates: `/a` + sep + `"/b` + sep + `c\tq"` + sep + sep + "/d"},
			alts: []string{"/a", "/b" + sep + "c\tq", "/d"}, unixOnly: true},
		{name: "unterminated quote", env: map[string]string{envAlternates: `"/a`}, err: "unterminated"},
		{name: "text after quote", env: map[string]string{envAlternates: `"/a"b`}, err: "text after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.unixOnly && filepath.Separator != '/' {
				t.Skip("unix paths")
			}
			dir, alts, err := QuarantineFromEnv(func(k string) string { return tc.env[k] })
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if dir != tc.dir || !reflect.DeepEqual(alts, tc.alts) {
				t.Errorf("got %q %q, want %q %q", dir, alts, tc.dir, tc.alts)
			}
		})
	}
}

// pushEnv is a client repository and a bare server it pushes to.
type pushEnv struct {
	*testRepo
	server string
}

func newPushEnv(t *testing.T) *pushEnv {
	t.Helper()
	r := newTestRepo(t)
	server := filepath.Join(t.TempDir(), "server.git")
	r.git("init", "-q", "--bare", server)
	return &pushEnv{testRepo: r, server: server}
}

// push pushes for real, with no hook: what the server has before the
// push under test.
func (e *pushEnv) push(refspecs ...string) {
	e.t.Helper()
	e.git(append([]string{"push", "-q", "--force", e.server}, refspecs...)...)
}

// serverRef is what a ref of the server names, or zeroID.
func (e *pushEnv) serverRef(ref string) string {
	e.t.Helper()
	cmd := exec.Command("git", "--git-dir", e.server, "rev-parse", "-q", "--verify", ref)
	cmd.Env = gitEnv()
	out, err := cmd.Output()
	if err != nil {
		return zeroID
	}
	return strings.TrimSpace(string(out))
}

// quarantine does what git receive-pack does before it runs a
// pre-receive hook: the objects the push brings (those no server ref
// reaches) go into a pack in a directory of their own, which the server
// does not know of, and the hook is told the ref updates. It returns the
// options the hook's scan gets. updates are "ref=client-revision" (an
// empty revision deletes the ref).
func (e *pushEnv) quarantine(updates ...string) Options {
	e.t.Helper()
	var ups []RefUpdate
	var news []string
	for _, u := range updates {
		ref, rev, _ := strings.Cut(u, "=")
		nu := RefUpdate{Old: e.serverRef(ref), New: zeroID, Ref: ref}
		if rev != "" {
			nu.New = e.git("rev-parse", rev)
			news = append(news, nu.New)
		}
		ups = append(ups, nu)
	}
	q := filepath.Join(e.server, "objects", "tmp_objdir-incoming-test")
	if err := os.RemoveAll(q); err != nil {
		e.t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(q, "pack"), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if len(news) > 0 {
		cmd := exec.Command("git", "--git-dir", e.server, "for-each-ref", "--format=%(objectname)")
		cmd.Env = gitEnv()
		have, err := cmd.Output()
		if err != nil {
			e.t.Fatal(err)
		}
		args := append([]string{"rev-list", "--objects"}, news...)
		if h := strings.Fields(string(have)); len(h) > 0 {
			args = append(append(args, "--not"), h...)
		}
		objs := e.git(args...)
		if objs == "" {
			return Options{Path: e.server, Push: &Push{Updates: ups, ObjectDir: q, AlternateObjectDirs: []string{filepath.Join(e.server, "objects")}}}
		}
		pack := exec.Command("git", "pack-objects", "-q", filepath.Join(q, "pack", "pack"))
		pack.Dir, pack.Env = e.dir, gitEnv()
		pack.Stdin = strings.NewReader(objs + "\n")
		if out, err := pack.CombinedOutput(); err != nil {
			e.t.Fatalf("pack-objects: %v\n%s", err, out)
		}
	}
	return Options{Path: e.server, Push: &Push{Updates: ups, ObjectDir: q, AlternateObjectDirs: []string{filepath.Join(e.server, "objects")}}}
}

func TestPushSelection(t *testing.T) {
	t.Parallel()
	e := newPushEnv(t)
	tokOld, tokOld2 := token(), token()
	c1 := e.commit(who{"A", 0}, "base", map[string]string{"app.env": "key = " + tokOld + "\n", "README": "hi\n"})
	c2 := e.commit(who{"A", 1}, "more", map[string]string{"notes.txt": tokOld2 + "\n"})
	e.push("main")

	t.Run("new commits on a branch", func(t *testing.T) {
		t.Parallel()
		e := cloneEnv(t, e)
		tok, tokMsg := token(), token()
		c3 := e.commit(who{"B", 2}, "add\n\nthe key was "+tokMsg, map[string]string{"app.env": "key = " + tokOld + "\nnew = " + tok + "\n"})
		c4 := e.commit(who{"B", 3}, "clean", map[string]string{"README": "hello\n"})
		rec := scan(t, e.quarantine("refs/heads/main="+c4))
		noProblems(t, rec)
		// tokOld stays in app.env: not new. The message is content.
		wantHits(t, rec, tok+" app.env:2 "+c3, tokMsg+" "+CommitMessagePath+":3 "+c3)
		if len(rec.chunks) == 0 {
			t.Fatal("nothing scanned")
		}
	})
	t.Run("the quarantine is needed", func(t *testing.T) {
		t.Parallel()
		e := cloneEnv(t, e)
		c3 := e.commit(who{"B", 2}, "add", map[string]string{"x.txt": token() + "\n"})
		opts := e.quarantine("refs/heads/main=" + c3)
		opts.Push.ObjectDir, opts.Push.AlternateObjectDirs = "", nil
		rec := scan(t, opts)
		wantProblem(t, rec, "pushed object")
		if len(rec.hits) != 0 {
			t.Errorf("hits %v", rec.hits)
		}
		opts = e.quarantine("refs/heads/main=" + c3)
		opts.Push.ObjectDir = filepath.Join(t.TempDir(), "gone")
		wantProblem(t, scan(t, opts), "not an object directory")
	})
	t.Run("new branch from an old commit", func(t *testing.T) {
		t.Parallel()
		e := cloneEnv(t, e)
		e.git("checkout", "-q", "-b", "topic", c1)
		tok := token()
		c5 := e.commit(who{"C", 4}, "topic", map[string]string{"t.txt": tok + "\n"})
		rec := scan(t, e.quarantine("refs/heads/topic="+c5))
		noProblems(t, rec)
		wantHits(t, rec, tok+" t.txt:1 "+c5)
	})
	t.Run("existing commits under a new name", func(t *testing.T) {
		t.Parallel()
		e := cloneEnv(t, e)
		rec := scan(t, e.quarantine("refs/heads/copy="+c2, "refs/tags/v1="+c1))
		noProblems(t, rec)
		if len(rec.hits) != 0 || rec.items != 0 {
			t.Errorf("scanned %d items, hits %v", rec.items, rec.hits)
		}
	})
	t.Run("deletion", func(t *testing.T) {
		t.Parallel()
		e := cloneEnv(t, e)
		e.push(c1 + ":refs/heads/old")
		rec := scan(t, e.quarantine("refs/heads/old="))
		noProblems(t, rec)
		if len(rec.hits) != 0 || rec.items != 0 {
			t.Errorf("scanned %d items, hits %v", rec.items, rec.hits)
		}
	})
	t.Run("force push", func(t *testing.T) {
		t.Parallel()
		e := cloneEnv(t, e)
		tokFeat := token()
		e.git("checkout", "-q", "-b", "feature")
		e.commit(who{"D", 5}, "feature", map[string]string{"feat.txt": tokFeat + "\n"})
		e.push("feature")
		// Rewritten on main's new tip: feat.txt comes along unchanged, and
		// the rewrite adds a secret.
		e.git("checkout", "-q", "main")
		cm := e.commit(who{"A", 6}, "main moves", map[string]string{"m.txt": "m\n"})
		e.push("main")
		e.git("checkout", "-q", "-b", "rewritten", cm)
		tokNew := token()
		cr := e.commit(who{"D", 7}, "feature again", map[string]string{"feat.txt": tokFeat + "\n", "more.txt": tokNew + "\n"})
		rec := scan(t, e.quarantine("refs/heads/feature="+cr))
		noProblems(t, rec)
		wantHits(t, rec, tokNew+" more.txt:1 "+cr)
	})
	t.Run("content of another branch", func(t *testing.T) {
		t.Parallel()
		e := cloneEnv(t, e)
		// A secret on a branch the server has (accepted before the hook):
		// merging it into main brings nothing new.
		e.git("checkout", "-q", "-b", "vendor", c2)
		e.commit(who{"E", 8}, "vendored", map[string]string{"vendor/key.txt": token() + "\n"})
		e.push("vendor")
		e.git("checkout", "-q", "main")
		e.gitEnv(who{"E", 9}.env(), "merge", "-q", "--no-ff", "-m", "merge vendor", "vendor")
		m := e.git("rev-parse", "HEAD")
		rec := scan(t, e.quarantine("refs/heads/main="+m, "refs/heads/also-vendor=vendor"))
		noProblems(t, rec)
		if len(rec.hits) != 0 {
			t.Errorf("hits %v", rec.hits)
		}
	})
	t.Run("tags to blobs and trees", func(t *testing.T) {
		t.Parallel()
		e := cloneEnv(t, e)
		tokBlob, tokTag := token(), token()
		p := filepath.Join(t.TempDir(), "blob")
		if err := os.WriteFile(p, []byte("k = "+tokBlob+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		blob := e.git("hash-object", "-w", p)
		e.git("tag", "key-blob", blob)
		e.gitEnv(who{"T", 9}.env(), "tag", "-a", "-m", "release\n\n"+tokTag, "v2", c2)
		e.git("tag", "tree", c1+"^{tree}") // content the server has
		rec := scan(t, e.quarantine("refs/tags/key-blob=key-blob", "refs/tags/v2=v2", "refs/tags/tree=tree"))
		noProblems(t, rec)
		wantHits(t, rec, tokBlob+" refs/tags/key-blob:1 ", tokTag+" refs/tags/v2^{tag}:3 ")
	})
}

// cloneEnv copies a push environment (client and server) so subtests
// run in parallel from the same start.
func cloneEnv(t *testing.T, e *pushEnv) *pushEnv {
	t.Helper()
	dir := t.TempDir()
	for _, src := range []string{e.dir, e.server} {
		cp := exec.Command("cp", "-a", src, dir)
		if out, err := cp.CombinedOutput(); err != nil {
			t.Skipf("cp -a: %v %s", err, out)
		}
	}
	r := &testRepo{t: t, dir: filepath.Join(dir, filepath.Base(e.dir))}
	return &pushEnv{testRepo: r, server: filepath.Join(dir, filepath.Base(e.server))}
}

// go-git, which reads what the pack reader leaves to it, finds the
// pushed objects in the quarantine too.
func TestPushObjectsThroughGoGit(t *testing.T) {
	t.Parallel()
	e := newPushEnv(t)
	e.commit(who{"A", 0}, "base", map[string]string{"a.txt": "a\n"})
	e.push("main")
	c := e.commit(who{"A", 1}, "new", map[string]string{"b.txt": "b\n"})
	opts := e.quarantine("refs/heads/main=" + c)
	r, err := openRepo(e.server)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.storage(cache.NewObjectLRU(1<<20)).EncodedObject(plumbing.CommitObject, plumbing.NewHash(c)); err == nil {
		t.Fatal("the new commit is in the repository before the push")
	}
	r, _ = openRepo(e.server)
	r.pushObjects = opts.Push.objectDirs()
	obj, err := r.storage(cache.NewObjectLRU(1<<20)).EncodedObject(plumbing.CommitObject, plumbing.NewHash(c))
	if err != nil {
		t.Fatalf("go-git with the quarantine: %v", err)
	}
	if obj.Hash().String() != c {
		t.Errorf("read %s, want %s", obj.Hash(), c)
	}
}

// The walk that finds new commits reads the pushed commits and the
// newest old ones, not the repository's whole history.
func TestNewCommitsWalkIsBounded(t *testing.T) {
	t.Parallel()
	e := newPushEnv(t)
	// 600 old commits through fast-import (one process, not 600).
	var b bytes.Buffer
	for i := 0; i < 600; i++ {
		fmt.Fprintf(&b, "commit refs/heads/main\ncommitter A <a@example.com> %d +0000\ndata 2\nc\n", 1600000000+i*3600)
		fmt.Fprintf(&b, "M 644 inline f%d.txt\ndata 2\nx\n\n", i)
	}
	imp := exec.Command("git", "fast-import", "--quiet")
	imp.Dir, imp.Env, imp.Stdin = e.dir, gitEnv(), &b
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("fast-import: %v\n%s", err, out)
	}
	e.git("reset", "-q", "--hard", "main")
	e.push("main")
	// A side branch from an old commit, a day and more later.
	e.push("main~500:refs/heads/old-side")
	var tips []string
	for i := 0; i < 3; i++ {
		tips = append(tips, e.commit(who{"B", 10000 + i}, "new", map[string]string{fmt.Sprintf("n%d.txt", i): "n\n"}))
	}
	opts := e.quarantine("refs/heads/main=" + tips[2])
	r, err := openRepo(e.server)
	if err != nil {
		t.Fatal(err)
	}
	r.pushObjects = opts.Push.objectDirs()
	db := openODBFrom(r.objectDirs(), DefaultCacheSize)
	defer db.Close()
	o := &objectSource{repo: r, cache: cache.NewObjectLRU(1 << 20), db: db}
	objs := o.open()
	defer objs.Close()
	rec := newRecorder()
	g := newGraph(context.Background(), r, objs, rec)
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := s.selectPush(context.Background(), r, g)
	if err != nil {
		t.Fatal(err)
	}
	noProblems(t, rec)
	var got []string
	for _, c := range sel.commits {
		got = append(got, c.hash.String())
	}
	if !reflect.DeepEqual(got, tips) {
		t.Errorf("selected %q, want %q", got, tips)
	}
	// The new commits, main's tip and the slop behind it, old-side's tip.
	if n := len(g.commits); n > 20 {
		t.Errorf("the walk read %d commits of a 603-commit history", n)
	}
}

// Committer dates that go backwards (a rebase, a wrong clock) don't make
// the walk take old commits for new ones.
func TestNewCommitsSkewedDates(t *testing.T) {
	t.Parallel()
	e := newPushEnv(t)
	// Old history whose newest commits claim to be older than their
	// parents by hours, then a new commit dated before all of them.
	e.commit(who{"A", 10}, "one", map[string]string{"a.txt": "a\n"})
	e.commit(who{"A", 5}, "two", map[string]string{"b.txt": "b\n"})
	old := e.commit(who{"A", 3}, "three", map[string]string{"c.txt": token() + "\n"})
	e.push("main")
	e.push(old + "~2:refs/heads/first")
	tok := token()
	c := e.commit(who{"B", 2}, "new but dated early", map[string]string{"d.txt": tok + "\n"})
	rec := scan(t, e.quarantine("refs/heads/main="+c))
	noProblems(t, rec)
	wantHits(t, rec, tok+" d.txt:1 "+c)
}
