package git

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/leakhound/leakhound/finding"
)

// deltaRepo builds a repository whose history stores most objects as
// deltas: a file edited many times, a growing directory, a merge.
func deltaRepo(t *testing.T) *testRepo {
	t.Helper()
	r := newTestRepo(t)
	var lines []string
	for i := 0; i < 60; i++ {
		lines = append(lines, fmt.Sprintf("line %d of the config: value=%s", i, strings.Repeat(strconv.Itoa(i), 1+i%7)))
		if i%5 == 0 && len(lines) > 3 {
			lines[len(lines)/2] = "changed " + lines[len(lines)/2]
		}
		files := map[string]string{
			"config.txt":                           strings.Join(lines, "\n") + "\n",
			fmt.Sprintf("dir/sub/f%02d.txt", i%20): fmt.Sprintf("version %d\n%s\n", i, strings.Repeat("padding text for deltas\n", 40)),
		}
		if i == 30 {
			r.git("checkout", "-q", "-b", "side")
		}
		if i == 45 {
			r.git("checkout", "-q", "main")
		}
		r.commit(who{"A", i}, fmt.Sprintf("commit %d\n\nbody", i), files)
	}
	r.gitEnv(who{"A", 61}.env(), "merge", "-q", "--no-ff", "-s", "ours", "-m", "merge side", "side")
	return r
}

// allObjects lists every object of the repository with its type.
func allObjects(t *testing.T, r *testRepo) map[plumbing.Hash]plumbing.ObjectType {
	t.Helper()
	out := map[plumbing.Hash]plumbing.ObjectType{}
	for _, line := range strings.Split(r.git("cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"), "\n") {
		h, typ, _ := strings.Cut(line, " ")
		ot, err := plumbing.ParseObjectType(typ)
		if err != nil {
			t.Fatalf("cat-file: %q", line)
		}
		out[plumbing.NewHash(h)] = ot
	}
	if len(out) < 100 {
		t.Fatalf("only %d objects", len(out))
	}
	return out
}

// maxDepth is the longest delta chain in the repository's packs.
func maxDepth(t *testing.T, r *testRepo) int {
	t.Helper()
	idx, _ := filepath.Glob(filepath.Join(r.dir, ".git", "objects", "pack", "*.idx"))
	depth := 0
	for _, f := range idx {
		for _, line := range strings.Split(r.git("verify-pack", "-v", f), "\n") {
			if fs := strings.Fields(line); len(fs) >= 7 && isHex40(fs[0]) {
				if d, _ := strconv.Atoi(fs[5]); d > depth {
					depth = d
				}
			}
		}
	}
	return depth
}

// goGitObjects reads every object with go-git.
func goGitObjects(t *testing.T, r *testRepo, objs map[plumbing.Hash]plumbing.ObjectType) map[plumbing.Hash][]byte {
	t.Helper()
	rp, err := openRepo(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	sto := rp.storage(cache.NewObjectLRUDefault())
	defer sto.Close()
	out := map[plumbing.Hash][]byte{}
	for h, typ := range objs {
		obj, err := sto.EncodedObject(typ, h)
		if err != nil {
			t.Fatalf("go-git %s: %v", h, err)
		}
		rd, err := obj.Reader()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rd)
		rd.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[h] = b
	}
	return out
}

// checkAll reads every object with the pack reader, in several
// goroutines sharing the cache, and compares it with go-git's.
func checkAll(t *testing.T, db *odb, objs map[plumbing.Hash]plumbing.ObjectType, want map[plumbing.Hash][]byte) {
	t.Helper()
	var hs []plumbing.Hash
	for h := range objs {
		hs = append(hs, h)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []string
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			rd := db.reader()
			order := rand.New(rand.NewSource(seed)).Perm(len(hs))
			for _, i := range order {
				h := hs[i]
				got, err := rd.read(h, objs[h], 0, objs[h] != plumbing.CommitObject)
				if err == nil && !bytes.Equal(got, want[h]) {
					err = errors.New("content differs from go-git's")
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Sprintf("%s %s: %v", objs[h], h, err))
					mu.Unlock()
				}
				// The wrong type is go-git's to answer (not found).
				if objs[h] != plumbing.BlobObject {
					if _, err := rd.read(h, plumbing.BlobObject, 0, false); err != errFallback {
						mu.Lock()
						errs = append(errs, fmt.Sprintf("%s read as a blob: %v", h, err))
						mu.Unlock()
					}
				}
			}
		}(int64(g))
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Errorf("%d objects wrong, first: %s", len(errs), errs[0])
	}
}

func TestODBMatchesGoGit(t *testing.T) {
	t.Parallel()
	r := deltaRepo(t)
	objects := filepath.Join(r.dir, ".git", "objects")
	objs := allObjects(t, r)
	want := goGitObjects(t, r, objs)

	t.Run("loose", func(t *testing.T) {
		db := openODB(objects, DefaultCacheSize)
		defer db.Close()
		if len(db.packs) != 0 {
			t.Fatalf("%d packs before repacking", len(db.packs))
		}
		checkAll(t, db, objs, want)
	})

	for _, tc := range []struct {
		name  string
		ofs   bool
		mmap  bool
		cache int64
	}{
		{"ofs-delta", true, true, DefaultCacheSize},
		{"ofs-delta ReadAt", true, false, DefaultCacheSize},
		{"ofs-delta no cache", true, true, 0},
		{"ofs-delta small cache", true, false, 64 << 10},
		{"ref-delta", false, true, DefaultCacheSize},
		{"ref-delta small cache", false, false, 64 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.git("-c", "repack.useDeltaBaseOffset="+strconv.FormatBool(tc.ofs), "repack", "-q", "-a", "-d", "-f", "--depth=50", "--window=250")
			if d := maxDepth(t, r); d < 10 {
				t.Fatalf("longest delta chain %d: the test needs long ones", d)
			}
			db := openODBWith(objects, tc.cache, tc.mmap)
			defer db.Close()
			if len(db.packs) != 1 || (db.packs[0].data != nil) != tc.mmap {
				t.Fatalf("packs: %d, mapped: %v", len(db.packs), len(db.packs) > 0 && db.packs[0].data != nil)
			}
			checkAll(t, db, objs, want)
			// A second round reads through the cache.
			checkAll(t, db, objs, want)
		})
	}
}

func TestODBSizeLimit(t *testing.T) {
	t.Parallel()
	r := deltaRepo(t)
	check := func(t *testing.T, db *odb) {
		t.Helper()
		h := plumbing.NewHash(r.git("rev-parse", "HEAD~20:config.txt"))
		full, err := db.reader().read(h, plumbing.BlobObject, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		n := int64(len(full))
		for _, keep := range []bool{false, true} {
			rd := db.reader()
			var tl *tooLargeError
			if _, err := rd.read(h, plumbing.BlobObject, n-1, keep); !errors.As(err, &tl) || tl.size != n {
				t.Errorf("limit %d: err %v, want too large (%d bytes)", n-1, err, n)
			}
			if got, err := rd.read(h, plumbing.BlobObject, n, keep); err != nil || !bytes.Equal(got, full) {
				t.Errorf("limit %d: err %v", n, err)
			}
		}
	}
	objects := filepath.Join(r.dir, ".git", "objects")
	t.Run("loose", func(t *testing.T) {
		db := openODB(objects, DefaultCacheSize)
		defer db.Close()
		check(t, db)
	})
	t.Run("packed", func(t *testing.T) {
		r.git("repack", "-q", "-a", "-d", "-f", "--depth=50", "--window=250")
		db := openODB(objects, DefaultCacheSize)
		defer db.Close()
		check(t, db)
	})
}

// TestODBCorruptPack mutates a pack with long delta chains in many random
// ways: reading every object must fail or succeed, never panic or hang.
func TestODBCorruptPack(t *testing.T) {
	t.Parallel()
	r := deltaRepo(t)
	objs := allObjects(t, r)
	r.git("repack", "-q", "-a", "-d", "-f", "--depth=50", "--window=250")
	idxs, _ := filepath.Glob(filepath.Join(r.dir, ".git", "objects", "pack", "*.idx"))
	if len(idxs) != 1 {
		t.Fatalf("packs: %v", idxs)
	}
	idx, err := os.ReadFile(idxs[0])
	if err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(strings.TrimSuffix(idxs[0], ".idx") + ".pack")
	if err != nil {
		t.Fatal(err)
	}
	objects := filepath.Join(t.TempDir(), "objects")
	packDir := filepath.Join(objects, "pack")
	if err := os.MkdirAll(packDir, 0o755); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	rounds := 300
	if testing.Short() {
		rounds = 50
	}
	for round := 0; round < rounds; round++ {
		pack := append([]byte(nil), orig...)
		ix := idx
		switch round % 5 {
		case 0: // truncated, the checksum kept (a pack that doesn't end with it is not read)
			pack = append(pack[:12+rng.Intn(len(pack)-12)], orig[len(orig)-20:]...)
		case 1: // a few bytes changed anywhere
			for i := 0; i < 1+rng.Intn(4); i++ {
				pack[rng.Intn(len(pack))] = byte(rng.Intn(256))
			}
		case 2: // a run of garbage
			at := rng.Intn(len(pack))
			for i := at; i < min(len(pack), at+1+rng.Intn(64)); i++ {
				pack[i] = byte(rng.Intn(256))
			}
		case 3: // an entry header changed (type, size, base offset)
			at := 12 + rng.Intn(len(pack)-32)
			pack[at] ^= byte(1 << rng.Intn(8))
			pack[at+1] ^= byte(1 << rng.Intn(8))
		case 4: // the index changed or truncated
			ix = append([]byte(nil), idx...)
			if rng.Intn(2) == 0 {
				ix = ix[:rng.Intn(len(ix))]
			} else {
				for i := 0; i < 1+rng.Intn(8); i++ {
					ix[8+rng.Intn(len(ix)-8)] = byte(rng.Intn(256))
				}
			}
		}
		if err := os.WriteFile(filepath.Join(packDir, "pack-x.pack"), pack, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(packDir, "pack-x.idx"), ix, 0o644); err != nil {
			t.Fatal(err)
		}
		db := openODBWith(objects, 256<<10, round%2 == 0)
		rd := db.reader()
		for h, typ := range objs {
			_, _ = rd.read(h, typ, 0, true)
			_, _ = rd.read(h, typ, 100, true)
		}
		db.Close()
	}
}

func TestApplyDeltaRejectsBadInput(t *testing.T) {
	t.Parallel()
	base := []byte("0123456789")
	for name, d := range map[string][]byte{
		"empty":            {},
		"wrong base size":  {9, 3, 3, 'a', 'b', 'c'},
		"short target":     {10, 4, 3, 'a', 'b', 'c'},
		"long target":      {10, 2, 3, 'a', 'b', 'c'},
		"insert past end":  {10, 3, 5, 'a', 'b'},
		"copy past base":   {10, 4, 0x91, 8, 4},
		"copy args cut":    {10, 4, 0x91, 8},
		"zero command":     {10, 1, 0},
		"huge target":      {10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
		"overlong varint":  {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"copy huge offset": {10, 1, 0x9f, 0xff, 0xff, 0xff, 0xff, 1},
	} {
		if out, err := applyDelta(base, d); err == nil {
			t.Errorf("%s: no error, got %q", name, out)
		}
	}
	out, err := applyDelta(base, []byte{10, 6, 0x91, 2, 3, 3, 'x', 'y', 'z'})
	if err != nil || string(out) != "234xyz" {
		t.Errorf("good delta: %q, %v", out, err)
	}
}

func FuzzApplyDelta(f *testing.F) {
	f.Add([]byte("0123456789"), []byte{10, 6, 0x91, 2, 3, 3, 'x', 'y', 'z'})
	f.Add([]byte(""), []byte{0, 0})
	f.Fuzz(func(t *testing.T, base, d []byte) {
		out, err := applyDelta(base, d)
		if err == nil {
			if _, n, ok := deltaSizes(d); !ok || int64(len(out)) != n {
				t.Fatalf("target size %d, header says %d", len(out), n)
			}
		}
	})
}

// TestParseCommit compares parseCommit with go-git's Commit.Decode on
// commits well and badly formed.
func TestParseCommit(t *testing.T) {
	t.Parallel()
	const (
		tree   = "tree 4b825dc642cb6eb9a060e54bf8d69288fbe4904b\n"
		parent = "parent 1111111111111111111111111111111111111111\n"
		p2     = "parent 2222222222222222222222222222222222222222\n"
		author = "author A U Thor <a@example.com> 1600000000 +0200\n"
		commtr = "committer C O Mitter <c@example.com> 1700000000 -0130\n"
	)
	for name, raw := range map[string]string{
		"plain":               tree + parent + author + commtr + "\nsubject\n\nbody\n",
		"root":                tree + author + commtr + "\nfirst\n",
		"merge":               tree + parent + p2 + author + commtr + "\nMerge\n",
		"no message":          tree + parent + author + commtr,
		"no newline at end":   tree + parent + author + strings.TrimSuffix(commtr, "\n"),
		"empty message":       tree + author + commtr + "\n",
		"leading blank":       tree + author + commtr + "\n\n\r\n  title  \r\nmore",
		"signed":              tree + parent + author + commtr + "gpgsig -----BEGIN PGP SIGNATURE-----\n \n abc\n -----END PGP SIGNATURE-----\n\nsigned\n",
		"mergetag":            tree + parent + p2 + author + commtr + "mergetag object 1111111111111111111111111111111111111111\n type commit\n tag v1\n\nmerge tag\n",
		"encoding":            tree + author + commtr + "encoding ISO-8859-1\n\nlatin\n",
		"no author":           tree + parent + commtr + "\nx\n",
		"no committer":        tree + parent + author + "\nx\n",
		"swapped":             tree + parent + commtr + author + "\nx\n",
		"late parent":         tree + author + commtr + parent + "\nx\n",
		"parent after author": tree + author + parent + commtr + "\nx\n",
		"bad parent":          tree + "parent 123\n" + author + commtr + "\nx\n",
		"bad tree":            "tree xyz\n" + author + commtr + "\nx\n",
		"tree not first":      author + tree + commtr + "\nx\n",
		"empty":               "",
		"blank first":         "\n" + tree,
		"bad signature":       tree + "author nobody\n" + "committer <c@x> notatime +0000\n\nx\n",
		"bad zone":            tree + "author A <a@x> 1600000000 +02x0\n" + commtr + "\nx\n",
		"no zone":             tree + "author A <a@x> 1600000000\n" + commtr + "\nx\n",
		"uppercase hash":      "tree 4B825DC642CB6EB9A060E54BF8D69288FBE4904B\n" + author + commtr + "\nx\n",
		"header no value":     tree + "author\n" + commtr + "\nx\n",
		"only tree":           strings.TrimSuffix(tree, "\n"),
	} {
		h := plumbing.NewHash("abcdefabcdefabcdefabcdefabcdefabcdefabcd")
		got, ok := parseCommit(h, []byte(raw), false, nil)
		obj := &plumbing.MemoryObject{}
		obj.SetType(plumbing.CommitObject)
		obj.Write([]byte(raw))
		var oc object.Commit
		err := oc.Decode(obj)
		if (err == nil) != ok {
			t.Errorf("%s: parseCommit ok=%v, go-git error %v", name, ok, err)
			continue
		}
		if !ok {
			continue
		}
		want := finding.Origin{Commit: h.String(), Author: oc.Author.Name, Email: oc.Author.Email, Date: oc.Author.When, Message: firstLine([]byte(oc.Message))}
		var o finding.Origin
		got.meta.origin(&o)
		_, gotTZ := o.Date.Zone()
		_, wantTZ := want.Date.Zone()
		if fmt.Sprint(got.tree, got.parents, got.when) != fmt.Sprint(oc.TreeHash, oc.ParentHashes, oc.Committer.When.Unix()) ||
			o.Commit != want.Commit || o.Author != want.Author || o.Email != want.Email || o.Message != want.Message ||
			!o.Date.Equal(want.Date) || gotTZ != wantTZ {
			t.Errorf("%s:\n got  %v %v %v %+v\n want %v %v %v %+v", name, got.tree, got.parents, got.when, o, oc.TreeHash, oc.ParentHashes, oc.Committer.When.Unix(), want)
		}
	}
}

// A pack whose checksum is not the one its index names is left to go-git.
func TestODBPackIndexMismatch(t *testing.T) {
	t.Parallel()
	r := deltaRepo(t)
	r.git("repack", "-q", "-a", "-d")
	idxs, _ := filepath.Glob(filepath.Join(r.dir, ".git", "objects", "pack", "*.idx"))
	pack := strings.TrimSuffix(idxs[0], ".idx") + ".pack"
	data, err := os.ReadFile(pack)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-1] ^= 1
	if err := os.Chmod(pack, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pack, data, 0o644); err != nil {
		t.Fatal(err)
	}
	db := openODB(filepath.Join(r.dir, ".git", "objects"), DefaultCacheSize)
	defer db.Close()
	if len(db.packs) != 0 {
		t.Errorf("a pack that doesn't match its index was opened")
	}
	h := plumbing.NewHash(r.git("rev-parse", "HEAD"))
	if _, err := db.reader().read(h, plumbing.CommitObject, 0, false); err != errFallback {
		t.Errorf("read: %v, want errFallback", err)
	}
}

// A clone that borrows objects (git clone --shared) reads the packs of
// the repository it borrows from, and its scan finds what that one's does.
func TestODBAlternates(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	var want []string
	for i := 0; i < 3; i++ {
		tok := token()
		c := r.commit(who{"A", i}, "add", map[string]string{fmt.Sprintf("f%d.txt", i): tok + "\n"})
		want = append(want, fmt.Sprintf("%s f%d.txt:1 %s", tok, i, c))
	}
	r.git("repack", "-q", "-a", "-d")
	shared := filepath.Join(t.TempDir(), "shared")
	r.git("clone", "-q", "--shared", r.dir, shared)
	objs := filepath.Join(shared, ".git", "objects")
	if _, err := os.Stat(filepath.Join(objs, "info", "alternates")); err != nil {
		t.Fatal(err)
	}
	db := openODB(objs, DefaultCacheSize)
	if len(db.packs) != 1 {
		t.Errorf("packs: %d, want the borrowed one", len(db.packs))
	}
	db.Close()
	rec := scan(t, Options{Path: shared})
	noProblems(t, rec)
	wantHits(t, rec, want...)
}

// A mapped pack cut short under the scan (truncated, or an I/O error on a
// network file system) faults when read past its new end: the read fails
// over to go-git instead of crashing the process.
func TestODBTruncatedMappedPack(t *testing.T) {
	if !mmapSupported {
		t.Skip("packs are not mapped here")
	}
	t.Parallel()
	r := deltaRepo(t)
	r.git("repack", "-q", "-a", "-d", "-f", "--depth=50", "--window=250")
	objects := filepath.Join(r.dir, ".git", "objects")
	objs := allObjects(t, r)
	db := openODBWith(objects, 0, true)
	defer db.Close()
	if len(db.packs) != 1 || db.packs[0].data == nil {
		t.Fatal("the pack is not mapped")
	}
	idxs, _ := filepath.Glob(filepath.Join(objects, "pack", "*.pack"))
	if err := os.Truncate(idxs[0], 4096); err != nil {
		t.Fatal(err)
	}
	rd := db.reader()
	fellBack := 0
	for h, typ := range objs {
		_, err := rd.read(h, typ, 0, false)
		if errors.Is(err, errFallback) {
			fellBack++
		}
	}
	if fellBack == 0 {
		t.Errorf("no read of %d objects past the cut failed over to go-git", len(objs))
	}
}

func TestBaseCacheKeysPackAndOffset(t *testing.T) {
	c := newBaseCache(1 << 20)
	c.put(1, 4096, plumbing.BlobObject, []byte("pack 1"))
	c.put(2, 4096, plumbing.BlobObject, []byte("pack 2"))
	c.put(1, 4096+1<<16, plumbing.BlobObject, []byte("pack 1, offset that shares the low bits"))
	for _, tc := range []struct {
		pack int
		off  int64
		want string
	}{
		{1, 4096, "pack 1"},
		{2, 4096, "pack 2"},
		{1, 4096 + 1<<16, "pack 1, offset that shares the low bits"},
		{3, 4096, ""},
	} {
		got, ok := c.get(tc.pack, tc.off)
		switch {
		case tc.want == "" && ok:
			t.Errorf("get(%d, %d) = %q, want a miss", tc.pack, tc.off, got.data)
		case tc.want != "" && (!ok || string(got.data) != tc.want):
			t.Errorf("get(%d, %d) = %v, want %q", tc.pack, tc.off, got, tc.want)
		}
	}
	// A pack id or offset the key can't hold is never cached, so it can't
	// be mistaken for another pack's object.
	c.put(1<<16+1, 4096, plumbing.BlobObject, []byte("pack 65537"))
	if got, _ := c.get(1, 4096); string(got.data) != "pack 1" {
		t.Errorf("pack 65537 overwrote pack 1: get(1, 4096) = %q", got.data)
	}
	if _, ok := c.get(1<<16+1, 4096); ok {
		t.Errorf("pack 65537 was cached")
	}
	c.put(1, 1<<48, plumbing.BlobObject, []byte("offset 2^48"))
	if _, ok := c.get(1, 1<<48); ok {
		t.Errorf("offset 2^48 was cached")
	}
}

// TestPackIndexFind looks up names that share their first bytes, and
// names that are absent between, before and after them.
func TestPackIndexFind(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewSource(3))
	var names []plumbing.Hash
	for i := 0; i < 2000; i++ {
		var h plumbing.Hash
		rnd.Read(h[:])
		h[0] = byte(i % 4) // crowded fanout buckets
		if i%3 == 0 && len(names) > 0 {
			// The same first eight (or more) bytes as another name.
			copy(h[:8+i%12], names[rnd.Intn(len(names))][:])
		}
		names = append(names, h)
	}
	slices.SortFunc(names, func(a, b plumbing.Hash) int { return bytes.Compare(a[:], b[:]) })
	names = slices.Compact(names)
	var x packIndex
	for i, h := range names {
		x.names = append(x.names, h[:]...)
		x.offsets = binary.BigEndian.AppendUint32(x.offsets, uint32(i*10))
		for b := int(h[0]); b < 256; b++ {
			x.fanout[b]++
		}
	}
	for i, h := range names {
		if off, ok := x.find(h); !ok || off != int64(i*10) {
			t.Fatalf("find(%s) = %d, %v; want %d", h, off, ok, i*10)
		}
		// Absent: the name with its last byte or its eighth byte changed.
		for _, at := range []int{19, 7} {
			g := h
			g[at] ^= 1
			if _, found := slices.BinarySearchFunc(names, g, func(a, b plumbing.Hash) int { return bytes.Compare(a[:], b[:]) }); found {
				continue
			}
			if off, ok := x.find(g); ok {
				t.Fatalf("find(%s) = %d for an absent name", g, off)
			}
		}
	}
}

// TestPrefetchMatchesReach: the commits read ahead in pack order are the
// ones a walk reads one by one, field for field; a commit too damaged to
// read ahead is read again by the walk, which reports it once.
func TestPrefetchMatchesReach(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	for i := 0; i < 90; i++ {
		if i == 50 {
			r.git("checkout", "-q", "-b", "side", "main~20")
		}
		r.commit(who{"A", i}, fmt.Sprintf("commit %d\n\nbody %d", i, i), map[string]string{fmt.Sprintf("f%d.txt", i%7): fmt.Sprint(i)})
	}
	r.git("checkout", "-q", "main")
	r.gitEnv(who{"A", 91}.env(), "merge", "-q", "--no-ff", "-s", "ours", "-m", "merge side", "side")
	r.git("repack", "-q", "-a", "-d")
	tips := []plumbing.Hash{plumbing.NewHash(r.git("rev-parse", "main"))}

	walk := func(t *testing.T, prefetch bool) (map[plumbing.Hash]*commit, *recorder, int) {
		repo, err := openRepo(r.dir)
		if err != nil {
			t.Fatal(err)
		}
		db := openODBFrom(repo.objectDirs(), DefaultCacheSize)
		t.Cleanup(db.Close)
		o := &objectSource{repo: repo, cache: cache.NewObjectLRU(1 << 20), db: db}
		objs := o.open()
		t.Cleanup(objs.Close)
		rec := newRecorder()
		g := newGraph(context.Background(), repo, objs, rec)
		g.open, g.readers = o.open, 2
		ahead := 0
		if prefetch {
			g.prefetch(context.Background())
			ahead = len(g.commits)
		}
		set, err := g.reach(context.Background(), tips, nil)
		if err != nil {
			t.Fatal(err)
		}
		return set, rec, ahead
	}
	want, _, _ := walk(t, false)
	got, rec, ahead := walk(t, true)
	noProblems(t, rec)
	if ahead < 80 || len(want) != 91 {
		t.Fatalf("%d commits read ahead, %d reached", ahead, len(want))
	}
	if len(got) != len(want) {
		t.Fatalf("reached %d commits with prefetch, %d without", len(got), len(want))
	}
	for h, w := range want {
		g := got[h]
		if g == nil || g.tree != w.tree || !slices.Equal(g.parents, w.parents) || g.when != w.when ||
			g.meta.message() != w.meta.message() || g.meta.commit() != w.meta.commit() {
			t.Fatalf("commit %s: got %+v, want %+v", h, g, w)
		}
	}

	// Damage one commit stored whole: prefetch passes over it, the walk
	// reports it.
	packs, _ := filepath.Glob(filepath.Join(r.dir, ".git", "objects", "pack", "*.pack"))
	victim := r.git("rev-parse", "main~3")
	var off int64 = -1
	for _, line := range strings.Split(r.git("verify-pack", "-v", strings.TrimSuffix(packs[0], ".pack")+".idx"), "\n") {
		if f := strings.Fields(line); len(f) == 5 && f[0] == victim && f[1] == "commit" {
			off, _ = strconv.ParseInt(f[4], 10, 64)
		}
	}
	if off < 0 {
		t.Fatalf("commit %s is not stored whole", victim)
	}
	b, err := os.ReadFile(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	for i := off + 4; i < off+12; i++ { // zlib data, past the entry header
		b[i] ^= 0x5a
	}
	os.Chmod(packs[0], 0o644)
	if err := os.WriteFile(packs[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, rec, _ = walk(t, true)
	n := 0
	for _, p := range rec.problems {
		if strings.Contains(p, victim) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("damaged commit %s reported %d times: %q", victim, n, rec.problems)
	}
}
