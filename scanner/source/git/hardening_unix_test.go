//go:build unix

package git

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Git metadata replaced by FIFOs (an open would wait for a writer
// forever) and by links to /dev/zero (a read would never end): each is a
// problem naming the file, and the scan ends promptly with everything
// else found.
func TestHostileMetadataFiles(t *testing.T) {
	t.Parallel()
	fifo := func(t *testing.T, name string) {
		t.Helper()
		os.Remove(name)
		if err := syscall.Mkfifo(name, 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
	zero := func(t *testing.T, name string) {
		t.Helper()
		os.Remove(name)
		if err := os.Symlink("/dev/zero", name); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		file    string // in .git
		plant   func(*testing.T, string)
		problem string
	}{
		{"alternates FIFO", "objects/info/alternates", fifo, "objects/info/alternates"},
		{"alternates /dev/zero", "objects/info/alternates", zero, "objects/info/alternates"},
		{"packed-refs FIFO", "packed-refs", fifo, "packed-refs"},
		{"packed-refs /dev/zero", "packed-refs", zero, "packed-refs"},
		{"shallow FIFO", "shallow", fifo, "shallow"},
		{"shallow /dev/zero", "shallow", zero, "shallow"},
		{"ref FIFO", "refs/heads/evil", fifo, "refs/heads/evil"},
		{"ref /dev/zero", "refs/heads/evil", zero, "refs/heads/evil"},
		{"stash reflog FIFO", "logs/refs/stash", fifo, "logs/refs/stash"},
		{"pack index FIFO", "objects/pack/pack-0000000000000000000000000000000000000000.idx", fifo, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newTestRepo(t)
			tok := token()
			c := r.commit(who{"A", 0}, "one", map[string]string{"a.txt": tok + "\n"})
			p := filepath.Join(r.dir, ".git", filepath.FromSlash(tc.file))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			tc.plant(t, p)
			s, err := New(Options{Path: r.dir})
			if err != nil {
				t.Fatal(err)
			}
			rec := newRecorder()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := s.Scan(ctx, rec); err != nil {
				t.Fatalf("scan: %v", err)
			}
			wantHits(t, rec, tok+" a.txt:1 "+c)
			if tc.problem == "" {
				noProblems(t, rec) // an index with no pack is not the repository's
				return
			}
			if len(rec.problems) != 1 || !strings.HasPrefix(rec.problems[0], tc.problem+": ") || !strings.Contains(rec.problems[0], "not a regular file") {
				t.Errorf("problems = %q, want one for %s saying it is not a regular file", rec.problems, tc.problem)
			}
		})
	}
}

// HEAD as a FIFO, or a symbolic ref out of the repository, in a
// pre-commit scan: an error, not a hang or a read outside.
func TestHostileHEADStaged(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	r.commit(who{"A", 0}, "one", map[string]string{"a.txt": "a\n"})
	head := filepath.Join(r.dir, ".git", "HEAD")
	writeFile(t, head, "ref: refs/../../../../../../dev/zero\n")
	if _, err := scanErr(t, Options{Path: r.dir, Staged: true}); err == nil || !strings.Contains(err.Error(), "not a ref name") {
		t.Errorf("HEAD out of the repository: err = %v", err)
	}
	os.Remove(head)
	if err := syscall.Mkfifo(head, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	// A FIFO HEAD is no longer a git directory's HEAD... but it is still
	// there, so openRepo takes the directory; reading it fails.
	if _, err := scanErr(t, Options{Path: r.dir, Staged: true}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("FIFO HEAD: err = %v", err)
	}
}
