package git

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/scanner/source"
)

func wantProblem(t *testing.T, rec *recorder, substr string) {
	t.Helper()
	for _, p := range rec.problems {
		if strings.Contains(p, substr) {
			return
		}
	}
	t.Errorf("no problem containing %q in %q", substr, rec.problems)
}

// A shallow clone's cut history is reported once, with what to fetch; a
// range whose base is beyond the cut says the clone is shallow.
func TestShallowCutIsReported(t *testing.T) {
	t.Parallel()
	r, toks, cs := linearRepo(t)
	shallow := filepath.Join(t.TempDir(), "shallow")
	r.git("clone", "-q", "--depth", "2", "file://"+r.dir, shallow)

	rec := scan(t, Options{Path: shallow})
	if len(rec.problems) != 1 || !strings.Contains(rec.problems[0], "shallow clone") || !strings.Contains(rec.problems[0], "git fetch --unshallow") {
		t.Errorf("problems = %q, want one shallow-clone hint", rec.problems)
	}
	// Everything the clone has is still scanned: the oldest commit it has
	// brings every line its missing parents had.
	var want []string
	for i, tok := range toks[:3] {
		want = append(want, fmt.Sprintf("%s secrets.txt:%d %s", tok, i+1, cs[2]))
	}
	for i := 0; i < 3; i++ {
		want = append(want, fmt.Sprintf("%s f%d.txt:1 %s", toks[i], i, cs[2]))
	}
	want = append(want, toks[3]+" secrets.txt:4 "+cs[3], toks[3]+" f3.txt:1 "+cs[3])
	wantHits(t, rec, want...)

	// A selection that stops before the cut is complete.
	rec = scan(t, Options{Path: shallow, MaxCommits: 1})
	noProblems(t, rec)
	rec = scan(t, Options{Path: shallow, Range: cs[2] + ".." + cs[3]})
	noProblems(t, rec)

	for _, rg := range []string{cs[0] + ".." + cs[3], cs[0][:10] + "..HEAD", "origin/nosuch..HEAD", "HEAD~3..HEAD"} {
		_, err := scanErr(t, Options{Path: shallow, Range: rg})
		var te *TargetError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), "shallow clone") || !strings.Contains(err.Error(), "git fetch") {
			t.Errorf("range %s: err = %v, want a target error saying the clone is shallow", rg, err)
		}
	}
	// Not shallow: no such hint.
	if _, err := scanErr(t, Options{Path: r.dir, Range: "nosuch..HEAD"}); err == nil || strings.Contains(err.Error(), "shallow") {
		t.Errorf("full clone: err = %v", err)
	}
}

// Commit messages are content: a secret in one is found, attributed to
// the commit, at its line in the message; the selection rules apply.
func TestCommitMessages(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	tokOld, tokNew := token(), token()
	c1 := r.commit(who{"A", 0}, "rotate: old token was "+tokOld, map[string]string{"a.txt": "a\n"})
	c2 := r.commit(who{"B", 10}, "second\n\nbody line\nthe new one is "+tokNew+"\n", map[string]string{"a.txt": "b\n"})

	rec := scan(t, Options{Path: r.dir})
	noProblems(t, rec)
	wantHits(t, rec, tokOld+" "+CommitMessagePath+":1 "+c1, tokNew+" "+CommitMessagePath+":4 "+c2)
	for _, h := range rec.hits {
		if h.Secret == tokNew && (h.Author != "B" || h.Message != "second" || h.Date.IsZero()) {
			t.Errorf("message hit without its commit's metadata: %+v", h)
		}
	}
	wantHits(t, scan(t, Options{Path: r.dir, Range: c1 + "..HEAD"}), tokNew+" "+CommitMessagePath+":4 "+c2)
	wantHits(t, scan(t, Options{Path: r.dir, MaxCommits: 1}), tokNew+" "+CommitMessagePath+":4 "+c2)
	since := time.Date(2021, 1, 5, 0, 0, 0, 0, time.UTC)
	wantHits(t, scan(t, Options{Path: r.dir, Since: since}), tokNew+" "+CommitMessagePath+":4 "+c2)
	// The size limit holds for messages too.
	rec = scan(t, Options{Path: r.dir, Options: source.Options{MaxFileSize: 16}})
	if len(rec.hits) != 0 || rec.skips[CommitMessagePath] != "too large" {
		t.Errorf("message over the size limit: hits %v, skips %v", rec.hits, rec.skips)
	}
}

// Refs that lead to blobs and trees (git's own junio-gpg-pub is a tagged
// blob), directly or through annotated tags, are scanned; so are
// annotated tags' messages.
func TestTaggedBlobsAndTrees(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	c := r.commit(who{"A", 0}, "base", map[string]string{"conf/app.env": "x\n", "README": "hi\n"})
	tokLightBlob, tokAnnBlob, tokLightTree, tokAnnTree, tokMsg := token(), token(), token(), token(), token()
	blob := func(content string) string {
		p := filepath.Join(t.TempDir(), "blob")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return r.git("hash-object", "-w", p)
	}
	tree := func(tok string) string {
		// The base tree with conf/app.env changed and README as it was.
		r.write(map[string]string{"conf/app.env": "x\n" + tok + "\n"})
		r.git("add", "conf/app.env")
		h := r.git("write-tree")
		r.git("reset", "-q", "--hard")
		return h
	}
	r.git("tag", "light-blob", blob("key = "+tokLightBlob+"\n"))
	r.gitEnv(who{"T", 1}.env(), "tag", "-a", "-m", "a key\n\nit is "+tokMsg, "ann-blob", blob("\n"+tokAnnBlob+"\n"))
	r.git("tag", "light-tree", tree(tokLightTree))
	r.gitEnv(who{"T", 2}.env(), "tag", "-a", "-m", "snapshot", "ann-tree", tree(tokAnnTree))
	r.git("tag", "same-tree", c+"^{tree}") // nothing new: no hits
	r.gitEnv(who{"T", 3}.env(), "tag", "-a", "-m", "nested", "tag-of-tag", "ann-blob")

	rec := scan(t, Options{Path: r.dir})
	noProblems(t, rec)
	wantHits(t, rec,
		tokLightBlob+" refs/tags/light-blob:1 ",
		tokAnnBlob+" refs/tags/ann-blob:2 ",
		tokMsg+" refs/tags/ann-blob^{tag}:3 ",
		tokLightTree+" refs/tags/light-tree:conf/app.env:2 ",
		tokAnnTree+" refs/tags/ann-tree:conf/app.env:2 ",
		tokAnnBlob+" refs/tags/tag-of-tag:2 ", // the same blob, tagged again
	)
	for _, h := range rec.hits {
		if h.Secret == tokAnnTree && (h.Author != "T" || h.Message != "snapshot") {
			t.Errorf("annotated tag's content without the tagger: %+v", h)
		}
	}
	// --branch and --range scan histories, not tags; --max-commits
	// commits.
	if rec := scan(t, Options{Path: r.dir, Branches: []string{"main"}}); len(rec.hits) != 0 {
		t.Errorf("--branch: hits %v", rec.hits)
	}
	if rec := scan(t, Options{Path: r.dir, MaxCommits: 5}); len(rec.hits) != 0 {
		t.Errorf("--max-commits: hits %v", rec.hits)
	}
	// --since keeps annotated tags tagged since then, and the messages
	// of those.
	since := time.Date(2021, 1, 3, 0, 0, 0, 0, time.UTC) // after ann-blob, before ann-tree
	wantHits(t, scan(t, Options{Path: r.dir, Since: since}),
		tokAnnTree+" refs/tags/ann-tree:conf/app.env:2 ", tokAnnBlob+" refs/tags/tag-of-tag:2 ")
}

// A scan cancelled while it runs (SIGTERM) returns within a second.
func TestCancelPromptly(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	for i := 0; i < 20; i++ {
		files := map[string]string{}
		for j := 0; j < 20; j++ {
			files[fmt.Sprintf("d%d/f%d.txt", j, i)] = strings.Repeat(fmt.Sprintf("line %d %d\n", i, j), 200)
		}
		r.commit(who{"A", i}, "c", files)
	}
	s, err := New(Options{Path: r.dir, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink := &cancelAfter{recorder: newRecorder(), n: 3, cancel: cancel}
	start := time.Now()
	err = s.Scan(ctx, sink)
	var at time.Time
	sink.mu.Lock()
	at = sink.at
	sink.mu.Unlock()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if at.IsZero() {
		t.Fatalf("never cancelled (%v)", time.Since(start))
	}
	if d := time.Since(at); d > 5*time.Second { // generous: -race on a loaded 2-core CI machine
		t.Errorf("scan returned %v after the cancel", d)
	}
}

type cancelAfter struct {
	*recorder
	n      int
	cancel func()
	at     time.Time
}

func (c *cancelAfter) Chunk(ch finding.Chunk) {
	c.recorder.Chunk(ch)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n--; c.n == 0 {
		c.at = time.Now()
		c.cancel()
	}
}

func TestCommitMessageOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ raw, want string }{
		{"tree x\nauthor a\n\nsubject\n\nbody\n", "subject\n\nbody\n"},
		// A signature's lines go on with a space: no empty line in them.
		{"tree x\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n abc\n -----END PGP SIGNATURE-----\n\nsigned\n", "signed\n"},
		{"tree x\nauthor a\n", ""},
		{"tree x\n\n", ""},
	} {
		if got := string(commitMessageOf([]byte(tc.raw))); got != tc.want {
			t.Errorf("commitMessageOf(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
	for msg, one := range map[string]bool{"subject\n": true, "subject": false, "subject\n\nbody\n": false, " subject\n": false, "": false} {
		if got := newMeta(plumbing.ZeroHash, "a", "e", []byte(msg), time.Time{}, nil).oneLine; got != one {
			t.Errorf("oneLine(%q) = %v", msg, got)
		}
	}
}

// TestMessagesKeptWhole: a short message of several lines is kept whole
// while the walk's budget lasts (its scan then reads no commit again);
// a long one, or one past the budget, keeps only its first line.
func TestMessagesKeptWhole(t *testing.T) {
	t.Parallel()
	var b messageBudget
	b.left.Store(64)
	body := "subject\n\nbody with the old token\n"
	m := newMeta(plumbing.ZeroHash, "a", "e", []byte(body), time.Time{}, &b)
	if !m.whole || m.messageText() != body || m.message() != "subject" {
		t.Errorf("kept: whole=%v text %q first line %q", m.whole, m.messageText(), m.message())
	}
	long := "subject\n\n" + strings.Repeat("x", maxKeptMessage)
	if m := newMeta(plumbing.ZeroHash, "a", "e", []byte(long), time.Time{}, &b); m.whole || m.message() != "subject" {
		t.Errorf("a message over %d bytes was kept whole", maxKeptMessage)
	}
	if m := newMeta(plumbing.ZeroHash, "a", "e", []byte(body), time.Time{}, &b); m.whole {
		t.Errorf("kept past the budget (%d left)", b.left.Load())
	}
	if left := b.left.Load(); left != 64-int64(len(body)) {
		t.Errorf("budget left %d, want %d", left, 64-len(body))
	}
	if m := newMeta(plumbing.ZeroHash, "a", "e", []byte(body), time.Time{}, nil); m.whole {
		t.Error("a nil budget kept a message")
	}
}

// Credentials in a clone URL, as user info or in the query string, are
// in no error message, whichever way the clone fails.
func TestCloneErrorsHideURLCredentials(t *testing.T) {
	t.Parallel()
	tok1, tok2, tok3 := token(), token(), token()
	for _, u := range []string{
		"https://user:" + tok1 + "@127.0.0.1:1/x.git?private_token=" + tok2,
		"https://" + tok1 + "@127.0.0.1:1/x.git?a=b&private_token=" + tok2 + "#" + tok3,
		"http://" + tok1 + ":x-oauth-basic@127.0.0.1:1/x.git",
		"https://" + tok1 + "@127.0.0.1:1/bad%zzescape.git?private_token=" + tok2 + "&x=1#" + tok3,
		"ssh://git:" + tok1 + "@127.0.0.1:1/x.git?private_token=" + tok2,
	} {
		_, err := scanErr(t, Options{URL: u})
		if err == nil {
			t.Errorf("%s: no error", DisplayURL(u))
			continue
		}
		msg := err.Error()
		for _, tok := range []string{tok1, tok2, tok3} {
			if strings.Contains(msg, tok) {
				t.Errorf("error holds a credential: %s", msg)
			}
		}
		if !strings.Contains(msg, "127.0.0.1:1") {
			t.Errorf("error does not name the host: %s", msg)
		}
	}
}

func TestDisplayURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://user:pw@example.com/r.git":              "https://example.com/r.git",
		"https://tok@example.com/r.git":                  "https://example.com/r.git",
		"https://example.com/r.git?private_token=abc":    "https://example.com/r.git?***",
		"https://example.com/r.git#frag":                 "https://example.com/r.git?***",
		"ssh://git@example.com/r.git":                    "ssh://git@example.com/r.git",
		"ssh://git:pw@example.com/r.git":                 "ssh://example.com/r.git",
		"git@example.com:org/r.git":                      "git@example.com:org/r.git",
		"https://tok@example.com/%zz.git?private_token=": "https://example.com/%zz.git?***",
		"file:///srv/r.git":                              "file:///srv/r.git",
	} {
		if got := DisplayURL(in); got != want {
			t.Errorf("DisplayURL(%q) = %q, want %q", in, got, want)
		}
	}
}
