package git

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
)

// A scanned repository is hostile input, its metadata included: a FIFO
// in place of HEAD, a ref or objects/info/alternates would block an open
// forever, and a symbolic link to /dev/zero would be read until memory
// runs out. Every file this package reads from a repository is therefore
// opened without blocking, must be a regular file, and is read up to a
// size cap; go-git reads through the same checks (see safeFS).

// Size caps of the metadata files.
const (
	// maxRefFile bounds HEAD, a loose ref, commondir and a .git file:
	// each holds one line of about 41 bytes.
	maxRefFile = 64 << 10
	// maxAlternates bounds objects/info/alternates: a few paths.
	maxAlternates = 1 << 20
	// maxListFile bounds the files read line by line (packed-refs,
	// shallow, the stash reflog): large repositories have packed-refs
	// files of hundreds of megabytes.
	maxListFile = 1 << 30
	// maxLine bounds one line of those.
	maxLine = 1 << 20
)

// errNotRegular is a path that is a FIFO, a device, a socket or a
// directory where git keeps a regular file.
var errNotRegular = errors.New("not a regular file")

// tooBigError is a metadata file over its cap.
type tooBigError struct {
	size, max int64
}

func (e *tooBigError) Error() string {
	return "file of " + strconv.FormatInt(e.size, 10) + " bytes is over the " + strconv.FormatInt(e.max, 10) + "-byte limit for git metadata"
}

// openRegular opens name for reading without blocking (a FIFO would
// otherwise block the open until a writer came) and refuses anything but
// a regular file. It returns the file's size.
func openRegular(name string) (*os.File, int64, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, &os.PathError{Op: "open", Path: name, Err: fmt.Errorf("%w (%s)", errNotRegular, typeName(st.Mode()))}
	}
	return f, st.Size(), nil
}

func typeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	}
	return m.Type().String()
}

// readCapped reads a whole metadata file of at most max bytes.
func readCapped(name string, max int64) ([]byte, error) {
	f, size, err := openRegular(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size > max {
		return nil, &os.PathError{Op: "read", Path: name, Err: &tooBigError{size, max}}
	}
	// A file growing while read stops at the cap too.
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, &os.PathError{Op: "read", Path: name, Err: &tooBigError{int64(len(b)), max}}
	}
	return b, nil
}

// readLines calls fn with every line of a metadata file read line by
// line, watching ctx. A missing file is no lines; the error is the first
// that stopped the read (fn's included).
func readLines(ctx context.Context, name string, fn func(line string) error) error {
	f, size, err := openRegular(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if size > maxListFile {
		return &os.PathError{Op: "read", Path: name, Err: &tooBigError{size, maxListFile}}
	}
	sc := bufio.NewScanner(io.LimitReader(f, maxListFile))
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	for n := 0; sc.Scan(); n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := fn(sc.Text()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return &os.PathError{Op: "read", Path: name, Err: err}
	}
	return nil
}
