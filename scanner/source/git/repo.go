package git

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"

	"github.com/leakhound/leakhound/scanner/source"
)

// ErrNotRepository is returned for a path that holds no git repository.
var ErrNotRepository = errors.New("not a git repository")

// repo is an opened repository: where its files are. Object stores are
// opened from it on demand, one per goroutine.
type repo struct {
	gitDir    string // HEAD, index, per-worktree refs
	commonDir string // objects, refs, packed-refs (== gitDir unless a linked worktree)

	// pushObjects are object directories read before the repository's
	// own: a push's quarantine (see Push).
	pushObjects []string

	altOnce    sync.Once
	alternates []byte // for go-git: see safeFS
}

// objectDirs are the object directories objects are read from, before
// their alternates: a push's quarantine, then the repository's own.
func (r *repo) objectDirs() []string {
	return append(append([]string(nil), r.pushObjects...), filepath.Join(r.commonDir, "objects"))
}

// openRepo finds the repository at path: a work tree (or a directory
// inside one), a .git directory, a bare repository, or a linked worktree
// whose .git is a "gitdir:" file.
func openRepo(path string) (*repo, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s: %w", path, ErrNotRepository)
	}
	for dir := abs; ; {
		if isGitDir(dir) {
			return newRepo(dir)
		}
		dotGit := filepath.Join(dir, ".git")
		if st, err := os.Stat(dotGit); err == nil {
			if st.IsDir() {
				if isGitDir(dotGit) {
					return newRepo(dotGit)
				}
			} else if gd, err := readGitFile(dotGit); err == nil && isGitDir(gd) {
				return newRepo(gd)
			} else if err != nil {
				return nil, fmt.Errorf("%s: %w", dotGit, err)
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, fmt.Errorf("%s: %w", path, ErrNotRepository)
		}
		dir = parent
	}
}

// isGitDir reports whether dir looks like a git directory: HEAD plus
// objects/ and refs/ (here or in its common dir).
func isGitDir(dir string) bool {
	if st, err := os.Stat(filepath.Join(dir, "HEAD")); err != nil || st.IsDir() {
		return false
	}
	common := dir
	if c, err := readCommonDir(dir); err == nil && c != "" {
		common = c
	}
	for _, sub := range []string{"objects", "refs"} {
		if st, err := os.Stat(filepath.Join(common, sub)); err != nil || !st.IsDir() {
			return false
		}
	}
	return true
}

// readGitFile reads a ".git" file of a linked worktree or submodule.
func readGitFile(name string) (string, error) {
	b, err := readCapped(name, maxRefFile)
	if err != nil {
		return "", err
	}
	line := strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
	const prefix = "gitdir:"
	if !strings.HasPrefix(line, prefix) {
		return "", fmt.Errorf("no %q line", prefix)
	}
	gd := strings.TrimSpace(strings.TrimPrefix(line, prefix))
	if !filepath.IsAbs(gd) {
		gd = filepath.Join(filepath.Dir(name), gd)
	}
	return gd, nil
}

// readCommonDir returns the common dir a linked worktree's git dir points
// to, or "" when there is none.
func readCommonDir(gitDir string) (string, error) {
	b, err := readCapped(filepath.Join(gitDir, "commondir"), maxRefFile)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	c := strings.TrimSpace(string(b))
	if c == "" {
		return "", nil
	}
	if !filepath.IsAbs(c) {
		c = filepath.Join(gitDir, c)
	}
	return filepath.Clean(c), nil
}

func newRepo(gitDir string) (*repo, error) {
	common, err := readCommonDir(gitDir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", gitDir, err)
	}
	if common == "" {
		common = gitDir
	}
	// Refs in the reftable format (git 2.45+, extensions.refStorage) are
	// not files go-git or this package can read: say so rather than scan
	// nothing.
	if st, err := os.Stat(filepath.Join(common, "reftable")); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s: %w", gitDir, ErrReftable)
	}
	return &repo{gitDir: gitDir, commonDir: common}, nil
}

// ErrReftable is returned for repositories whose refs are stored in the
// reftable format, which this source can't read yet.
var ErrReftable = errors.New("refs in the reftable format are not supported; convert with 'git refs migrate --ref-format=files'")

// largeObjectThreshold is the size above which go-git streams a loose or
// undeltified packed object from disk instead of reading it into memory.
const largeObjectThreshold = 1 << 20

// storage opens an object store over the repository. go-git stores are
// not safe for concurrent use, so every goroutine opens its own; they may
// share c, which is.
func (r *repo) storage(c cache.Object) *filesystem.Storage {
	var bfs = osfs.New(r.gitDir)
	if r.commonDir != r.gitDir {
		bfs = dotgit.NewRepositoryFilesystem(osfs.New(r.gitDir), osfs.New(r.commonDir))
	}
	return filesystem.NewStorageWithOptions(&safeFS{Filesystem: bfs, alternates: r.alternateList}, c, filesystem.Options{
		// Keep pack files open: without it go-git opens and closes the pack
		// for every object it reads.
		KeepDescriptors:      true,
		ExclusiveAccess:      true,
		LargeObjectThreshold: largeObjectThreshold,
		// Alternates are absolute paths (see alternateList), opened from
		// the file system root.
		AlternatesFS: newAlternatesFS(),
	})
}

// alternateList is what go-git is given as objects/info/alternates: every
// alternate object directory, however deep in the chain, and a push's
// quarantine, one absolute path a line (problems with them are reported by the pack reader).
func (r *repo) alternateList() []byte {
	r.altOnce.Do(func() {
		own := filepath.Join(r.commonDir, "objects")
		dirs, _ := withAlternatesFrom(r.objectDirs())
		var b bytes.Buffer
		for _, d := range dirs {
			if d == own {
				continue // go-git reads it as the repository's own
			}
			if abs, err := filepath.Abs(d); err == nil {
				// Named as go-git expects a directory called objects:
				// see alternatesFS.
				b.WriteString(filepath.Join(abs, "objects") + "\n")
			}
		}
		r.alternates = b.Bytes()
	})
	return r.alternates
}

// ref is a starting point of the history walk.
type ref struct {
	name string
	hash plumbing.Hash
}

// refs lists every ref of the repository with the commit (or tag) it
// points to: HEAD, everything under refs/ (loose and packed), the stash
// reflog, and the HEADs of linked worktrees. It reads the files itself
// rather than through go-git so that one malformed ref is reported as a
// problem instead of hiding every other ref.
func (r *repo) refs(ctx context.Context, sink source.Sink) []ref {
	direct := map[string]plumbing.Hash{}
	symbolic := map[string]string{}
	record := func(name, content string) {
		content = strings.TrimSpace(content)
		switch {
		case strings.HasPrefix(content, "ref:"):
			symbolic[name] = strings.TrimSpace(strings.TrimPrefix(content, "ref:"))
		case isHex40(content):
			direct[name] = plumbing.NewHash(content)
		default:
			sink.Problem(name, fmt.Errorf("malformed ref %q", truncate(content, 60)))
		}
	}

	// packed-refs first: loose refs override them.
	err := readLines(ctx, filepath.Join(r.commonDir, "packed-refs"), func(line string) error {
		if line == "" || line[0] == '#' || line[0] == '^' {
			return nil
		}
		h, name, ok := strings.Cut(line, " ")
		if !ok || !isHex40(h) {
			sink.Problem("packed-refs", fmt.Errorf("malformed line %q", truncate(line, 80)))
			return nil
		}
		direct[name] = plumbing.NewHash(h)
		return nil
	})
	if err != nil && ctx.Err() == nil {
		sink.Problem("packed-refs", err)
	}

	readLoose := func(base string) {
		root := filepath.Join(base, "refs")
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			rel, _ := filepath.Rel(base, p)
			name := filepath.ToSlash(rel)
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					sink.Problem(name, err)
				}
				return nil
			}
			if d.IsDir() || strings.HasSuffix(name, ".lock") {
				return nil
			}
			b, err := readCapped(p, maxRefFile)
			if err != nil {
				sink.Problem(name, fmt.Errorf("read ref: %w", err))
				return nil
			}
			if len(bytes.TrimSpace(b)) == 0 {
				sink.Problem(name, errors.New("empty ref file"))
				return nil
			}
			delete(direct, name)
			record(name, string(b))
			return nil
		})
	}
	readLoose(r.commonDir)
	if r.gitDir != r.commonDir {
		readLoose(r.gitDir) // per-worktree refs (bisect, rewritten)
	}

	if b, err := readCapped(filepath.Join(r.gitDir, "HEAD"), maxRefFile); err == nil {
		record("HEAD", string(b))
	} else {
		sink.Problem("HEAD", err)
	}
	// Detached HEADs of other worktrees hold commits no branch may reach.
	if ents, err := os.ReadDir(filepath.Join(r.commonDir, "worktrees")); err == nil {
		for _, e := range ents {
			if ctx.Err() != nil {
				break
			}
			b, err := readCapped(filepath.Join(r.commonDir, "worktrees", e.Name(), "HEAD"), maxRefFile)
			switch {
			case err == nil:
				record("worktrees/"+e.Name()+"/HEAD", string(b))
			case !errors.Is(err, fs.ErrNotExist):
				sink.Problem("worktrees/"+e.Name()+"/HEAD", err)
			}
		}
	}

	var out []ref
	for name, target := range symbolic {
		// Follow a short chain; a symbolic ref to a branch with no
		// commits yet (HEAD in a new repository) is simply unborn.
		for i := 0; i < 5; i++ {
			if h, ok := direct[target]; ok {
				out = append(out, ref{name: name, hash: h})
				break
			}
			next, ok := symbolic[target]
			if !ok {
				break
			}
			target = next
		}
	}
	for name, h := range direct {
		out = append(out, ref{name: name, hash: h})
	}
	// Older stashes live only in the stash reflog.
	i := 0
	err = readLines(ctx, filepath.Join(r.commonDir, "logs", "refs", "stash"), func(line string) error {
		fields := strings.Fields(line)
		if len(fields) >= 2 && isHex40(fields[1]) && fields[1] != plumbing.ZeroHash.String() {
			out = append(out, ref{name: fmt.Sprintf("stash@{%d}", i), hash: plumbing.NewHash(fields[1])})
		}
		i++
		return nil
	})
	if err != nil && ctx.Err() == nil {
		sink.Problem("logs/refs/stash", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// resolve finds a revision: a full or abbreviated hash, a ref name in
// full, or a branch, tag or remote-tracking branch name.
func resolve(refs []ref, sto *filesystem.Storage, rev string) (plumbing.Hash, error) {
	byName := make(map[string]plumbing.Hash, len(refs))
	for _, r := range refs {
		byName[r.name] = r.hash
	}
	for _, name := range []string{rev, "refs/" + rev, "refs/heads/" + rev, "refs/tags/" + rev, "refs/remotes/" + rev, "refs/remotes/" + rev + "/HEAD"} {
		if h, ok := byName[name]; ok {
			return h, nil
		}
	}
	if len(rev) >= 4 && len(rev) <= 40 && isHex(rev) {
		if len(rev) == 40 {
			return plumbing.NewHash(rev), nil
		}
		// An abbreviated hash must name exactly one object.
		prefix := rev
		if len(prefix)%2 == 1 {
			prefix = prefix[:len(prefix)-1]
		}
		b, err := hex.DecodeString(prefix)
		if err == nil {
			hs, err := sto.HashesWithPrefix(b)
			if err == nil {
				var found []plumbing.Hash
				for _, h := range hs {
					if strings.HasPrefix(h.String(), strings.ToLower(rev)) {
						found = append(found, h)
					}
				}
				if len(found) == 1 {
					return found[0], nil
				}
				if len(found) > 1 {
					return plumbing.ZeroHash, fmt.Errorf("revision %q is ambiguous", rev)
				}
			}
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("unknown revision %q", rev)
}

func isHex40(s string) bool { return len(s) == 40 && isHex(s) }

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// objectSource opens the object readers of one scan: the pack reader
// shared by all, go-git stores sharing one cache.
type objectSource struct {
	repo  *repo
	cache cache.Object
	db    *odb
}

// objects reads objects for one goroutine: with the pack reader where it
// can, with go-git for whatever the reader leaves to it (see odb).
type objects struct {
	rd  *objReader
	sto *filesystem.Storage
}

func (o *objectSource) open() *objects {
	return &objects{rd: o.db.reader(), sto: o.repo.storage(o.cache)}
}

func (o *objects) Close() { o.sto.Close() }

// object reads an object of any type, for the few reads (peeling tags)
// that want go-git's EncodedObject.
func (o *objects) object(h plumbing.Hash) (plumbing.EncodedObject, error) {
	data, typ, err := o.rd.readAny(h, plumbing.AnyObject, 0, false)
	if err != nil {
		return o.sto.EncodedObject(plumbing.AnyObject, h)
	}
	obj := &plumbing.MemoryObject{}
	obj.SetType(typ)
	if _, err := obj.Write(data); err != nil {
		return nil, err
	}
	return obj, nil
}
