//go:build !unix

package dir

import "os"

// file is a regular file opened for one read from start to end.
type file struct{ *os.File }

func openFile(name string) (*file, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return &file{f}, nil
}

func (f *file) size() (int64, bool, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, false, err
	}
	return st.Size(), st.Mode().IsRegular(), nil
}

// block is for unix's non-blocking open; here opens block already.
func (f *file) block() error { return nil }
