package scanner

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/leakhound/leakhound/report"
	"github.com/leakhound/leakhound/rules"
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

// WriteFile writes a file the way reports are written (see reportFile):
// to a new temporary file beside path, mode 0600, renamed over path only
// when write returned no error, so a crash or a full disk leaves the old
// file whole. State files of incremental scans rely on it.
func WriteFile(path string, write func(w io.Writer) error) error {
	f, err := createReport(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	if err := write(bw); err != nil {
		f.abort()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.abort()
		return err
	}
	return f.commit()
}

// WriteReport writes findings gathered by several scans (an org scan's
// repositories, merged shard reports) as one report, with o's format,
// redaction and destination; cfg, when set, gives rule metadata to SARIF.
// A report to o.Path is written like WriteFile.
func WriteReport(o ReportOptions, cfg *rules.Config, res Result) error {
	rep, err := report.New(o.Format, report.Options{Reveal: o.Reveal, NoColor: o.NoColor, Version: o.Version, Rules: cfg})
	if err != nil {
		return &ConfigError{Err: err}
	}
	report.Sort(res.Findings)
	write := func(w io.Writer) error { return rep.Write(w, res.Summary, res.Findings) }
	if o.Path != "" {
		return WriteFile(o.Path, write)
	}
	w := o.Writer
	if w == nil {
		w = io.Discard
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := write(bw); err != nil {
		return err
	}
	return bw.Flush()
}
