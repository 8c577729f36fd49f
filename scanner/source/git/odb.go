package git

import (
	"bufio"
	"bytes"
	"container/list"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/klauspost/compress/zlib"
)

// odb is a read-only reader of a repository's packs and loose objects,
// used on the hot paths of a history scan instead of go-git's storage.
// go-git reads pack entries byte by byte through bufio, inflates with
// compress/flate and hashes every object it caches; this reader inflates
// straight from the mapped pack with a reused decompressor and caches
// delta bases by pack offset, with no hashing.
//
// It handles what a scan reads in bulk. Anything else is left to go-git,
// which stays the reference: an object in no pack and not loose (an
// alternate, a missing object), a v1 index, an object over maxInline
// bytes, and any entry this reader finds malformed all make read return
// errFallback, and the caller asks go-git, whose answer (object or error)
// is the same as before this reader existed.
type odb struct {
	dir   string   // objects directory
	dirs  []string // dir, then the object directories of its alternates
	packs []*pack
	cache *baseCache
	// mapped is set when a pack or index is mapped: reads then turn a
	// fault (the file cut short under the scan) into an error.
	mapped bool
	// problems are the alternates that could not be followed.
	problems []error
}

// maxInline is the largest object this reader materialises; bigger ones
// go through go-git, which streams undeltified objects from disk.
const maxInline = 32 << 20

// maxChain bounds delta chains (git's default depth is 50, its maximum
// 4095): a cycle in a hostile pack must end.
const maxChain = 10000

var (
	// errFallback says: ask go-git.
	errFallback = errors.New("object not handled by the pack reader")
	errCorrupt  = errors.New("malformed pack entry")
)

// tooLargeError is an object over the caller's size limit, found so
// without inflating it.
type tooLargeError struct{ size int64 }

func (e *tooLargeError) Error() string {
	return "object of " + strconv.FormatInt(e.size, 10) + " bytes is too large"
}

// openODB opens the packs of an objects directory and of its alternates.
// A pack that can't be opened is left out: its objects then go to go-git,
// which reports the problem where it matters, with the object that can't
// be read.
func openODB(dir string, cacheSize int64) *odb {
	return openODBWith(dir, cacheSize, mmapSupported)
}

// openODBWith maps the packs, or reads them with ReadAt (tests cover both
// on every platform).
func openODBWith(dir string, cacheSize int64, mmap bool) *odb {
	return openODBDirs([]string{dir}, cacheSize, mmap)
}

// openODBFrom opens the packs of several object directories (a push's
// quarantine, then the repository's own) and of their alternates; objects
// are looked for in that order.
func openODBFrom(dirs []string, cacheSize int64) *odb {
	return openODBDirs(dirs, cacheSize, mmapSupported)
}

func openODBDirs(roots []string, cacheSize int64, mmap bool) *odb {
	db := &odb{dir: roots[len(roots)-1], cache: newBaseCache(cacheSize)}
	db.dirs, db.problems = withAlternatesFrom(roots)
	for _, d := range db.dirs {
		idxs, _ := filepath.Glob(filepath.Join(d, "pack", "pack-*.idx"))
		sort.Strings(idxs)
		for _, idx := range idxs {
			p, err := openPack(idx, len(db.packs), mmap)
			if err != nil {
				continue
			}
			db.packs = append(db.packs, p)
			db.mapped = db.mapped || p.data != nil || p.idxDone != nil
		}
	}
	return db
}

// Alternates limits: git follows chains of alternates 5 levels deep; the
// count bounds a hostile file listing one directory under many names.
const (
	maxAlternateDepth = 5
	maxAlternateDirs  = 64
)

// withAlternates returns dir and the object directories it borrows from
// (objects/info/alternates, as `git clone --shared` or --reference
// write), and theirs, to git's depth of 5. A relative path is relative
// to the objects directory whose alternates file names it, as in git. A
// directory reached twice (a cycle, or the same one under two names) is
// listed once. What can't be followed (a file that is not a regular one,
// a path that is not a directory, a chain too deep) is returned as a
// problem: objects there may be missing from the scan.
func withAlternates(dir string) ([]string, []error) {
	return withAlternatesFrom([]string{dir})
}

// withAlternatesFrom is withAlternates for several object directories,
// listed first in their order (each once), then what they borrow from.
func withAlternatesFrom(roots []string) ([]string, []error) {
	var out []string
	seen := map[string]bool{}
	for _, d := range roots {
		d = filepath.Clean(d)
		if real := realPath(d); !seen[real] {
			seen[real] = true
			out = append(out, d)
		}
	}
	var problems []error
	for i, depth := 0, 0; i < len(out); depth++ {
		end := len(out)
		for ; i < end; i++ {
			name := filepath.Join(out[i], "info", "alternates")
			b, err := readCapped(name, maxAlternates)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				problems = append(problems, fmt.Errorf("alternates not followed: %w", err))
				continue
			}
			if depth > maxAlternateDepth {
				problems = append(problems, fmt.Errorf("%s: alternates nested more than %d deep are not followed", name, maxAlternateDepth))
				continue
			}
			for _, line := range strings.Split(string(b), "\n") {
				line = strings.TrimSpace(line)
				if line == "" || line[0] == '#' {
					continue
				}
				if line[0] == '"' {
					// git C-quotes paths with unusual bytes.
					u, err := strconv.Unquote(line)
					if err != nil {
						problems = append(problems, fmt.Errorf("%s: malformed line %q", name, truncate(line, 80)))
						continue
					}
					line = u
				}
				if !filepath.IsAbs(line) {
					line = filepath.Join(out[i], line)
				}
				line = filepath.Clean(line)
				if st, err := os.Stat(line); err != nil || !st.IsDir() {
					problems = append(problems, fmt.Errorf("%s: alternate %s is not an object directory", name, line))
					continue
				}
				real := realPath(line)
				if seen[real] {
					continue
				}
				if len(out) == maxAlternateDirs {
					problems = append(problems, fmt.Errorf("%s: more than %d alternate object directories; the rest are not followed", name, maxAlternateDirs-1))
					break
				}
				seen[real] = true
				out = append(out, line)
			}
		}
	}
	return out, problems
}

// realPath is p with symbolic links resolved, or p when that fails.
func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

func (db *odb) Close() {
	for _, p := range db.packs {
		p.close()
	}
	db.packs = nil
}

// find returns the pack and offset of h.
func (db *odb) find(h plumbing.Hash) (*pack, int64, bool) {
	for _, p := range db.packs {
		if off, ok := p.idx.find(h); ok {
			return p, off, true
		}
	}
	return nil, 0, false
}

// packedCommits returns the names of the commits stored whole in the
// mapped packs (a pack entry's type is in its first byte), for reading
// them ahead of a walk (see graph.prefetch). Commits stored as deltas,
// loose, or in packs read with ReadAt are left out: the walk reads those
// as it meets them.
func (db *odb) packedCommits() []plumbing.Hash {
	var out []plumbing.Hash
	for _, p := range db.packs {
		if p.data == nil {
			continue
		}
		end := p.size - 20 // the pack's checksum
		for i := uint32(0); i < p.idx.fanout[255]; i++ {
			off, ok := p.idx.offset(i)
			if !ok || off < 12 || off >= end || int64(len(p.data)) <= off {
				continue
			}
			if (p.data[off]>>4)&7 == packCommit {
				out = append(out, plumbing.Hash(p.idx.names[i*20:i*20+20]))
			}
		}
	}
	return out
}

// pack is one packfile and its index.
type pack struct {
	id   int
	idx  packIndex
	data []byte   // the whole pack, mapped; nil where mapping is unavailable
	f    *os.File // for ReadAt when data is nil
	size int64
	done func() error
	// idxDone unmaps the index, when it is mapped.
	idxDone func() error
}

func openPack(idxPath string, id int, mmap bool) (*pack, error) {
	p := &pack{id: id}
	fail := func(err error) (*pack, error) {
		p.close()
		return nil, err
	}
	b, err := readIndex(p, idxPath, mmap)
	if err != nil {
		return fail(err)
	}
	if err := p.idx.parse(b); err != nil {
		return fail(fmt.Errorf("%s: %w", idxPath, err))
	}
	f, size, err := openRegular(idxPath[:len(idxPath)-len(".idx")] + ".pack")
	if err != nil {
		return fail(err)
	}
	p.size = size
	p.done = f.Close
	var head [12]byte
	if _, err := f.ReadAt(head[:], 0); err != nil || string(head[:4]) != "PACK" || (head[7] != 2 && head[7] != 3) || p.size < 32 {
		return fail(fmt.Errorf("%s: not a version 2 pack", f.Name()))
	}
	// A pack that is not the one its index describes (replaced, cut
	// short) is left to go-git.
	var sum [20]byte
	if _, err := f.ReadAt(sum[:], p.size-20); err != nil || !bytes.Equal(sum[:], p.idx.packSum) {
		return fail(fmt.Errorf("%s: does not match its index", f.Name()))
	}
	if mmap {
		if data, unmap, err := mapFile(f, p.size); err == nil {
			p.data, p.done = data, unmap
			f.Close()
			return p, nil
		}
	}
	p.f = f
	return p, nil
}

// readIndex maps a pack index, or reads it where mapping is unavailable.
// Mapped, an index that claims billions of objects (a sparse file in a
// hostile repository) costs address space, not memory.
func readIndex(p *pack, name string, mmap bool) ([]byte, error) {
	f, size, err := openRegular(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if mmap {
		if b, unmap, err := mapFile(f, size); err == nil {
			p.idxDone = unmap
			return b, nil
		}
	}
	if size > 1<<32 {
		return nil, fmt.Errorf("%s: pack index of %d bytes is too large to read", name, size)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}

func (p *pack) close() {
	if p.done != nil {
		_ = p.done()
		p.done = nil
	}
	if p.idxDone != nil {
		_ = p.idxDone()
		p.idxDone = nil
	}
}

// packIndex is a version 2 pack index, kept as read.
type packIndex struct {
	fanout  [256]uint32
	names   []byte // 20 bytes an object, sorted
	offsets []byte // 4 bytes an object
	large   []byte // 8 bytes a large offset
	packSum []byte // the pack's checksum
}

func (x *packIndex) parse(b []byte) error {
	const head = 8 + 256*4
	if len(b) < head+40 || !bytes.Equal(b[:8], []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}) {
		return errors.New("not a version 2 pack index")
	}
	prev := uint32(0)
	for i := range x.fanout {
		v := binary.BigEndian.Uint32(b[8+i*4:])
		if v < prev {
			return errors.New("malformed pack index fanout")
		}
		x.fanout[i], prev = v, v
	}
	n := int64(x.fanout[255])
	rest := int64(len(b)) - head - 40 - n*28
	if rest < 0 || rest%8 != 0 {
		return errors.New("pack index has the wrong size")
	}
	pos := int64(head)
	x.names = b[pos : pos+n*20]
	pos += n * 24 // names, then CRCs
	x.offsets = b[pos : pos+n*4]
	pos += n * 4
	x.large = b[pos : pos+rest]
	x.packSum = b[len(b)-40 : len(b)-20]
	return nil
}

func (x *packIndex) find(h plumbing.Hash) (int64, bool) {
	lo := uint32(0)
	if h[0] > 0 {
		lo = x.fanout[h[0]-1]
	}
	hi := x.fanout[h[0]]
	// Names compare by their first eight bytes as a big-endian word, and
	// in full only where those are equal (a bytes.Compare call per step
	// was 2% of a history scan).
	key := binary.BigEndian.Uint64(h[:8])
	for lo < hi {
		mid := lo + (hi-lo)/2
		name := x.names[mid*20 : mid*20+20]
		c := 0
		if v := binary.BigEndian.Uint64(name); v < key {
			c = -1
		} else if v > key {
			c = 1
		} else {
			c = bytes.Compare(name[8:], h[8:])
		}
		switch {
		case c == 0:
			return x.offset(mid)
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, false
}

func (x *packIndex) offset(i uint32) (int64, bool) {
	o := binary.BigEndian.Uint32(x.offsets[i*4:])
	if o&0x80000000 == 0 {
		return int64(o), true
	}
	j := int(o&0x7fffffff) * 8
	if j+8 > len(x.large) {
		return 0, false
	}
	v := binary.BigEndian.Uint64(x.large[j:])
	if v > 1<<62 {
		return 0, false
	}
	return int64(v), true
}

// Pack entry types.
const (
	packCommit   = 1
	packTree     = 2
	packBlob     = 3
	packTag      = 4
	packOfsDelta = 6
	packRefDelta = 7
)

func objectType(t int) plumbing.ObjectType {
	switch t {
	case packCommit:
		return plumbing.CommitObject
	case packTree:
		return plumbing.TreeObject
	case packBlob:
		return plumbing.BlobObject
	case packTag:
		return plumbing.TagObject
	}
	return plumbing.InvalidObject
}

// entry is a pack entry's header.
type entry struct {
	typ     int
	size    int64 // inflated size of the entry's data (a delta's own size)
	data    int64 // offset of the compressed data
	baseOff int64 // OFS_DELTA
	baseRef plumbing.Hash
}

// objReader is one goroutine's reader over a shared odb: the
// decompressor and scratch buffers are its own.
type objReader struct {
	db    *odb
	sized sizedInflater // mapped packs
	zr    io.ReadCloser // loose objects, packs read with ReadAt
	bufr  *bufio.Reader
	head  [32]byte
	top   []byte // the requested object's delta
	delta []byte // a chain link's delta
	chain []link
}

type link struct {
	p *pack
	e entry
	o int64
}

func (db *odb) reader() *objReader { return &objReader{db: db} }

// read returns the content of object h of type t, or errFallback, or a
// *tooLargeError for an object over limit bytes (known from headers,
// before inflating it). keep caches the object itself for readers to
// come (its delta bases are always cached). The returned bytes may be
// shared: they must not be modified.
func (r *objReader) read(h plumbing.Hash, t plumbing.ObjectType, limit int64, keep bool) ([]byte, error) {
	data, typ, err := r.readAny(h, t, limit, keep)
	if err != nil {
		return nil, err
	}
	if typ != t {
		return nil, errFallback // go-git says the object is not found
	}
	return data, nil
}

// readAny is read for an object of any type when t is AnyObject (t only
// saves inflating a loose object of the wrong type).
func (r *objReader) readAny(h plumbing.Hash, t plumbing.ObjectType, limit int64, keep bool) (data []byte, typ plumbing.ObjectType, err error) {
	if limit <= 0 || limit > maxInline {
		limit = maxInline
	}
	if r.db.mapped {
		// A mapped pack or index that shrinks under the scan (truncated,
		// or an I/O error on a network file system) faults when read;
		// this turns the fault into a panic recovered here, and go-git,
		// reading the file with plain reads, then reports what is wrong
		// with it.
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if rec := recover(); rec != nil {
				if f, ok := rec.(interface{ Addr() uintptr }); ok && f != nil {
					data, typ, err = nil, 0, errFallback
					return
				}
				panic(rec)
			}
		}()
	}
	p, off, ok := r.db.find(h)
	if !ok {
		return r.readLoose(h, t, limit)
	}
	return r.readPacked(p, off, limit, keep)
}

// readPacked reads the object at off, checking its size against limit
// before inflating it: for a delta, the size is in the delta's header.
func (r *objReader) readPacked(p *pack, off, limit int64, keep bool) ([]byte, plumbing.ObjectType, error) {
	if c, ok := r.db.cache.get(p.id, off); ok {
		if int64(len(c.data)) > limit {
			return nil, 0, r.tooLarge(int64(len(c.data)), limit)
		}
		return c.data, c.typ, nil
	}
	e, err := r.entry(p, off)
	if err != nil {
		return nil, 0, err
	}
	if t := objectType(e.typ); t != plumbing.InvalidObject {
		if e.size > limit {
			return nil, 0, r.tooLarge(e.size, limit)
		}
		data := make([]byte, e.size)
		if err := r.inflate(p, e.data, data); err != nil {
			return nil, 0, err
		}
		if keep {
			r.db.cache.put(p.id, off, t, data)
		}
		return data, t, nil
	}
	if e.size > maxInline {
		return nil, 0, errFallback
	}
	top := scratch(&r.top, e.size)
	if err := r.inflate(p, e.data, top); err != nil {
		return nil, 0, err
	}
	_, n, ok := deltaSizes(top)
	if !ok {
		return nil, 0, errFallback
	}
	if n > limit {
		return nil, 0, r.tooLarge(n, limit)
	}
	bp, boff, err := r.baseOf(p, off, e)
	if err != nil {
		return nil, 0, err
	}
	base, typ, err := r.resolve(bp, boff)
	if err != nil {
		return nil, 0, err
	}
	data, err := applyDelta(base, top)
	if err != nil {
		return nil, 0, err
	}
	if keep {
		r.db.cache.put(p.id, off, typ, data)
	}
	return data, typ, nil
}

// tooLarge is a *tooLargeError when the limit is the caller's, and
// errFallback when it is this reader's own.
func (r *objReader) tooLarge(size, limit int64) error {
	if limit == maxInline {
		return errFallback
	}
	return &tooLargeError{size}
}

// baseOf locates a delta's base.
func (r *objReader) baseOf(p *pack, off int64, e entry) (*pack, int64, error) {
	if e.typ == packOfsDelta {
		return p, e.baseOff, nil
	}
	bp, boff, ok := r.db.find(e.baseRef)
	if !ok {
		return nil, 0, errFallback // a thin pack's base, loose or elsewhere
	}
	if bp == p && boff == off {
		return nil, 0, errCorrupt
	}
	return bp, boff, nil
}

// resolve returns the object at off, walking its delta chain down to a
// cached object or a whole one, then applying the deltas back up and
// caching every object on the way: reading an older version of a file
// next (usually a delta of the newer one) then starts from the cache.
func (r *objReader) resolve(p *pack, off int64) ([]byte, plumbing.ObjectType, error) {
	chain := r.chain[:0]
	defer func() { r.chain = chain[:0] }()
	var base []byte
	var typ plumbing.ObjectType
	for {
		if len(chain) > maxChain {
			return nil, 0, errCorrupt
		}
		if c, ok := r.db.cache.get(p.id, off); ok {
			base, typ = c.data, c.typ
			break
		}
		e, err := r.entry(p, off)
		if err != nil {
			return nil, 0, err
		}
		if e.size > maxInline {
			return nil, 0, errFallback
		}
		if t := objectType(e.typ); t != plumbing.InvalidObject {
			base, typ = make([]byte, e.size), t
			if err := r.inflate(p, e.data, base); err != nil {
				return nil, 0, err
			}
			r.db.cache.put(p.id, off, typ, base)
			break
		}
		chain = append(chain, link{p, e, off})
		if p, off, err = r.baseOf(p, off, e); err != nil {
			return nil, 0, err
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		l := chain[i]
		delta := scratch(&r.delta, l.e.size)
		if err := r.inflate(l.p, l.e.data, delta); err != nil {
			return nil, 0, err
		}
		if _, n, ok := deltaSizes(delta); !ok || n > maxInline {
			return nil, 0, errFallback
		}
		out, err := applyDelta(base, delta)
		if err != nil {
			return nil, 0, err
		}
		r.db.cache.put(l.p.id, l.o, typ, out)
		base = out
	}
	return base, typ, nil
}

// scratch returns *b resized to n bytes; a buffer over maxScratch is not
// kept in *b, so one huge delta doesn't pin memory for the whole scan.
func scratch(b *[]byte, n int64) []byte {
	if int64(cap(*b)) >= n {
		return (*b)[:n]
	}
	buf := make([]byte, n)
	if n <= maxScratch {
		*b = buf
	}
	return buf
}

const maxScratch = 4 << 20

// entry parses the header of the entry at off.
func (r *objReader) entry(p *pack, off int64) (entry, error) {
	end := p.size - 20 // the pack's checksum
	if off < 12 || off >= end {
		return entry{}, errCorrupt
	}
	var b []byte
	if p.data != nil {
		b = p.data[off:min(end, off+int64(len(r.head)))]
	} else {
		n, err := p.f.ReadAt(r.head[:min(end-off, int64(len(r.head)))], off)
		if err != nil && n == 0 {
			return entry{}, err
		}
		b = r.head[:n]
	}
	i := 0
	next := func() (byte, bool) {
		if i >= len(b) {
			return 0, false
		}
		i++
		return b[i-1], true
	}
	c, _ := next()
	e := entry{typ: int(c>>4) & 7, size: int64(c & 15)}
	for shift := 4; c&0x80 != 0; shift += 7 {
		var ok bool
		if c, ok = next(); !ok || shift > 55 {
			return entry{}, errCorrupt
		}
		e.size |= int64(c&0x7f) << shift
	}
	switch e.typ {
	case packOfsDelta:
		c, ok := next()
		if !ok {
			return entry{}, errCorrupt
		}
		rel := int64(c & 0x7f)
		for c&0x80 != 0 {
			if c, ok = next(); !ok || rel > 1<<48 {
				return entry{}, errCorrupt
			}
			rel = (rel+1)<<7 | int64(c&0x7f)
		}
		e.baseOff = off - rel
		if rel <= 0 || e.baseOff < 12 {
			return entry{}, errCorrupt
		}
	case packRefDelta:
		if len(b)-i < 20 {
			return entry{}, errCorrupt
		}
		copy(e.baseRef[:], b[i:i+20])
		i += 20
	case packCommit, packTree, packBlob, packTag:
	default:
		return entry{}, errCorrupt
	}
	e.data = off + int64(i)
	return e, nil
}

// inflate decompresses the zlib stream at off into dst, which must be
// exactly the size the entry's header gives.
func (r *objReader) inflate(p *pack, off int64, dst []byte) error {
	end := p.size - 20
	if off >= end {
		return errCorrupt
	}
	if p.data != nil {
		return r.sized.zlib(dst, p.data[off:end])
	}
	sec := io.NewSectionReader(p.f, off, end-off)
	if r.bufr == nil {
		r.bufr = bufio.NewReaderSize(sec, 32<<10)
	} else {
		r.bufr.Reset(sec)
	}
	return r.inflateFrom(r.bufr, dst)
}

// inflater returns the reader's zlib decompressor, reset to read src.
func (r *objReader) inflater(src io.Reader) (io.Reader, error) {
	if r.zr == nil {
		zr, err := zlib.NewReader(src)
		if err != nil {
			return nil, err
		}
		r.zr = zr
	} else if err := r.zr.(zlib.Resetter).Reset(src, nil); err != nil {
		return nil, err
	}
	return r.zr, nil
}

func (r *objReader) inflateFrom(src io.Reader, dst []byte) error {
	if _, err := r.inflater(src); err != nil {
		return err
	}
	if _, err := io.ReadFull(r.zr, dst); err != nil {
		return err
	}
	// The stream must end here; reading on checks its checksum too.
	var one [1]byte
	if n, err := r.zr.Read(one[:]); n != 0 || err != io.EOF {
		return errCorrupt
	}
	return nil
}

// readLoose reads a loose object, from the objects directory or an
// alternate's, or returns errFallback when there is none or it can't be
// read (go-git then reports it missing, or what is wrong with it).
func (r *objReader) readLoose(h plumbing.Hash, t plumbing.ObjectType, limit int64) ([]byte, plumbing.ObjectType, error) {
	s := h.String()
	var f *os.File
	for _, d := range r.db.dirs {
		var err error
		f, _, err = openRegular(filepath.Join(d, s[:2], s[2:]))
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return nil, 0, errFallback
		}
	}
	if f == nil {
		return nil, 0, errFallback
	}
	defer f.Close()
	if r.bufr == nil {
		r.bufr = bufio.NewReaderSize(f, 32<<10)
	} else {
		r.bufr.Reset(f)
	}
	if _, err := r.inflater(r.bufr); err != nil {
		return nil, 0, errFallback
	}
	// "<type> <size>\0", then the content.
	head := r.head[:0]
	var one [1]byte
	for {
		if _, err := io.ReadFull(r.zr, one[:]); err != nil || len(head) == cap(head) {
			return nil, 0, errFallback
		}
		if one[0] == 0 {
			break
		}
		head = append(head, one[0])
	}
	ts, ss, ok := bytes.Cut(head, []byte{' '})
	if !ok {
		return nil, 0, errFallback
	}
	typ, err := plumbing.ParseObjectType(string(ts))
	if err != nil || (t != plumbing.AnyObject && typ != t) {
		return nil, 0, errFallback
	}
	size, err := strconv.ParseInt(string(ss), 10, 64)
	if err != nil || size < 0 {
		return nil, 0, errFallback
	}
	if size > limit {
		return nil, 0, r.tooLarge(size, limit)
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(r.zr, data); err != nil {
		return nil, 0, errFallback
	}
	if n, err := r.zr.Read(one[:]); n != 0 || err != io.EOF {
		return nil, 0, errFallback
	}
	return data, typ, nil
}

// deltaSizes reads the base and target sizes at the start of a delta.
func deltaSizes(d []byte) (base, target int64, ok bool) {
	base, n := uvarint(d)
	if n <= 0 {
		return 0, 0, false
	}
	target, m := uvarint(d[n:])
	if m <= 0 {
		return 0, 0, false
	}
	return base, target, true
}

func uvarint(b []byte) (int64, int) {
	var v uint64
	for i, shift := 0, 0; i < len(b) && shift < 63; i, shift = i+1, shift+7 {
		v |= uint64(b[i]&0x7f) << shift
		if b[i]&0x80 == 0 {
			if v > 1<<62 {
				return 0, -1
			}
			return int64(v), i + 1
		}
	}
	return 0, -1
}

// applyDelta builds a delta's target from its base.
func applyDelta(base, d []byte) ([]byte, error) {
	bs, n := uvarint(d)
	if n <= 0 || bs != int64(len(base)) {
		return nil, errCorrupt
	}
	d = d[n:]
	ts, n := uvarint(d)
	if n <= 0 || ts > maxInline {
		return nil, errCorrupt
	}
	d = d[n:]
	out := make([]byte, 0, ts)
	for len(d) > 0 {
		cmd := d[0]
		d = d[1:]
		switch {
		case cmd&0x80 != 0:
			var off, size int64
			for i := 0; i < 4; i++ {
				if cmd&(1<<i) != 0 {
					if len(d) == 0 {
						return nil, errCorrupt
					}
					off |= int64(d[0]) << (8 * i)
					d = d[1:]
				}
			}
			for i := 0; i < 3; i++ {
				if cmd&(0x10<<i) != 0 {
					if len(d) == 0 {
						return nil, errCorrupt
					}
					size |= int64(d[0]) << (8 * i)
					d = d[1:]
				}
			}
			if size == 0 {
				size = 0x10000
			}
			if off+size > int64(len(base)) || int64(len(out))+size > ts {
				return nil, errCorrupt
			}
			out = append(out, base[off:off+size]...)
		case cmd != 0:
			size := int(cmd)
			if size > len(d) || int64(len(out)+size) > ts {
				return nil, errCorrupt
			}
			out = append(out, d[:size]...)
			d = d[size:]
		default:
			return nil, errCorrupt
		}
	}
	if int64(len(out)) != ts {
		return nil, errCorrupt
	}
	return out, nil
}

// baseCache holds objects read from packs, keyed by pack and offset, for
// every reader: mostly delta bases, and the blobs and trees a later read
// will want again. It is split into shards, each an LRU bounded in bytes;
// no lock is held while inflating.
type baseCache struct {
	shards [baseShards]baseShard
}

const baseShards = 16

type baseShard struct {
	mu    sync.Mutex
	max   int64
	size  int64
	ll    list.List
	items map[baseKey]*list.Element
}

// baseKey is a pack's id and an offset in it, in one word (a map keyed by
// a word hashes faster than by a struct): the offset in the high 48 bits,
// the id in the low 16. An object of a pack whose id or offset does not fit
// is not cached.
type baseKey uint64

func newBaseKey(pack int, off int64) (baseKey, bool) {
	if pack < 0 || pack >= 1<<16 || off < 0 || off >= 1<<48 {
		return 0, false
	}
	return baseKey(uint64(off)<<16 | uint64(pack)), true
}

type cached struct {
	key  baseKey
	typ  plumbing.ObjectType
	data []byte
}

func newBaseCache(maxBytes int64) *baseCache {
	c := &baseCache{}
	for i := range c.shards {
		c.shards[i].max = maxBytes / baseShards
		c.shards[i].items = map[baseKey]*list.Element{}
	}
	return c
}

func (c *baseCache) shard(k baseKey) *baseShard {
	// Entries are at least a few bytes apart: mix the offset's bits.
	x := uint64(k) * 0x9e3779b97f4a7c15
	return &c.shards[(x>>32)%baseShards]
}

func (c *baseCache) get(pack int, off int64) (*cached, bool) {
	k, ok := newBaseKey(pack, off)
	if !ok {
		return nil, false
	}
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.items[k]
	if !ok {
		return nil, false
	}
	s.ll.MoveToFront(e)
	return e.Value.(*cached), true
}

func (c *baseCache) put(pack int, off int64, t plumbing.ObjectType, data []byte) {
	k, ok := newBaseKey(pack, off)
	if !ok {
		return
	}
	s := c.shard(k)
	size := int64(len(data)) + 64
	if size > s.max {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.items[k]; ok {
		s.ll.MoveToFront(e)
		return
	}
	s.items[k] = s.ll.PushFront(&cached{key: k, typ: t, data: data})
	s.size += size
	for s.size > s.max {
		last := s.ll.Back()
		e := last.Value.(*cached)
		s.ll.Remove(last)
		delete(s.items, e.key)
		s.size -= int64(len(e.data)) + 64
	}
}
