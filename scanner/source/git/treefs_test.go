package git

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/leakhound/leakhound/internal/plainfile"
)

func TestRevisionFiles(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	first := r.commit(who{"a", 1}, "base", map[string]string{".leakhound.toml": "title = 'base'\n", "conf/deep/x.txt": "deep\n"})
	if err := os.Symlink("/etc/passwd", filepath.Join(r.dir, "link")); err != nil {
		t.Fatal(err)
	}
	r.commit(who{"a", 2}, "head", map[string]string{".leakhound.toml": "title = 'head'\n"})

	files, hash, err := RevisionFiles(context.Background(), r.dir, "HEAD~1")
	if err != nil {
		t.Fatal(err)
	}
	defer files.Close()
	if hash != first {
		t.Errorf("hash %s, want %s", hash, first)
	}
	if b, err := plainfile.ReadFS(files, ".leakhound.toml", 1<<20); err != nil || string(b) != "title = 'base'\n" {
		t.Errorf("config at base: %q %v", b, err)
	}
	if b, err := plainfile.ReadFS(files, "conf/deep/x.txt", 1<<20); err != nil || string(b) != "deep\n" {
		t.Errorf("nested: %q %v", b, err)
	}
	for _, name := range []string{"missing", "conf/nope", "conf", "../x"} {
		if _, err := files.Open(name); err == nil {
			t.Errorf("%s opened", name)
		}
	}
	if _, err := files.Open("missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	head, _, err := RevisionFiles(context.Background(), r.dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	defer head.Close()
	if _, err := head.Open("link"); err == nil {
		t.Error("a symbolic link opened")
	}
	if _, _, err := RevisionFiles(context.Background(), r.dir, "nosuch"); err == nil {
		t.Error("unknown revision accepted")
	}
}
