package scanner

import (
	"fmt"
	"os"
	"path/filepath"
)

// reportFile is a report being written to a path: a new temporary file
// (mode 0600: it may hold revealed secrets) next to the path, renamed over
// it only once complete. A symbolic link planted at the path (a scanned
// tree can hold one where a CI job writes its report) is replaced, never
// followed, and a full disk or a crash leaves the old file, not a
// truncated report.
type reportFile struct {
	*os.File
	path string
}

func createReport(path string) (*reportFile, error) {
	if st, err := os.Lstat(path); err == nil {
		if m := st.Mode(); !m.IsRegular() && m&os.ModeSymlink == 0 {
			return nil, fmt.Errorf("%s exists and is not a regular file", path)
		}
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	return &reportFile{File: f, path: path}, nil
}

// commit makes the report visible at its path.
func (r *reportFile) commit() error {
	err := r.Sync()
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(r.Name(), r.path)
	}
	if err != nil {
		os.Remove(r.Name())
		return err
	}
	return nil
}

// abort removes the unfinished report.
func (r *reportFile) abort() {
	r.Close()
	os.Remove(r.Name())
}
