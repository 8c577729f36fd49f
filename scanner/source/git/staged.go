package git

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/leakhound/leakhound/scanner/source"
)

// scanStaged scans the blobs the index holds that HEAD's tree does not:
// files added or modified and staged for the next commit.
func (s *Source) scanStaged(ctx context.Context, o *objectSource, sink source.Sink) error {
	r := o.repo
	objs := o.open()
	defer objs.Close()
	sto := objs.sto
	idx, err := sto.Index()
	if err != nil {
		return fmt.Errorf("read index: %w", err)
	}
	head, err := r.headCommit(ctx)
	if err != nil {
		return err
	}
	var inHead map[string]plumbing.Hash
	same := map[string]bool{}
	if !head.IsZero() {
		obj, err := sto.EncodedObject(plumbing.CommitObject, head)
		if err != nil {
			return fmt.Errorf("read HEAD commit %s: %w", head, err)
		}
		var hc object.Commit
		if err := hc.Decode(obj); err != nil {
			return fmt.Errorf("read HEAD commit %s: %w", head, err)
		}
		inHead = map[string]plumbing.Hash{}
		w := &headWalker{objects: objs, sink: sink, cached: cachedTrees(idx), files: inHead, same: same}
		w.walk(hc.TreeHash, "")
	}
	meta := &meta{}
	var todo []job
	for _, e := range idx.Entries {
		if e.Stage != 0 || e.IntentToAdd {
			continue // conflicted (the commit will be refused) or not added yet
		}
		switch e.Mode {
		case filemode.Regular, filemode.Executable, filemode.Deprecated:
		case filemode.Symlink:
			if inHead[e.Name] != e.Hash && !underSame(e.Name, same) {
				sink.Skip(e.Name, "symlink")
			}
			continue
		default:
			continue // submodules
		}
		if underSame(e.Name, same) {
			continue
		}
		var prev []plumbing.Hash
		if h, ok := inHead[e.Name]; ok {
			if h == e.Hash {
				continue
			}
			prev = []plumbing.Hash{h}
		}
		todo = append(todo, job{blob: e.Hash, path: e.Name, meta: meta, prev: prev})
	}
	// A typical commit stages a few files: read them here, with the store
	// already open, rather than open one per worker (each loads the pack
	// indexes again).
	if len(todo) <= inlineStaged {
		w := newWorker(objs)
		for _, j := range todo {
			if err := ctx.Err(); err != nil {
				return err
			}
			s.scanBlob(ctx, w, j, sink)
		}
		return nil
	}
	jobs, wait := s.runWorkers(ctx, o, sink)
	defer wait()
	for _, j := range todo {
		if err := send(ctx, jobs, j); err != nil {
			return err
		}
	}
	return nil
}

// inlineStaged is how many staged files are scanned without workers.
const inlineStaged = 32

// underSame reports whether a path lies in a directory known to be the
// same in the index and in HEAD.
func underSame(name string, same map[string]bool) bool {
	if len(same) == 0 {
		return false
	}
	if same[""] {
		return true
	}
	for i := 0; i < len(name); i++ {
		if name[i] == '/' && same[name[:i]] {
			return true
		}
	}
	return false
}

// cachedTrees reads the index's cache-tree extension: for each directory
// whose entry is valid, the tree the staged files under it would make.
func cachedTrees(idx *index.Index) map[string]plumbing.Hash {
	out := map[string]plumbing.Hash{}
	if idx.Cache == nil || len(idx.Cache.Entries) == 0 {
		return out
	}
	es := idx.Cache.Entries
	// The entries are a pre-order listing: each directory is followed by
	// its Trees subdirectories.
	var visit func(i int, dir string) int
	visit = func(i int, dir string) int {
		if i >= len(es) {
			return i
		}
		e := es[i]
		p := dir
		if i > 0 {
			if dir == "" {
				p = e.Path
			} else {
				p = dir + "/" + e.Path
			}
		}
		if e.Entries >= 0 {
			out[p] = e.Hash
		}
		next := i + 1
		for t := 0; t < e.Trees && next < len(es); t++ {
			next = visit(next, p)
		}
		return next
	}
	visit(0, "")
	return out
}

// headWalker lists HEAD's files, skipping directories whose tree is what
// the index's cache-tree says is staged there.
type headWalker struct {
	*objects
	sink   source.Sink
	cached map[string]plumbing.Hash
	files  map[string]plumbing.Hash
	same   map[string]bool
	buf    []byte
}

func (w *headWalker) walk(h plumbing.Hash, dir string) {
	if c, ok := w.cached[dir]; ok && c == h {
		w.same[dir] = true
		return
	}
	tw := treeWalker{objects: w.objects, buf: w.buf}
	entries, err := tw.read(h)
	w.buf = tw.buf
	if err != nil {
		where := dir
		if where == "" {
			where = "/"
		}
		w.sink.Problem(where, fmt.Errorf("HEAD tree %s: %w", h, err))
		return
	}
	for _, e := range entries {
		p := e.name
		if dir != "" {
			p = dir + "/" + e.name
		}
		if e.mode == modeTree {
			w.walk(e.hash, p)
			continue
		}
		w.files[p] = e.hash
	}
}

// headCommit returns the commit HEAD points to, or the zero hash when
// HEAD's branch has no commits yet. It reads only HEAD and the one ref it
// names, not every ref, to keep a pre-commit hook fast.
func (r *repo) headCommit(ctx context.Context) (plumbing.Hash, error) {
	b, err := readCapped(filepath.Join(r.gitDir, "HEAD"), maxRefFile)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read HEAD: %w", err)
	}
	content := strings.TrimSpace(string(b))
	for i := 0; i < 5; i++ {
		if isHex40(content) {
			return plumbing.NewHash(content), nil
		}
		target, ok := strings.CutPrefix(content, "ref:")
		if !ok {
			return plumbing.ZeroHash, fmt.Errorf("malformed HEAD %q", truncate(content, 60))
		}
		target = strings.TrimSpace(target)
		next, err := r.readRef(ctx, target)
		if errors.Is(err, fs.ErrNotExist) {
			return plumbing.ZeroHash, nil // unborn branch
		}
		if err != nil {
			return plumbing.ZeroHash, err
		}
		content = next
	}
	return plumbing.ZeroHash, errors.New("HEAD: too many levels of symbolic refs")
}

// readRef returns the content of one ref, loose or packed.
func (r *repo) readRef(ctx context.Context, name string) (string, error) {
	// A symbolic ref names a file under refs/: "../" or an absolute path
	// would read outside the repository.
	if !validRefName(name) {
		return "", fmt.Errorf("symbolic ref to %q: not a ref name", truncate(name, 60))
	}
	for _, dir := range []string{r.gitDir, r.commonDir} {
		b, err := readCapped(filepath.Join(dir, filepath.FromSlash(name)), maxRefFile)
		if err == nil {
			return strings.TrimSpace(string(b)), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("read %s: %w", name, err)
		}
	}
	found := ""
	errFound := errors.New("found")
	err := readLines(ctx, filepath.Join(r.commonDir, "packed-refs"), func(line string) error {
		h, n, ok := strings.Cut(line, " ")
		if ok && n == name && isHex40(h) {
			found = h
			return errFound
		}
		return nil
	})
	switch {
	case found != "":
		return found, nil
	case err != nil:
		return "", fmt.Errorf("read packed-refs: %w", err)
	}
	return "", fs.ErrNotExist
}

// validRefName reports whether name can be a ref under refs/: no empty,
// "." or ".." component, no backslash.
func validRefName(name string) bool {
	if !strings.HasPrefix(name, "refs/") || strings.ContainsRune(name, '\\') {
		return false
	}
	for _, c := range strings.Split(name, "/") {
		if c == "" || c == "." || c == ".." {
			return false
		}
	}
	return true
}
