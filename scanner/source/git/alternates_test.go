package git

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `git clone --shared` of a repository whose history is in loose objects
// only: the clone's scan reads them from the alternate.
func TestAlternatesLooseObjects(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	var want []string
	for i := 0; i < 3; i++ {
		tok := token()
		c := r.commit(who{"A", i}, "add", map[string]string{fmt.Sprintf("f%d.txt", i): tok + "\n"})
		want = append(want, fmt.Sprintf("%s f%d.txt:1 %s", tok, i, c))
	}
	if packs, _ := filepath.Glob(filepath.Join(r.dir, ".git", "objects", "pack", "*.pack")); len(packs) != 0 {
		t.Fatalf("want loose objects only, found %v", packs)
	}
	shared := filepath.Join(t.TempDir(), "shared")
	r.git("clone", "-q", "--shared", r.dir, shared)
	rec := scan(t, Options{Path: shared})
	noProblems(t, rec)
	wantHits(t, rec, want...)

	// The same through a relative path, a chain two deep, and a cycle.
	mid := filepath.Join(t.TempDir(), "mid")
	r.git("clone", "-q", "--bare", "--shared", r.dir, mid)
	top := filepath.Join(t.TempDir(), "top")
	r.git("clone", "-q", "--bare", "--shared", mid, top)
	rel, err := filepath.Rel(filepath.Join(top, "objects"), filepath.Join(mid, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(top, "objects", "info", "alternates"), rel+"\n")
	// mid borrows from r and, in a cycle, from top.
	writeFile(t, filepath.Join(mid, "objects", "info", "alternates"),
		filepath.Join(r.dir, ".git", "objects")+"\n"+filepath.Join(top, "objects")+"\n")
	rec = scan(t, Options{Path: top})
	noProblems(t, rec)
	wantHits(t, rec, want...)
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Alternates chains are followed to git's depth of 5, not further, and
// an alternate that is not a directory is a problem.
func TestAlternatesLimits(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	dirs := make([]string, 8)
	for i := range dirs {
		dirs[i] = filepath.Join(base, fmt.Sprintf("o%d", i))
		if err := os.MkdirAll(filepath.Join(dirs[i], "info"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < len(dirs)-1; i++ {
		writeFile(t, filepath.Join(dirs[i], "info", "alternates"), "../o"+fmt.Sprint(i+1)+"\n")
	}
	got, problems := withAlternates(dirs[0])
	if len(got) != 7 || len(problems) != 1 || !strings.Contains(problems[0].Error(), "nested more than 5") {
		t.Errorf("chain: %d dirs %v, problems %v; want 7 and one problem", len(got), got, problems)
	}
	writeFile(t, filepath.Join(dirs[7], "info", "alternates"), "/nonexistent/objects\n"+filepath.Join(dirs[7], "info", "alternates")+"\n")
	_, problems = withAlternates(dirs[7])
	if len(problems) != 2 {
		t.Errorf("bad entries: problems %v, want 2", problems)
	}
}
