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

// TestChangedUTF16Blob changes a UTF-16 file: only the lines the new
// version adds are scanned, at their lines in the decoded text.
func TestChangedUTF16Blob(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	old, added := token(), token()
	utf16le := func(s string) string {
		b := []byte{0xff, 0xfe}
		for _, c := range []byte(s) {
			b = append(b, c, 0)
		}
		return string(b)
	}
	c1 := r.commit(who{"A", 0}, "one", map[string]string{"app.ini": utf16le("[a]\r\nkey=" + old + "\r\n")})
	c2 := r.commit(who{"A", 1}, "two", map[string]string{"app.ini": utf16le("[a]\r\nkey=" + old + "\r\n[b]\r\nkey=" + added + "\r\n")})
	rec := scan(t, Options{Path: r.dir})
	noProblems(t, rec)
	wantHits(t, rec, old+" app.ini:2 "+c1, added+" app.ini:4 "+c2)
}
