package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"

	"github.com/leakhound/leakhound/finding"
)

// RangeBase returns the first revision of a range A..B ("HEAD" for ..B).
func RangeBase(r string) (string, error) {
	from, _, err := splitRange(r)
	return from, err
}

// maxTreeFile caps what RevisionFiles reads of one blob.
const maxTreeFile = 64 << 20

// RevisionFiles returns the files of a commit's tree in the repository at
// path, and the commit's hash: a repository's own config and ignore files
// as they were at a commit. A `--range BASE..HEAD` scan reads them at BASE,
// the side a pull request can't change, never from the work tree the pull
// request checked out. Only regular files (not links or submodules) open.
// Close it when done.
func RevisionFiles(ctx context.Context, repoPath, rev string) (*TreeFS, string, error) {
	r, err := openRepo(repoPath)
	if err != nil {
		return nil, "", &TargetError{Err: err}
	}
	db := openODB(filepath.Join(r.commonDir, "objects"), 1<<20)
	o := &objectSource{repo: r, cache: cache.NewObjectLRU(1 << 20), db: db}
	objs := o.open()
	g := newGraph(ctx, r, objs, discard{})
	h, err := g.revision(r.refs(ctx, discard{}), rev)
	if err != nil {
		objs.Close()
		db.Close()
		return nil, "", &TargetError{Err: err}
	}
	c := g.read(h)
	if c == nil {
		objs.Close()
		db.Close()
		return nil, "", fmt.Errorf("commit %s can't be read", h)
	}
	// The FS lives as long as the scan; its readers are few and small.
	return &TreeFS{objs: objs, db: db, tree: c.tree, w: newTreeWalker(objs, discard{})}, h.String(), nil
}

// TreeFS serves a commit's tree as an fs.FS.
type TreeFS struct {
	objs *objects
	db   *odb
	tree plumbing.Hash
	w    *treeWalker
}

// Close releases the repository's files.
func (t *TreeFS) Close() error {
	t.objs.Close()
	t.db.Close()
	return nil
}

// Open opens a regular file of the tree.
func (t *TreeFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) || name == "." {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	dir := t.tree
	parts := strings.Split(name, "/")
	for i, p := range parts {
		es, err := t.w.read(dir)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		var found *treeEntry
		for j := range es {
			if es[j].name == p {
				found = &es[j]
				break
			}
		}
		if found == nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		last := i == len(parts)-1
		switch {
		case !last && found.mode == modeTree:
			dir = found.hash
		case !last:
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		case found.mode != modeFile:
			return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("not a regular file")}
		default:
			data, err := t.objs.rd.read(found.hash, plumbing.BlobObject, maxTreeFile, false)
			data = bytes.Clone(data) // the reader's buffer is reused
			if err != nil {
				obj, gerr := t.objs.sto.EncodedObject(plumbing.BlobObject, found.hash)
				if gerr != nil {
					return nil, &fs.PathError{Op: "open", Path: name, Err: err}
				}
				if obj.Size() > maxTreeFile {
					return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("larger than %d bytes", maxTreeFile)}
				}
				rd, err := obj.Reader()
				if err != nil {
					return nil, &fs.PathError{Op: "open", Path: name, Err: err}
				}
				data, err = io.ReadAll(io.LimitReader(rd, maxTreeFile))
				rd.Close()
				if err != nil {
					return nil, &fs.PathError{Op: "open", Path: name, Err: err}
				}
			}
			return &treeFile{Reader: bytes.NewReader(data), name: path.Base(name), size: int64(len(data))}, nil
		}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

type treeFile struct {
	*bytes.Reader
	name string
	size int64
}

func (f *treeFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *treeFile) Close() error               { return nil }
func (f *treeFile) Name() string               { return f.name }
func (f *treeFile) Size() int64                { return f.size }
func (f *treeFile) Mode() fs.FileMode          { return 0o444 }
func (f *treeFile) ModTime() time.Time         { return time.Time{} }
func (f *treeFile) IsDir() bool                { return false }
func (f *treeFile) Sys() any                   { return nil }

// discard is a sink for reads that report nothing (the caller reports
// the error it gets instead).
type discard struct{}

func (discard) Chunk(finding.Chunk)   {}
func (discard) Item(int64)            {}
func (discard) Skip(string, string)   {}
func (discard) Problem(string, error) {}
