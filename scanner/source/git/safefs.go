package git

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
)

// safeFS is the file system go-git reads a repository through. It gives
// go-git the same guarantees this package's own reads have (see
// metafile.go): files are opened without blocking and only regular files
// are returned, so a FIFO or device planted in a repository can't hang or
// flood go-git either.
//
// It also stands in for objects/info/alternates. go-git follows
// alternates recursively with no cycle check (an alternates file naming
// its own objects directory recurses until the stack runs out) and reads
// the file whole, whatever it is. So go-git is given, at the repository's
// root, the flat list of alternate object directories withAlternates
// resolved (checked, cycles removed, relative paths resolved as git does),
// and in those directories no alternates at all.
type safeFS struct {
	billy.Filesystem
	// alternates is the root's list of alternate object directories, one
	// absolute path a line; nil in an alternate's file system, where
	// objects/info/alternates does not exist for go-git.
	alternates func() []byte
}

const alternatesFile = "objects/info/alternates"

func (s *safeFS) Open(name string) (billy.File, error) {
	return s.OpenFile(name, os.O_RDONLY, 0)
}

func (s *safeFS) OpenFile(name string, flag int, perm os.FileMode) (billy.File, error) {
	if flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND) != 0 {
		return s.Filesystem.OpenFile(name, flag, perm)
	}
	if filepath.ToSlash(filepath.Clean(name)) == alternatesFile {
		if s.alternates == nil {
			return nil, &os.PathError{Op: "open", Path: name, Err: os.ErrNotExist}
		}
		return &memFile{name: name, Reader: bytes.NewReader(s.alternates())}, nil
	}
	f, err := s.Filesystem.OpenFile(name, flag|openNonblock, perm)
	if err != nil {
		return nil, err
	}
	// billy.File has no Stat: the name is checked after the open, which
	// is what matters (the open no longer blocks).
	st, err := s.Filesystem.Stat(name)
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, &os.PathError{Op: "open", Path: name, Err: fmt.Errorf("%w (%s)", errNotRegular, typeName(st.Mode()))}
	}
	return f, nil
}

func (s *safeFS) Chroot(p string) (billy.Filesystem, error) {
	fs, err := s.Filesystem.Chroot(p)
	if err != nil {
		return nil, err
	}
	return &safeFS{Filesystem: fs}, nil
}

func (s *safeFS) Capabilities() billy.Capability { return billy.Capabilities(s.Filesystem) }

// memFile is a read-only file held in memory.
type memFile struct {
	name string
	*bytes.Reader
}

var errReadOnly = errors.New("read-only file")

func (m *memFile) Name() string              { return m.name }
func (m *memFile) Write([]byte) (int, error) { return 0, errReadOnly }
func (m *memFile) Close() error              { return nil }
func (m *memFile) Lock() error               { return nil }
func (m *memFile) Unlock() error             { return nil }
func (m *memFile) Truncate(size int64) error { return errReadOnly }

// alternatesFS is the file system go-git opens alternates through, from
// the root. go-git takes an alternate to be a directory called "objects"
// and reads "objects/..." in its parent, which holds for most alternates
// but not for a push's quarantine (objects/tmp_objdir-incoming-XXXX) nor
// any object directory named otherwise. So alternateList names each
// object directory D as "D/objects", and here that name is D: its Stat
// is D's, and chrooted at D (the name's parent) "objects/..." is read in
// D itself. Reads go through safeFS's checks, with no alternates of
// their own (see safeFS).
type alternatesFS struct{ *safeFS }

func newAlternatesFS() *alternatesFS {
	return &alternatesFS{&safeFS{Filesystem: osfs.New(string(filepath.Separator))}}
}

func (a *alternatesFS) Stat(name string) (os.FileInfo, error) {
	if filepath.Base(name) == "objects" {
		name = filepath.Dir(name)
	}
	return a.safeFS.Stat(name)
}

func (a *alternatesFS) Chroot(p string) (billy.Filesystem, error) {
	fs, err := a.safeFS.Filesystem.Chroot(p)
	if err != nil {
		return nil, err
	}
	return &safeFS{Filesystem: objectsAt{fs}}, nil
}

// objectsAt shows an object directory as a git directory that holds it
// as "objects"; nothing else is there.
type objectsAt struct{ billy.Filesystem }

func (o objectsAt) name(op, n string) (string, error) {
	n = filepath.Clean(n)
	if n == "objects" {
		return ".", nil
	}
	if rest, ok := strings.CutPrefix(n, "objects"+string(filepath.Separator)); ok {
		return rest, nil
	}
	return "", &os.PathError{Op: op, Path: n, Err: os.ErrNotExist}
}

func (o objectsAt) Open(n string) (billy.File, error) { return o.OpenFile(n, os.O_RDONLY, 0) }

func (o objectsAt) OpenFile(n string, flag int, perm os.FileMode) (billy.File, error) {
	m, err := o.name("open", n)
	if err != nil {
		return nil, err
	}
	return o.Filesystem.OpenFile(m, flag, perm)
}

func (o objectsAt) Stat(n string) (os.FileInfo, error) {
	m, err := o.name("stat", n)
	if err != nil {
		return nil, err
	}
	return o.Filesystem.Stat(m)
}

func (o objectsAt) Lstat(n string) (os.FileInfo, error) {
	m, err := o.name("lstat", n)
	if err != nil {
		return nil, err
	}
	return o.Filesystem.Lstat(m)
}

func (o objectsAt) ReadDir(n string) ([]os.FileInfo, error) {
	m, err := o.name("readdir", n)
	if err != nil {
		return nil, err
	}
	return o.Filesystem.ReadDir(m)
}

func (o objectsAt) Capabilities() billy.Capability { return billy.Capabilities(o.Filesystem) }
