package git

import (
	"bufio"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/leakhound/leakhound/scanner/source"
)

// RefUpdate is one ref a push changes, as a pre-receive hook is told:
// its object ids before and after, 40 hex digits each, all zeros for a
// ref the push creates (Old) or deletes (New).
type RefUpdate struct {
	Old, New string
	Ref      string
}

// Push is a push being received: what a pre-receive hook scans instead
// of history (see Options.Push).
type Push struct {
	Updates []RefUpdate
	// ObjectDir is where git keeps the pushed objects until the hook
	// accepts them (the quarantine, GIT_OBJECT_DIRECTORY), and
	// AlternateObjectDirs the object directories git lends the hook with
	// it (GIT_ALTERNATE_OBJECT_DIRECTORIES): both are read before the
	// repository's own objects. Empty outside a hook, or with a git older
	// than 2.11, which put pushed objects straight into the repository.
	ObjectDir           string
	AlternateObjectDirs []string
}

// maxUpdateLine bounds a line of hook input: two ids and a ref name,
// which git caps far below this.
const maxUpdateLine = 64 << 10

// ParseRefUpdates reads what git writes to a pre-receive hook: one
// "<old> <new> <ref>" line per ref the push updates.
func ParseRefUpdates(r io.Reader) ([]RefUpdate, error) {
	var out []RefUpdate
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxUpdateLine)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, fmt.Errorf("line %d: want \"<old-id> <new-id> <ref>\", got %q", n, truncate(line, 120))
		}
		for _, id := range f[:2] {
			if len(id) == 64 && isHex(id) {
				return nil, fmt.Errorf("line %d: %s: repositories with SHA-256 object ids are not supported", n, truncate(id, 16))
			}
			if !isHex40(id) {
				return nil, fmt.Errorf("line %d: %q is not a 40-hex object id", n, truncate(id, 80))
			}
		}
		out = append(out, RefUpdate{Old: strings.ToLower(f[0]), New: strings.ToLower(f[1]), Ref: f[2]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read ref updates: %w", err)
	}
	return out, nil
}

// The environment git gives a pre-receive hook to find the pushed
// objects (githooks(5), "Quarantine environment").
const (
	envObjectDir  = "GIT_OBJECT_DIRECTORY"
	envQuarantine = "GIT_QUARANTINE_PATH"
	envAlternates = "GIT_ALTERNATE_OBJECT_DIRECTORIES"
)

// QuarantineFromEnv reads where git keeps a push's objects while its
// pre-receive hook runs, with getenv (os.Getenv). Only a hook may call
// it: anywhere else these variables would let the environment change
// what a scan reads. Relative paths are made absolute against the
// working directory, which is where git left the hook.
func QuarantineFromEnv(getenv func(string) string) (objectDir string, alternates []string, err error) {
	objectDir = getenv(envObjectDir)
	if objectDir == "" {
		objectDir = getenv(envQuarantine)
	}
	if objectDir != "" {
		if objectDir, err = filepath.Abs(objectDir); err != nil {
			return "", nil, fmt.Errorf("%s: %w", envObjectDir, err)
		}
	}
	list, err := splitAlternates(getenv(envAlternates))
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", envAlternates, err)
	}
	for _, d := range list {
		abs, err := filepath.Abs(d)
		if err != nil {
			return "", nil, fmt.Errorf("%s: %w", envAlternates, err)
		}
		alternates = append(alternates, abs)
	}
	return objectDir, alternates, nil
}

// splitAlternates splits a list of object directories as git does: on
// the path list separator, an entry starting with a double quote being
// C-quoted (so it may hold the separator).
func splitAlternates(s string) ([]string, error) {
	var out []string
	for s != "" {
		var entry string
		if s[0] == '"' {
			end := 1
			for end < len(s) && s[end] != '"' {
				if s[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(s) {
				return nil, fmt.Errorf("unterminated quoted entry %q", truncate(s, 80))
			}
			u, err := strconv.Unquote(s[:end+1])
			if err != nil {
				return nil, fmt.Errorf("malformed quoted entry %q", truncate(s[:end+1], 80))
			}
			entry, s = u, s[end+1:]
			if s != "" && s[0] != filepath.ListSeparator {
				return nil, fmt.Errorf("text after quoted entry %q", truncate(entry, 80))
			}
		} else {
			entry, s, _ = strings.Cut(s, string(filepath.ListSeparator))
			s = string(filepath.ListSeparator) + s
		}
		s = strings.TrimPrefix(s, string(filepath.ListSeparator))
		if entry != "" {
			out = append(out, entry)
		}
	}
	return out, nil
}

// objectDirs are the push's own object directories, to be read before
// the repository's (empty when git did not quarantine the push).
func (p *Push) objectDirs() []string {
	var out []string
	if p.ObjectDir != "" {
		out = append(out, p.ObjectDir)
	}
	return append(out, p.AlternateObjectDirs...)
}

// checkObjectDirs reports a quarantine directory that is not one: the
// pushed objects would then be missing, and the scan says why.
func (p *Push) checkObjectDirs(sink source.Sink) {
	for _, d := range p.objectDirs() {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			sink.Problem(d, errors.New("pushed objects: not an object directory (GIT_OBJECT_DIRECTORY or GIT_ALTERNATE_OBJECT_DIRECTORIES)"))
		}
	}
}

func (p *Push) validate() error {
	for _, u := range p.Updates {
		if !isHex40(u.Old) || !isHex40(u.New) {
			return fmt.Errorf("push: ref %q: object ids must be 40 hex digits", u.Ref)
		}
		if u.Ref == "" {
			return errors.New("push: a ref update without a ref name")
		}
	}
	return nil
}

// selectPush selects what a push brings. Every commit a ref of the
// repository already reaches was accepted when it was pushed, so the
// commits scanned are those the pushed objects reach and no ref does
// (`git rev-list NEW... --not --all`): a new branch brings only its own
// commits, a deleted ref brings nothing, and a force push brings the
// rewritten commits. The refs are read as they are during the hook,
// before the push updates them, so the old ids are among them.
//
// Besides the parents of the new commits (the usual boundary), the old
// tips of the updated refs are walked first without scanning: after a
// force push, a file the rewritten commits carry unchanged from the old
// branch was on the server already and is not reported again.
//
// Pushed refs that lead to annotated tags, trees or blobs are scanned as
// a history scan scans them (see scanTargets), unless another ref
// already names the same object or the repository already stores it.
func (s *Source) selectPush(ctx context.Context, r *repo, g *graph) (selection, error) {
	var sel selection
	// A ref that can't be read only makes the walk exclude less (more is
	// scanned, nothing is missed), so the repository's own broken refs
	// don't block every push.
	existing := r.refs(ctx, problemsDropped{g.sink})
	if err := ctx.Err(); err != nil {
		return sel, err
	}
	named := make(map[plumbing.Hash]bool, len(existing))
	var excluded []plumbing.Hash
	for _, rf := range existing {
		named[rf.hash] = true
		if p, err := g.peel(rf.hash); err == nil && p.typ == plumbing.CommitObject {
			excluded = append(excluded, p.hash)
		}
	}
	// A tag, tree or blob already stored in the repository, not only in
	// the quarantine, was there before the push (git sends what the
	// server lacks): a new ref to it brings nothing. Without a
	// quarantine every object is in the repository, so none is skipped.
	var own *filesystem.Storage
	stored := func(h plumbing.Hash) bool {
		if s.opts.Push.ObjectDir == "" {
			return false
		}
		if own == nil {
			own = (&repo{gitDir: r.gitDir, commonDir: r.commonDir}).storage(cache.NewObjectLRU(fallbackCacheSize))
		}
		return own.HasEncodedObject(h) == nil
	}
	var tips, oldTips []plumbing.Hash
	for _, u := range s.opts.Push.Updates {
		if old := plumbing.NewHash(u.Old); !old.IsZero() {
			if p, err := g.peel(old); err == nil && p.typ == plumbing.CommitObject {
				excluded = append(excluded, p.hash)
				oldTips = append(oldTips, p.hash)
			}
		}
		h := plumbing.NewHash(u.New)
		if h.IsZero() {
			continue // a deleted ref brings nothing
		}
		p, err := g.peel(h)
		if err != nil {
			g.sink.Problem(u.Ref, fmt.Errorf("pushed object: %w", err))
			continue
		}
		if p.typ == plumbing.CommitObject {
			tips = append(tips, p.hash)
		}
		if !named[h] && (len(p.tags) > 0 || p.typ != plumbing.CommitObject) && !stored(h) {
			sel.targets = append(sel.targets, refTarget{name: u.Ref, peeled: p})
		}
	}
	if own != nil {
		own.Close()
	}
	set, err := g.newCommits(ctx, tips, excluded)
	if err != nil {
		return sel, err
	}
	sel.commits = order(set)
	sel.boundary = g.boundary(sel.commits, set)
	seen := make(map[plumbing.Hash]bool, len(sel.boundary))
	for _, b := range sel.boundary {
		seen[b.hash] = true
	}
	for _, h := range oldTips {
		if set[h] != nil || seen[h] {
			continue
		}
		seen[h] = true
		if c := g.readQuiet(h); c != nil {
			sel.boundary = append(sel.boundary, c)
		}
	}
	return sel, nil
}

// problemsDropped is a sink that drops problems.
type problemsDropped struct{ source.Sink }

func (problemsDropped) Problem(string, error) {}

// readQuiet is read for commits already accepted: one that can't be read
// is left out without a problem (it only narrows what is excluded), and
// a later read reports it if a new commit needs it.
func (g *graph) readQuiet(h plumbing.Hash) *commit {
	if c, ok := g.commits[h]; ok {
		return c
	}
	if g.failed[h] {
		return nil
	}
	c, err := decodeCommit(g.objects, h, g.shallow[h], &g.keep)
	if err != nil {
		return nil
	}
	g.commits[h] = c
	return c
}

// How far the walk of newCommits looks past the last new commit: git's
// own walk (limit_list) goes on for five commits once only old ones are
// left; this one also goes on while old commits are less than a day older
// than the oldest new one, for clocks that are a little off.
const (
	pushWalkSlop = 5
	pushWalkSkew = 24 * 60 * 60 // seconds
)

// Colors of the commits newCommits walks.
const (
	fromPush uint8 = 1 << iota // reached from a pushed object
	fromRefs                   // reached from an existing ref: not new
)

// newCommits returns the commits reachable from tips and from none of
// excluded. Walking all of excluded's history would cost the whole
// repository on every push, so, as git does for the same question, the
// walk goes newest first (by committer date) from both sides at once,
// spreads "not new" from excluded commits to their ancestors, and stops
// once only excluded commits are left and they are older than every new
// commit found (with the margins above). Committer dates that lie by
// more than the margins can make it scan a commit a ref already had,
// never miss a new one.
func (g *graph) newCommits(ctx context.Context, tips, excluded []plumbing.Hash) (map[plumbing.Hash]*commit, error) {
	color := map[plumbing.Hash]uint8{}
	popped := map[plumbing.Hash]bool{}
	q := &newestFirst{}
	queuedNew := 0 // queued commits not (yet) known to be old
	// markOld spreads fromRefs from a commit already walked to its
	// ancestors that were walked as new.
	var stack []*commit
	markOld := func(c *commit) {
		stack = append(stack[:0], c)
		for len(stack) > 0 {
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, p := range c.parents {
				col, ok := color[p]
				if !ok || col&fromRefs != 0 {
					continue
				}
				color[p] = col | fromRefs
				if !popped[p] {
					queuedNew--
					continue
				}
				if pc := g.commits[p]; pc != nil {
					stack = append(stack, pc)
				}
			}
		}
	}
	add := func(c *commit, col uint8) {
		old, seen := color[c.hash]
		color[c.hash] = old | col
		switch {
		case !seen:
			heap.Push(q, c)
			if col&fromRefs == 0 {
				queuedNew++
			}
		case col&fromRefs != 0 && old&fromRefs == 0:
			if !popped[c.hash] {
				queuedNew--
			} else {
				markOld(c)
			}
		}
	}
	for _, h := range excluded {
		if c := g.readQuiet(h); c != nil {
			add(c, fromRefs)
		}
	}
	for _, h := range tips {
		if c := g.read(h); c != nil {
			add(c, fromPush)
		}
	}
	oldestNew := int64(1<<63 - 1)
	slop := pushWalkSlop
	for n := 0; q.Len() > 0; n++ {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		c := heap.Pop(q).(*commit)
		popped[c.hash] = true
		if color[c.hash]&fromRefs != 0 {
			for _, p := range c.parents {
				if pc := g.readQuiet(p); pc != nil {
					add(pc, fromRefs)
				}
			}
			if queuedNew > 0 || (q.Len() > 0 && (*q)[0].when >= oldestNew-pushWalkSkew) {
				slop = pushWalkSlop
				continue
			}
			if slop--; slop <= 0 {
				break
			}
			continue
		}
		queuedNew--
		oldestNew = min(oldestNew, c.when)
		for _, p := range c.parents {
			if pc := g.read(p); pc != nil {
				add(pc, fromPush)
			}
		}
	}
	out := map[plumbing.Hash]*commit{}
	for h := range popped {
		if color[h]&fromRefs == 0 {
			out[h] = g.commits[h]
		}
	}
	return out, nil
}

// newestFirst is a heap of commits, the newest (by committer date) on
// top, ties broken by hash so the walk is deterministic.
type newestFirst []*commit

func (h newestFirst) Len() int { return len(h) }
func (h newestFirst) Less(i, j int) bool {
	if h[i].when != h[j].when {
		return h[i].when > h[j].when
	}
	return h[i].hash.String() < h[j].hash.String()
}
func (h newestFirst) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *newestFirst) Push(x any)   { *h = append(*h, x.(*commit)) }
func (h *newestFirst) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}
