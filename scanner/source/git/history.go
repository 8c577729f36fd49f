package git

import (
	"bytes"
	"container/heap"
	"container/list"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/leakhound/leakhound/scanner/source"
)

// commit is what the history walk keeps of a commit: its place in the
// graph and what findings say about it.
type commit struct {
	hash    plumbing.Hash
	tree    plumbing.Hash
	parents []plumbing.Hash
	when    int64 // committer time, for ordering
	meta    *meta
	// children counts the selected commits still to walk that name this
	// one as a parent: at zero its record is let go.
	children int32
}

// graph holds the commits read so far.
type graph struct {
	*objects
	// open, when set, opens more readers so that readers goroutines can
	// decode commits in parallel.
	open    func() *objects
	readers int
	sink    source.Sink
	commits map[plumbing.Hash]*commit
	failed  map[plumbing.Hash]bool
	shallow map[plumbing.Hash]bool
	// keep is what is left of the bytes of commit messages the graph
	// may keep whole (see keptMessages).
	keep messageBudget
}

func newGraph(ctx context.Context, r *repo, objs *objects, sink source.Sink) *graph {
	g := &graph{objects: objs, sink: sink, commits: map[plumbing.Hash]*commit{}, failed: map[plumbing.Hash]bool{}, shallow: map[plumbing.Hash]bool{}}
	g.keep.left.Store(keptMessages)
	err := readLines(ctx, filepath.Join(r.commonDir, "shallow"), func(line string) error {
		if line = strings.TrimSpace(line); isHex40(line) {
			g.shallow[plumbing.NewHash(line)] = true
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		sink.Problem("shallow", err)
	}
	return g
}

// tagInfo is an annotated tag met on the way from a ref to its object.
type tagInfo struct {
	hash    plumbing.Hash
	meta    *meta // the tagger, the date and the message's first line
	message []byte
}

// peeled is where a ref leads once annotated tags are followed.
type peeled struct {
	hash plumbing.Hash
	typ  plumbing.ObjectType // commit, tree or blob
	tags []tagInfo           // the annotated tags on the way, outermost first
}

// maxTagChain bounds tags of tags: a cycle can't be built with hashes,
// but a long chain costs a read each.
const maxTagChain = 10

// peel follows annotated tags from h to the commit, tree or blob they
// name.
func (g *graph) peel(h plumbing.Hash) (peeled, error) {
	var p peeled
	for i := 0; i < maxTagChain; i++ {
		if _, ok := g.commits[h]; ok {
			p.hash, p.typ = h, plumbing.CommitObject
			return p, nil
		}
		obj, err := g.object(h)
		if err != nil {
			return p, fmt.Errorf("object %s: %w", h, err)
		}
		switch obj.Type() {
		case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject:
			p.hash, p.typ = h, obj.Type()
			return p, nil
		case plumbing.TagObject:
			var t object.Tag
			if err := t.Decode(obj); err != nil {
				return p, fmt.Errorf("tag %s: %w", h, err)
			}
			msg := []byte(t.Message)
			p.tags = append(p.tags, tagInfo{hash: h, message: msg,
				meta: newMeta(plumbing.ZeroHash, t.Tagger.Name, t.Tagger.Email, msg, t.Tagger.When, nil)})
			h = t.Target
		default:
			return p, fmt.Errorf("object %s: unexpected type %s", h, obj.Type())
		}
	}
	return p, fmt.Errorf("object %s: tags nested more than %d deep", h, maxTagChain)
}

// read decodes one commit, remembering failures so each is reported once.
func (g *graph) read(h plumbing.Hash) *commit {
	if c, ok := g.commits[h]; ok {
		return c
	}
	if g.failed[h] {
		return nil
	}
	c, err := decodeCommit(g.objects, h, g.shallow[h], &g.keep)
	return g.record(h, c, err)
}

// record keeps a decoded commit, or reports why it could not be read.
func (g *graph) record(h plumbing.Hash, c *commit, err error) *commit {
	if err != nil {
		g.failed[h] = true
		g.sink.Problem("commit "+h.String(), fmt.Errorf("read commit: %w", err))
		return nil
	}
	g.commits[h] = c
	return c
}

// decodeCommit reads what the walk needs of a commit. The parents of a
// shallow commit are left out: they are not in the repository.
func decodeCommit(o *objects, h plumbing.Hash, shallow bool, keep *messageBudget) (*commit, error) {
	if data, err := o.rd.read(h, plumbing.CommitObject, 0, false); err == nil {
		if c, ok := parseCommit(h, data, shallow, keep); ok {
			return c, nil
		}
	}
	// Anything the pack reader or parseCommit leaves (a commit it can't
	// find, a malformed one) is go-git's to read or to report.
	obj, err := o.sto.EncodedObject(plumbing.CommitObject, h)
	if err != nil {
		return nil, err
	}
	var oc object.Commit
	if err := oc.Decode(obj); err != nil {
		return nil, err
	}
	c := &commit{
		hash: h,
		tree: oc.TreeHash,
		when: oc.Committer.When.Unix(),
		meta: newMeta(h, oc.Author.Name, oc.Author.Email, []byte(oc.Message), oc.Author.When, keep),
	}
	if !shallow {
		c.parents = oc.ParentHashes
	}
	return c, nil
}

// parseCommit reads a raw commit as go-git's Commit.Decode does, taking
// only what the walk needs: the tree (first header), the parents (the
// headers right after it), the author and committer (at their places
// after the parents; elsewhere go-git drops them too) and the first line
// of the message (after the first empty line). It returns false where
// Decode would fail, for go-git to report the error.
func parseCommit(h plumbing.Hash, b []byte, shallow bool, keep *messageBudget) (*commit, bool) {
	next := func() []byte {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			l := b
			b = nil
			return l
		}
		l := b[:i+1]
		b = b[i+1:]
		return l
	}
	header := func(l []byte) (string, []byte) {
		l = bytes.TrimRight(l, "\n")
		k, v, ok := bytes.Cut(l, []byte{' '})
		if !ok {
			return string(l), nil
		}
		return string(k), v
	}
	hash := func(v []byte) (plumbing.Hash, bool) {
		var x plumbing.Hash
		if len(v) != 40 {
			return x, false
		}
		_, err := hex.Decode(x[:], v)
		return x, err == nil
	}
	l := next()
	if len(l) == 0 || string(l) == "\n" {
		return nil, false
	}
	k, v := header(l)
	if k != "tree" {
		return nil, false
	}
	tree, ok := hash(v)
	if !ok {
		return nil, false
	}
	c := &commit{hash: h, tree: tree}
	var author, committer object.Signature
	var parents []plumbing.Hash
	const (
		inParents = iota
		atAuthor
		atCommitter
		inHeaders
	)
	state := inParents
	var message []byte
	for len(b) > 0 {
		l := next()
		if string(l) == "\n" {
			message = b
			break
		}
		if state == inHeaders {
			continue
		}
		k, v := header(l)
		if state == inParents {
			if k == "parent" {
				p, ok := hash(v)
				if !ok {
					return nil, false
				}
				parents = append(parents, p)
				continue
			}
			state = atAuthor
		}
		if state == atAuthor {
			state = atCommitter
			if k == "author" {
				author.Decode(v)
				continue
			}
		}
		if state == atCommitter {
			state = inHeaders
			if k == "committer" {
				committer.Decode(v)
			}
		}
	}
	c.when = committer.When.Unix()
	c.meta = newMeta(h, author.Name, author.Email, message, author.When, keep)
	if !shallow {
		c.parents = parents
	}
	return c, true
}

// firstLine is the first non-empty line of a commit message, trimmed.
func firstLine(b []byte) string {
	b = bytes.TrimLeft(b, "\r\n")
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	return string(bytes.TrimSpace(b))
}

// reach returns every commit reachable from tips, not walking into stop.
// With g.open set, commits are decoded by several goroutines, each with
// its own store, while this one keeps the maps and decides what to read.
func (g *graph) reach(ctx context.Context, tips []plumbing.Hash, stop map[plumbing.Hash]bool) (map[plumbing.Hash]*commit, error) {
	out := map[plumbing.Hash]*commit{}
	queued := map[plumbing.Hash]bool{}
	var todo []plumbing.Hash
	visit := func(h plumbing.Hash) {
		if !queued[h] && !stop[h] {
			queued[h] = true
			todo = append(todo, h)
		}
	}
	for _, h := range tips {
		visit(h)
	}
	add := func(c *commit) {
		out[c.hash] = c
		for _, p := range c.parents {
			visit(p)
		}
	}
	if g.open == nil || g.readers < 2 {
		for n := 0; len(todo) > 0; n++ {
			if n%1024 == 0 && ctx.Err() != nil {
				return out, ctx.Err()
			}
			h := todo[len(todo)-1]
			todo = todo[:len(todo)-1]
			if c := g.read(h); c != nil {
				add(c)
			}
		}
		return out, nil
	}

	type result struct {
		h   plumbing.Hash
		c   *commit
		err error
	}
	jobs := make(chan plumbing.Hash, g.readers*8)
	results := make(chan result, g.readers*8)
	var wg sync.WaitGroup
	for i := 0; i < g.readers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			objs := g.open()
			defer objs.Close()
			for h := range jobs {
				c, err := decodeCommit(objs, h, g.shallow[h], &g.keep)
				results <- result{h, c, err}
			}
		}()
	}
	defer func() {
		close(jobs)
		go func() { // drain, so readers blocked on a send can exit
			for range results {
			}
		}()
		wg.Wait()
		close(results)
	}()
	inflight := 0
	for len(todo) > 0 || inflight > 0 {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		// Commits already read (peeling tags, resolving revisions) need
		// no reader.
		if n := len(todo); n > 0 {
			h := todo[n-1]
			if c, ok := g.commits[h]; ok {
				todo = todo[:n-1]
				add(c)
				continue
			}
			if g.failed[h] {
				todo = todo[:n-1]
				continue
			}
		}
		var send chan plumbing.Hash
		var next plumbing.Hash
		if len(todo) > 0 {
			send, next = jobs, todo[len(todo)-1]
		}
		select {
		case send <- next:
			todo = todo[:len(todo)-1]
			inflight++
		case r := <-results:
			inflight--
			if c := g.record(r.h, r.c, r.err); c != nil {
				add(c)
			}
		}
	}
	return out, nil
}

// prefetch decodes the commits stored whole in the mapped packs on
// g.readers goroutines, each taking every readers-th, into g.commits,
// before a walk of the whole history. Such a walk (every scan but a
// push's: a range's base is walked back to the root too) reads nearly
// every commit, and reach can hand out only the parents of the commits
// it has read: along a line of history one reader works and the others
// wait, where here all of them work. A commit that fails here is left to
// reach, which reads it again and reports what went wrong.
func (g *graph) prefetch(ctx context.Context) {
	if g.open == nil || g.readers < 2 {
		return
	}
	hs := g.rd.db.packedCommits()
	if len(hs) < 64 {
		return
	}
	parts := make([][]*commit, g.readers)
	var wg sync.WaitGroup
	for i := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			objs := g.open()
			defer objs.Close()
			for j := i; j < len(hs); j += len(parts) {
				if j%1024 == i && ctx.Err() != nil {
					return
				}
				h := hs[j]
				data, err := objs.rd.read(h, plumbing.CommitObject, 0, false)
				if err != nil {
					continue
				}
				if c, ok := parseCommit(h, data, g.shallow[h], &g.keep); ok {
					parts[i] = append(parts[i], c)
				}
			}
		}()
	}
	wg.Wait()
	for _, part := range parts {
		for _, c := range part {
			if _, ok := g.commits[c.hash]; !ok {
				g.commits[c.hash] = c
			}
		}
	}
}

// order sorts commits topologically, parents first; among commits ready
// at the same time the older (by committer date, then hash) goes first.
func order(set map[plumbing.Hash]*commit) []*commit {
	pending := make(map[plumbing.Hash]int, len(set))
	children := make(map[plumbing.Hash][]*commit, len(set))
	ready := &commitHeap{}
	for h, c := range set {
		seen := map[plumbing.Hash]bool{}
		for _, p := range c.parents {
			if set[p] != nil && !seen[p] {
				seen[p] = true
				pending[h]++
				children[p] = append(children[p], c)
			}
		}
		if pending[h] == 0 {
			*ready = append(*ready, c)
		}
	}
	heap.Init(ready)
	out := make([]*commit, 0, len(set))
	for ready.Len() > 0 {
		c := heap.Pop(ready).(*commit)
		out = append(out, c)
		for _, ch := range children[c.hash] {
			pending[ch.hash]--
			if pending[ch.hash] == 0 {
				heap.Push(ready, ch)
			}
		}
	}
	return out
}

type commitHeap []*commit

func (h commitHeap) Len() int { return len(h) }
func (h commitHeap) Less(i, j int) bool {
	if h[i].when != h[j].when {
		return h[i].when < h[j].when
	}
	return h[i].hash.String() < h[j].hash.String()
}
func (h commitHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *commitHeap) Push(x any)   { *h = append(*h, x.(*commit)) }
func (h *commitHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}

// revision resolves a revision to a commit: a name or hash (see resolve)
// followed by any number of ~N (Nth first-parent ancestor) and ^N (Nth
// parent) suffixes, as in HEAD~3 or main^2.
func (g *graph) revision(refs []ref, rev string) (plumbing.Hash, error) {
	base, ops := rev, ""
	if i := strings.IndexAny(rev, "~^"); i >= 0 {
		base, ops = rev[:i], rev[i:]
	}
	h, err := resolve(refs, g.sto, base)
	if err != nil {
		return h, g.shallowHint(err)
	}
	p, err := g.peel(h)
	switch {
	case errors.Is(err, plumbing.ErrObjectNotFound):
		// A full hash is taken as given; it may not be here.
		return h, g.shallowHint(fmt.Errorf("unknown revision %q", rev))
	case err != nil:
		return h, fmt.Errorf("revision %q: %w", rev, err)
	case p.typ != plumbing.CommitObject:
		return h, fmt.Errorf("revision %q is a %s, not a commit", rev, p.typ)
	}
	h = p.hash
	for ops != "" {
		op := ops[0]
		ops = ops[1:]
		n := 1
		j := strings.IndexFunc(ops, func(r rune) bool { return r < '0' || r > '9' })
		if j < 0 {
			j = len(ops)
		}
		if j > 0 {
			n, err = strconv.Atoi(ops[:j])
			if err != nil {
				return h, fmt.Errorf("revision %q: %w", rev, err)
			}
			ops = ops[j:]
		}
		c := g.read(h)
		if c == nil {
			return h, fmt.Errorf("revision %q: commit %s can't be read", rev, h)
		}
		switch {
		case op == '^' && n == 0:
		case op == '^':
			if n > len(c.parents) {
				err := fmt.Errorf("revision %q: commit %s has %d parents", rev, h, len(c.parents))
				if g.shallow[h] {
					err = g.shallowHint(err)
				}
				return h, err
			}
			h = c.parents[n-1]
		default: // '~'
			for ; n > 0; n-- {
				if len(c.parents) == 0 {
					err := fmt.Errorf("revision %q: history is shorter", rev)
					if g.shallow[c.hash] {
						err = g.shallowHint(err)
					}
					return h, err
				}
				h = c.parents[0]
				if n > 1 {
					if c = g.read(h); c == nil {
						return h, fmt.Errorf("revision %q: commit %s can't be read", rev, h)
					}
				}
			}
		}
	}
	return h, nil
}

// shallowHint adds to a revision that can't be found, in a shallow clone,
// why that may be and what to fetch. CI checkouts are shallow and fetch a
// single branch, so a range's base is often simply not there.
func (g *graph) shallowHint(err error) error {
	if len(g.shallow) == 0 {
		return err
	}
	return fmt.Errorf("%w: the repository is a shallow clone, so the revision may be in the history it lacks; "+
		"fetch it first (`git fetch --unshallow` for all history, or `git fetch origin <branch>` for a branch) and scan again", err)
}

// selection is what a history scan covers.
type selection struct {
	// commits are the selected commits, parents first.
	commits []*commit
	// boundary are the commits just outside the selection whose content
	// is not new in it.
	boundary []*commit
	// targets are refs that lead to trees and blobs (tagged directly,
	// like git.git's junio-gpg-pub), and annotated tags, whose messages
	// are content too.
	targets []refTarget
}

type refTarget struct {
	name    string
	refHash plumbing.Hash // what the ref itself names (a tag object, a blob)
	peeled
}

// excludedSet is what Options.Exclude covers: the commits reachable from
// it, and the raw ref hashes it names.
type excludedSet struct {
	commits map[plumbing.Hash]bool
	refs    map[plumbing.Hash]bool
}

// excluded resolves Options.Exclude. A hash that is not in the repository
// is skipped without a problem: it is an old tip a force-push or a
// deleted branch left behind, and what it covered is scanned again.
func (s *Source) excluded(ctx context.Context, g *graph) (excludedSet, error) {
	x := excludedSet{refs: map[plumbing.Hash]bool{}}
	var tips []plumbing.Hash
	for _, raw := range s.opts.Exclude {
		h := plumbing.NewHash(raw)
		x.refs[h] = true
		p, err := g.peel(h)
		if err != nil || p.typ != plumbing.CommitObject {
			continue
		}
		tips = append(tips, p.hash)
	}
	reached, err := g.reach(ctx, tips, nil)
	if err != nil {
		return x, err
	}
	x.commits = make(map[plumbing.Hash]bool, len(reached))
	for h := range reached {
		x.commits[h] = true
	}
	return x, nil
}

// selectCommits decides which commits the scan covers and which commits
// just outside it mark content as already there.
func (s *Source) selectCommits(ctx context.Context, r *repo, g *graph) (sel selection, err error) {
	if s.opts.Push != nil {
		return s.selectPush(ctx, r, g)
	}
	refs := r.refs(ctx, g.sink)
	g.prefetch(ctx)
	var tips []plumbing.Hash
	var stop map[plumbing.Hash]bool
	switch {
	case s.opts.Range != "":
		fromRev, toRev, _ := splitRange(s.opts.Range)
		from, err := g.revision(refs, fromRev)
		if err != nil {
			return sel, &TargetError{Err: fmt.Errorf("range: %w", err)}
		}
		to, err := g.revision(refs, toRev)
		if err != nil {
			return sel, &TargetError{Err: fmt.Errorf("range: %w", err)}
		}
		excluded, err := g.reach(ctx, []plumbing.Hash{from}, nil)
		if err != nil {
			return sel, err
		}
		stop = make(map[plumbing.Hash]bool, len(excluded))
		for h := range excluded {
			stop[h] = true
		}
		tips = append(tips, to)
	case len(s.opts.Branches) > 0:
		for _, b := range s.opts.Branches {
			h, err := g.revision(refs, b)
			if err != nil {
				return sel, &TargetError{Err: fmt.Errorf("branch: %w", err)}
			}
			tips = append(tips, h)
		}
	default:
		for _, rf := range refs {
			if ctx.Err() != nil {
				return sel, ctx.Err()
			}
			p, err := g.peel(rf.hash)
			if err != nil {
				g.sink.Problem(rf.name, err)
				continue
			}
			if p.typ == plumbing.CommitObject {
				tips = append(tips, p.hash)
			}
			if s.tagsSelected(p) {
				sel.targets = append(sel.targets, refTarget{name: rf.name, refHash: rf.hash, peeled: p})
			}
		}
	}
	if len(s.opts.Exclude) > 0 {
		skip, err := s.excluded(ctx, g)
		if err != nil {
			return sel, err
		}
		if stop == nil {
			stop = skip.commits
		} else {
			for h := range skip.commits {
				stop[h] = true
			}
		}
		sel.targets = slices.DeleteFunc(sel.targets, func(t refTarget) bool { return skip.refs[t.refHash] })
	}
	set, err := g.reach(ctx, tips, stop)
	if err != nil {
		return sel, err
	}
	if !s.opts.Since.IsZero() {
		since := s.opts.Since.Unix()
		for h, c := range set {
			if c.when < since {
				delete(set, h)
			}
		}
	}
	selected := order(set)
	if n := s.opts.MaxCommits; n > 0 && len(selected) > n {
		for _, c := range selected[:len(selected)-n] {
			delete(set, c.hash)
		}
		selected = selected[len(selected)-n:]
	}
	return selection{commits: selected, boundary: g.boundary(selected, set), targets: sel.targets}, nil
}

// boundary returns the parents of selected commits that were left out of
// set. Their content was there before the selection and is not new in it.
func (g *graph) boundary(selected []*commit, set map[plumbing.Hash]*commit) []*commit {
	seen := map[plumbing.Hash]bool{}
	var boundary []*commit
	for _, c := range selected {
		for _, p := range c.parents {
			if set[p] != nil || seen[p] {
				continue
			}
			seen[p] = true
			if pc := g.read(p); pc != nil {
				boundary = append(boundary, pc)
			}
		}
	}
	sort.Slice(boundary, func(i, j int) bool { return boundary[i].hash.String() < boundary[j].hash.String() })
	return boundary
}

// tagsSelected reports whether what a ref leads to, besides commits, is
// scanned: trees and blobs it names and the messages of annotated tags
// on the way. They are when every ref is (no range or branch); --since
// keeps the annotated tags tagged since then, and --max-commits, which
// is about commits, none.
func (s *Source) tagsSelected(p peeled) bool {
	if len(p.tags) == 0 && p.typ == plumbing.CommitObject {
		return false
	}
	if s.opts.MaxCommits > 0 {
		return false
	}
	if !s.opts.Since.IsZero() {
		return len(p.tags) > 0 && p.tags[0].meta.when >= s.opts.Since.Unix()
	}
	return true
}

// scanHistory walks the selected commits' trees, parents first, and
// scans every (blob, path) pair the first time a commit brings it, and
// every selected commit's message.
func (s *Source) scanHistory(ctx context.Context, o *objectSource, sink source.Sink) error {
	r := o.repo
	objs := o.open()
	defer objs.Close()
	g := newGraph(ctx, r, objs, sink)
	g.open = o.open
	g.readers = min(s.workers(), 4)
	sel, err := s.selectCommits(ctx, r, g)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err // the refs may have been read only in part
	}
	selected := sel.commits
	if len(selected) == 0 && len(sel.targets) == 0 {
		return nil
	}
	reportShallow(selected, g.shallow, sink)
	jobs, wait := s.runWorkers(ctx, o, sink)
	defer wait()
	w := newTreeWalker(objs, sink)
	for _, b := range sel.boundary {
		if err := w.walk(ctx, b.tree, "", nil, nil, nil); err != nil {
			return err
		}
	}
	sel.boundary = nil
	// A commit's record is needed until its last child is walked (for its
	// tree), so memory holds the frontier of the history, not all of it:
	// the records are what would otherwise grow with every commit.
	for _, cm := range selected {
		for _, p := range cm.parents {
			if pc := g.commits[p]; pc != nil {
				pc.children++
			}
		}
	}
	emit := func(j job) error { return send(ctx, jobs, j) }
	for i, cm := range selected {
		// The message is content too ("rotate: the old token was ...");
		// a worker reads it again rather than every record keeping it.
		if err := emit(job{kind: commitMessage, blob: cm.hash, path: CommitMessagePath, meta: cm.meta}); err != nil {
			return err
		}
		parents := make([]plumbing.Hash, 0, len(cm.parents))
		for _, p := range cm.parents {
			if pc := g.commits[p]; pc != nil {
				parents = append(parents, pc.tree)
			}
		}
		if err := w.walk(ctx, cm.tree, "", parents, cm.meta, emit); err != nil {
			return err
		}
		selected[i] = nil
		cm.meta = nil // the jobs hold their own reference
		for _, p := range cm.parents {
			if pc := g.commits[p]; pc != nil {
				if pc.children--; pc.children == 0 {
					delete(g.commits, p)
				}
			}
		}
		if cm.children == 0 {
			delete(g.commits, cm.hash)
		}
	}
	return s.scanTargets(ctx, w, sel.targets, emit)
}

// reportShallow reports, once, that the history behind the shallow
// commits of the selection is not in the repository: the scan could not
// see it, so it is incomplete.
func reportShallow(selected []*commit, shallow map[plumbing.Hash]bool, sink source.Sink) {
	if len(shallow) == 0 {
		return
	}
	var cut []string
	for _, c := range selected {
		if shallow[c.hash] {
			cut = append(cut, c.hash.String()[:12])
		}
	}
	if len(cut) == 0 {
		return
	}
	sort.Strings(cut)
	which := strings.Join(cut[:min(len(cut), 3)], ", ")
	if len(cut) > 3 {
		which += ", ..."
	}
	sink.Problem("shallow", fmt.Errorf("shallow clone: history before %d commit(s) (%s) is missing and was not scanned; "+
		"run `git fetch --unshallow` to scan all of it", len(cut), which))
}

// scanTargets scans what refs lead to besides commits: the messages of
// annotated tags, blobs tagged directly (at the ref's name, as `git show
// NAME` shows them) and tagged trees (at NAME:PATH, git's syntax for a
// path in a tree-ish). A tagged tree is walked with the same visited sets
// as the history, so what the history already had at the same paths is
// not scanned again: `git tag snapshot HEAD^{tree}` adds nothing.
func (s *Source) scanTargets(ctx context.Context, w *treeWalker, targets []refTarget, emit func(job) error) error {
	seenTag := map[plumbing.Hash]bool{}
	for _, t := range targets {
		if err := ctx.Err(); err != nil {
			return err
		}
		m := &meta{}
		if len(t.tags) > 0 {
			m = t.tags[0].meta
		}
		for _, tag := range t.tags {
			if seenTag[tag.hash] || (!s.opts.Since.IsZero() && tag.meta.when < s.opts.Since.Unix()) {
				continue
			}
			seenTag[tag.hash] = true
			if err := emit(job{kind: textContent, path: t.name + TagMessageSuffix, meta: tag.meta, text: tag.message}); err != nil {
				return err
			}
		}
		switch t.typ {
		case plumbing.BlobObject:
			if !w.mark(w.blobs, key{t.hash, w.id(t.name)}) {
				continue
			}
			if err := emit(job{blob: t.hash, path: t.name, meta: m}); err != nil {
				return err
			}
		case plumbing.TreeObject:
			prefix := t.name + ":"
			inTree := func(j job) error {
				j.path = prefix + j.path
				return emit(j)
			}
			if err := w.walk(ctx, t.hash, "", nil, m, inTree); err != nil {
				return err
			}
		}
	}
	return nil
}

// key is a (tree or blob, path) pair; paths are interned to keep the
// visited sets small.
type key struct {
	hash plumbing.Hash
	path uint32
}

// treeWalker walks trees, skipping any (tree, directory) pair it has
// walked before, so an unchanged subtree costs one map lookup per commit.
type treeWalker struct {
	parsed parsedTrees
	*objects
	sink  source.Sink
	ids   map[string]uint32
	trees map[key]struct{}
	blobs map[key]struct{}
	buf   []byte
}

func newTreeWalker(objs *objects, sink source.Sink) *treeWalker {
	return &treeWalker{parsed: parsedTrees{max: 1024}, objects: objs, sink: sink, ids: map[string]uint32{}, trees: map[key]struct{}{}, blobs: map[key]struct{}{}}
}

func (w *treeWalker) id(p string) uint32 {
	if id, ok := w.ids[p]; ok {
		return id
	}
	id := uint32(len(w.ids))
	w.ids[p] = id
	return id
}

// walk visits the tree h at directory dir. parents are the trees at the
// same directory in the commit's parents (zero where there is none): a
// changed file's versions there tell the scanner which of its lines are
// not new. With emit nil the walk only marks what it sees as present.
func (w *treeWalker) walk(ctx context.Context, h plumbing.Hash, dir string, parents []plumbing.Hash, m *meta, emit func(job) error) error {
	if !w.mark(w.trees, key{h, w.id(dir)}) {
		return nil
	}
	return w.walkMarked(ctx, h, dir, parents, m, emit)
}

// mark adds k to set and reports whether it was not there yet, with one
// map operation: on long histories these sets are large and their
// lookups are a good part of the walk.
func (w *treeWalker) mark(set map[key]struct{}, k key) bool {
	n := len(set)
	set[k] = struct{}{}
	return len(set) > n
}

// walkMarked walks a tree already marked as visited.
func (w *treeWalker) walkMarked(ctx context.Context, h plumbing.Hash, dir string, parents []plumbing.Hash, m *meta, emit func(job) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, err := w.read(h)
	if err != nil {
		w.problem(dir, h, m, err)
		return nil
	}
	// The parents' entries at this directory (parsed trees are cached, so
	// usually no read), matched to ours by walking both in tree order.
	var parentEntries [][]treeEntry
	var cursors []int
	loaded := false
	match := func(i int, e treeEntry) (treeEntry, bool) {
		pes := parentEntries[i]
		c := cursors[i]
		for c < len(pes) && compareEntries(pes[c], e) < 0 {
			c++
		}
		cursors[i] = c
		if c < len(pes) && compareEntries(pes[c], e) == 0 {
			return pes[c], true
		}
		return treeEntry{}, false
	}
	loadParents := func() {
		if loaded {
			return
		}
		loaded = true
		parentEntries = make([][]treeEntry, len(parents))
		cursors = make([]int, len(parents))
		for i, ph := range parents {
			if ph.IsZero() || ph == h {
				continue
			}
			// A parent tree that can't be read was reported when its
			// commit was walked; with none, every line here is new.
			parentEntries[i], _ = w.read(ph)
		}
	}
	// With the parents' entries at hand, an entry identical to one of
	// theirs is skipped outright: that parent's walk already saw it.
	withParents := emit != nil && len(parents) > 0
	var matched []treeEntry
	var found []bool
	if withParents {
		loadParents()
		matched = make([]treeEntry, len(parents))
		found = make([]bool, len(parents))
	}
	for _, e := range entries {
		if withParents {
			same := false
			for i := range parents {
				matched[i], found[i] = match(i, e)
				if found[i] && matched[i].hash == e.hash && matched[i].mode == e.mode {
					same = true
				}
			}
			if same {
				continue
			}
		}
		p := e.name
		if dir != "" {
			p = dir + "/" + e.name
		}
		switch e.mode {
		case modeTree:
			if !w.mark(w.trees, key{e.hash, w.id(p)}) {
				continue
			}
			var sub []plumbing.Hash
			if withParents {
				sub = make([]plumbing.Hash, len(parents))
				for i := range parents {
					if found[i] && matched[i].mode == modeTree {
						sub[i] = matched[i].hash
					}
				}
			}
			if err := w.walkMarked(ctx, e.hash, p, sub, m, emit); err != nil {
				return err
			}
		case modeGitlink:
			// A submodule's commit lives in another repository.
		default:
			if !w.mark(w.blobs, key{e.hash, w.id(p)}) || emit == nil {
				continue
			}
			if e.mode == modeSymlink {
				w.sink.Skip(p, "symlink")
				continue
			}
			var prev []plumbing.Hash
			for i := range parents {
				if withParents && found[i] && matched[i].mode == modeFile && matched[i].hash != e.hash {
					prev = append(prev, matched[i].hash)
				}
			}
			if err := emit(job{blob: e.hash, path: p, meta: m, prev: prev}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *treeWalker) problem(dir string, h plumbing.Hash, m *meta, err error) {
	where := dir
	if where == "" {
		where = "/"
	}
	if m != nil {
		err = fmt.Errorf("tree %s in commit %s: %w", h, m.commit(), err)
	} else {
		err = fmt.Errorf("tree %s: %w", h, err)
	}
	w.sink.Problem(where, err)
}

const (
	modeFile = iota
	modeTree
	modeSymlink
	modeGitlink
)

type treeEntry struct {
	name string
	mode int
	hash plumbing.Hash
}

// read decodes a tree object. It parses the raw entries itself: go-git's
// Tree type builds more than a walk needs.
func (w *treeWalker) read(h plumbing.Hash) ([]treeEntry, error) {
	if es, ok := w.parsed.get(h); ok {
		return es, nil
	}
	if data, err := w.rd.read(h, plumbing.TreeObject, 0, true); err == nil {
		es, err := parseTree(data)
		if err != nil {
			return nil, err
		}
		w.parsed.put(h, es)
		return es, nil
	}
	obj, err := w.sto.EncodedObject(plumbing.TreeObject, h)
	if err != nil {
		return nil, err
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, err
	}
	size := int(obj.Size())
	if cap(w.buf) < size {
		w.buf = make([]byte, size)
	}
	buf := w.buf[:size]
	_, err = io.ReadFull(rd, buf)
	rd.Close()
	if err != nil {
		return nil, err
	}
	es, err := parseTree(buf)
	if err != nil {
		return nil, err
	}
	w.parsed.put(h, es)
	return es, nil
}

// compareEntries orders tree entries as git does: by name, a directory's
// name compared as if it ended in "/".
func compareEntries(a, b treeEntry) int {
	an, bn := a.name, b.name
	n := min(len(an), len(bn))
	if c := strings.Compare(an[:n], bn[:n]); c != 0 {
		return c
	}
	ac, bc := byte(0), byte(0)
	if len(an) > n {
		ac = an[n]
	} else if a.mode == modeTree {
		ac = '/'
	}
	if len(bn) > n {
		bc = bn[n]
	} else if b.mode == modeTree {
		bc = '/'
	}
	switch {
	case ac < bc:
		return -1
	case ac > bc:
		return 1
	}
	// Same name and kind, or two names that only differ past a "/".
	switch {
	case len(an) < len(bn):
		return -1
	case len(an) > len(bn):
		return 1
	}
	return 0
}

// parsedTrees keeps recently parsed trees: a commit's parents' trees were
// nearly always parsed for the commit before.
type parsedTrees struct {
	max   int
	items map[plumbing.Hash]*list.Element
	ll    list.List
}

type parsedTree struct {
	hash    plumbing.Hash
	entries []treeEntry
}

func (c *parsedTrees) get(h plumbing.Hash) ([]treeEntry, bool) {
	if c.items == nil {
		return nil, false
	}
	e, ok := c.items[h]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(e)
	return e.Value.(*parsedTree).entries, true
}

func (c *parsedTrees) put(h plumbing.Hash, es []treeEntry) {
	if c.max <= 0 {
		return
	}
	if c.items == nil {
		c.items = map[plumbing.Hash]*list.Element{}
	}
	c.items[h] = c.ll.PushFront(&parsedTree{hash: h, entries: es})
	for c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*parsedTree).hash)
	}
}

var errMalformedTree = errors.New("malformed tree")

func parseTree(b []byte) ([]treeEntry, error) {
	out := make([]treeEntry, 0, len(b)/32+1)
	str := string(b) // one allocation; names are substrings of it
	for pos := 0; pos < len(b); {
		sp := bytes.IndexByte(b[pos:], ' ')
		if sp <= 0 {
			return out, errMalformedTree
		}
		mode := str[pos : pos+sp]
		pos += sp + 1
		nul := bytes.IndexByte(b[pos:], 0)
		if nul <= 0 || len(b) < pos+nul+1+20 {
			return out, errMalformedTree
		}
		e := treeEntry{name: str[pos : pos+nul]}
		copy(e.hash[:], b[pos+nul+1:pos+nul+21])
		pos += nul + 21
		switch mode {
		case "40000", "040000":
			e.mode = modeTree
		case "160000":
			e.mode = modeGitlink
		case "120000":
			e.mode = modeSymlink
		default:
			e.mode = modeFile
		}
		out = append(out, e)
	}
	return out, nil
}
