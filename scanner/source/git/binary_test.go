package git

import (
	"strings"
	"testing"
)

// TestChangedBinaryBlob commits a binary three times: a secret that
// stays in it is reported once, at the commit that put it there, and a
// secret added later at the commit that added it. The chunks are the
// binary's strings: no lines, and spans into the blob.
func TestChangedBinaryBlob(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	old, added := token(), token()
	code := func(n int) string { return strings.Repeat("\x00\x48\x8b\x05\xe8\xff", n) }
	v1 := "\x7fELF\x02\x01\x01\x00" + code(200) + "cfg=" + old + "\x00" + code(300) + "version 1.0.0\x00"
	v2 := "\x7fELF\x02\x01\x01\x00" + code(250) + "cfg=" + old + "\x00" + code(300) + "version 1.0.1\x00"
	v3 := "\x7fELF\x02\x01\x01\x00" + code(250) + "cfg=" + old + "\x00" + code(100) + "key=" + added + "\x00" + code(200) + "version 1.0.2\x00"
	c1 := r.commit(who{"A", 0}, "build 1", map[string]string{"bin/app": v1})
	r.commit(who{"A", 1}, "build 2", map[string]string{"bin/app": v2})
	c3 := r.commit(who{"A", 2}, "build 3", map[string]string{"bin/app": v3})
	rec := scan(t, Options{Path: r.dir})
	noProblems(t, rec)
	got := map[string][]string{}
	for _, h := range rec.hits {
		got[h.Secret] = append(got[h.Secret], h.Commit)
	}
	if len(got[old]) != 1 || got[old][0] != c1 || len(got[added]) != 1 || got[added][0] != c3 {
		t.Errorf("hits %v, want the old secret at %.7s and the added one at %.7s", rec.hits, c1, c3)
	}
	for _, c := range rec.chunks {
		if c.Origin.Path == "bin/app" && (!c.NoLines || len(c.Spans) == 0) {
			t.Errorf("chunk of the binary at %.7s: no lines %v, %d spans", c.Origin.Commit, c.NoLines, len(c.Spans))
		}
	}
}
