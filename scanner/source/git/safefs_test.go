package git

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
)

// go-git, which reads what the pack reader leaves to it, follows
// alternates whatever their directory is called: git's objects, or
// another name (a push's quarantine is objects/tmp_objdir-incoming-*).
func TestGoGitReadsAlternates(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	c := r.commit(who{"A", 0}, "one", map[string]string{"a.txt": "a\n"})
	r.git("repack", "-q", "-a", "-d")
	for _, tc := range []struct {
		name string
		dir  func(t *testing.T) string // an object directory holding c
	}{
		{"objects", func(t *testing.T) string { return filepath.Join(r.dir, ".git", "objects") }},
		{"other name", func(t *testing.T) string {
			d := filepath.Join(t.TempDir(), "store")
			if out, err := exec.Command("cp", "-a", filepath.Join(r.dir, ".git", "objects"), d).CombinedOutput(); err != nil {
				t.Skipf("cp -a: %v %s", err, out)
			}
			return d
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			borrower := filepath.Join(t.TempDir(), "b.git")
			r.git("init", "-q", "--bare", borrower)
			writeFile(t, filepath.Join(borrower, "objects", "info", "alternates"), tc.dir(t)+"\n")
			rp, err := openRepo(borrower)
			if err != nil {
				t.Fatal(err)
			}
			obj, err := rp.storage(cache.NewObjectLRU(1<<20)).EncodedObject(plumbing.CommitObject, plumbing.NewHash(c))
			if err != nil {
				t.Fatalf("go-git: %v", err)
			}
			if obj.Hash().String() != c {
				t.Errorf("read %s, want %s", obj.Hash(), c)
			}
			// Outside objects/ an alternate holds nothing.
			if _, err := (objectsAt{newAlternatesFS()}).Stat("HEAD"); !os.IsNotExist(err) {
				t.Errorf("stat outside objects: %v", err)
			}
		})
	}
}
