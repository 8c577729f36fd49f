// Package plainfile reads the small files leakhound trusts to steer a scan
// (rule configs, ignore files, baselines) without letting them stall or
// swamp it: only regular files are read, they are opened without
// blocking (a FIFO put where a config was expected would hang the open
// until some writer came), and reading stops at a size cap (a config that
// is /dev/zero, or a symbolic link to it, would grow memory without end).
package plainfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ErrNotRegular is returned for a path that is a directory, FIFO, device or
// socket.
var ErrNotRegular = errors.New("not a regular file")

// TooLargeError is returned for a file over the cap.
type TooLargeError struct {
	Path string
	Max  int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: larger than %d bytes", e.Path, e.Max)
}

// Read returns the contents of the regular file at name, following
// symbolic links (the user named it), or an error naming the file when it
// is not a regular file or is larger than max bytes.
func Read(name string, max int64) ([]byte, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOpen(f, name, max)
}

func readOpen(f fs.File, name string, max int64) ([]byte, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: ErrNotRegular}
	}
	if st.Size() > max {
		return nil, &TooLargeError{Path: name, Max: max}
	}
	// The size fstat gave may change under us: the cap holds anyway.
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if int64(len(data)) > max {
		return nil, &TooLargeError{Path: name, Max: max}
	}
	return data, nil
}

// ReadFS reads name from fsys with Read's rules.
func ReadFS(fsys fs.FS, name string, max int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOpen(f, name, max)
}

// Dir is an fs.FS of the plain files under a directory of a scanned tree,
// which is hostile input: a symbolic link is never followed (in the last
// element or any directory on the way, so nothing outside the tree can be
// read through it), and only regular files open.
type Dir string

// Open opens a regular file under the directory. name is slash-separated
// and must be valid for fs.ValidPath.
func (d Dir) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	// Every directory on the way must be a real directory, not a link.
	dir := string(d)
	parts := strings.Split(name, "/")
	for _, p := range parts[:len(parts)-1] {
		dir = filepath.Join(dir, p)
		st, err := os.Lstat(dir)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		if !st.IsDir() {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("%s is not a directory", path.Join(parts[:len(parts)-1]...))}
		}
	}
	full := filepath.Join(dir, parts[len(parts)-1])
	st, err := os.Lstat(full)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	if !st.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: name, Err: ErrNotRegular}
	}
	// O_NOFOLLOW closes the window between the Lstat and the open.
	f, err := os.OpenFile(full, os.O_RDONLY|openFlags|noFollow, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return f, nil
}
