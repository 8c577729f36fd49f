package git

import (
	"bytes"
	"hash/maphash"
)

// lineDiff finds the new lines of a blob (see newLines), with scratch
// memory kept from call to call: one per worker, whose blobs come one
// after another.
type lineDiff struct {
	seed  maphash.Seed
	lines []line
	sets  []lineSet
}

// line is a line of the candidate region: end includes the newline.
type line struct {
	start, end int
	kind       int
}

const (
	oldLine = iota
	shortOld
	newLine
)

// newLines calls fn for every run of consecutive lines of data that no
// version in olds has: data[start:end] is the run and lineBase the number
// of lines before it. Around the run is context, old lines scanned with it
// so that a multi-line secret with old lines is still matched: up to four
// lines before it, data[ctxStart:start], to be scanned as a chunk's Head
// (a new key body under an unchanged BEGIN line, as when a key is
// replaced; nothing that ends in the head is reported again), and up to
// two lines after it, data[end:ctxEnd], as its Tail (an unchanged END
// line; nothing that starts there is reported again). The head never
// reaches back into the run before. A line is new only if it is new
// against every old version, so a merge reports only what neither side
// had.
//
// Against each old version the leading and trailing lines it shares with
// data are cut off first (most edits touch a small part of a file, and
// the cut runs at memory speed), and only the lines left in between are
// compared, as sets of line hashes: a line moved within the changed region
// is not new, one moved out of it is. Short lines (blank, a brace) found
// in an old version don't split a run of new lines: a new key block keeps
// its blank lines. Work is proportional to the changed region, not the
// file.
func (d *lineDiff) newLines(data []byte, olds [][]byte, fn func(ctxStart, start, end, ctxEnd, lineBase int)) {
	if len(data) == 0 {
		return
	}
	seed := d.seed
	// The candidate region: lines outside an old version's changed region
	// are in that version, so only the intersection can hold new lines.
	from, to := 0, len(data)
	for len(d.sets) < len(olds) {
		d.sets = append(d.sets, lineSet{})
	}
	sets := d.sets[:len(olds)]
	regions := make([][]byte, len(olds))
	for i, old := range olds {
		f, t, of, ot := changedRegion(data, old)
		from, to = max(from, f), min(to, t)
		regions[i] = old[of:ot]
	}
	if from >= to {
		return
	}
	for i, r := range regions {
		sets[i].fill(r, seed)
	}
	// Classify the region's lines.
	lines := d.lines[:0]
	for pos := from; pos < to; {
		end, next := to, to
		if i := bytes.IndexByte(data[pos:to], '\n'); i >= 0 {
			end, next = pos+i, pos+i+1
		}
		kind := newLine
		h := maphash.Bytes(seed, data[pos:end])
		for i := range sets {
			if sets[i].has(h) {
				kind = oldLine
				if len(bytes.TrimSpace(data[pos:end])) < shortLine {
					kind = shortOld
				}
				break
			}
		}
		lines = append(lines, line{pos, next, kind})
		pos = next
	}
	// Scratch for a huge file is not kept for the next.
	if cap(lines) <= maxKeptLines {
		d.lines = lines[:0]
	}
	for i := range sets {
		if len(sets[i].slots) > 2*maxKeptLines {
			sets[i] = lineSet{}
		}
	}
	lineBase := bytes.Count(data[:from], []byte{'\n'})
	prevEnd := 0
	for i := 0; i < len(lines); {
		if lines[i].kind != newLine {
			i++
			continue
		}
		// Extend the run over new lines, and over short old lines that
		// lead to more new lines.
		last := i
		for j := i + 1; j < len(lines) && j-last <= maxShortGap; j++ {
			if lines[j].kind == newLine {
				last = j
			} else if lines[j].kind != shortOld {
				break
			}
		}
		end := lines[last].end
		ctxEnd := end
		for n := 0; n < contextLines && ctxEnd < len(data); n++ {
			k := bytes.IndexByte(data[ctxEnd:], '\n')
			if k < 0 {
				ctxEnd = len(data)
				break
			}
			ctxEnd += k + 1
		}
		ctxEnd = min(ctxEnd, end+maxContext)
		start := lines[i].start
		fn(headStart(data, start, prevEnd), start, end, ctxEnd, lineBase+i)
		prevEnd = end
		i = last + 1
	}
}

// maxKeptLines bounds the scratch a lineDiff keeps between calls.
const maxKeptLines = 1 << 16

const (
	// shortLine is the length below which an old line can't hold a secret
	// on its own and doesn't split a run.
	shortLine = 8
	// maxShortGap is how many short old lines a run may span.
	maxShortGap = 8
	// contextLines (at most maxContext bytes) follow a run as its tail,
	// contextLinesBefore lead it as its head: a PEM key's BEGIN line and
	// an encrypted key's Proc-Type, DEK-Info and blank line.
	contextLines       = 2
	contextLinesBefore = 4
	maxContext         = 4096
)

// headStart returns where the context before a run of new lines starting
// at start begins: up to contextLinesBefore whole lines back, within
// maxContext bytes, and not before from (where the run before ended).
func headStart(data []byte, start, from int) int {
	lo := max(from, start-maxContext)
	h := start
	for n := 0; n < contextLinesBefore && h > lo; n++ {
		i := bytes.LastIndexByte(data[lo:h-1], '\n')
		if i < 0 {
			if lo == from { // a line start: the run before ended there
				h = lo
			}
			break
		}
		h = lo + i + 1
	}
	return h
}

// changedRegion returns the part of data, [from, to), left after cutting
// the whole lines at its start and end that old shares byte for byte, and
// the corresponding part of old, [oldFrom, oldTo).
func changedRegion(data, old []byte) (from, to, oldFrom, oldTo int) {
	p := commonPrefix(data, old)
	if p < len(data) || p < len(old) {
		// Back to the start of the line the difference is on.
		p = bytes.LastIndexByte(data[:p], '\n') + 1
	}
	// The common suffix, not overlapping the prefix in either.
	s := commonSuffix(data[p:], old[p:])
	// Forward to the start of a line that starts a line in both: the
	// byte before it (the end of the previous line) must be shared too.
	to = len(data) - s
	for to < len(data) {
		oto := len(old) - (len(data) - to)
		if (to == 0 || data[to-1] == '\n') && (oto == 0 || old[oto-1] == '\n') {
			break
		}
		i := bytes.IndexByte(data[to:], '\n')
		if i < 0 {
			to = len(data)
			break
		}
		to += i + 1
	}
	if to == len(data) && p == len(data) {
		return p, p, p, p
	}
	return p, to, p, len(old) - (len(data) - to)
}

// commonPrefix is the length of the longest common prefix of a and b.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	// Whole blocks at memory speed, then byte by byte.
	for i+64 <= n && bytes.Equal(a[i:i+64], b[i:i+64]) {
		i += 64
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// commonSuffix is the length of the longest common suffix of a and b.
func commonSuffix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+64 <= n && bytes.Equal(a[len(a)-i-64:len(a)-i], b[len(b)-i-64:len(b)-i]) {
		i += 64
	}
	for i < n && a[len(a)-1-i] == b[len(b)-1-i] {
		i++
	}
	return i
}

// lineSet is a set of line hashes: open addressing over a table reused
// from blob to blob, cheaper than a map built for each.
type lineSet struct {
	slots []uint64 // 0 is empty; a hash of 0 is stored as 1
	mask  uint64
}

// fill makes the set hold the hashes of every line of b.
func (s *lineSet) fill(b []byte, seed maphash.Seed) {
	// A power of two at least twice the line count: probes stay short.
	lines := bytes.Count(b, []byte{'\n'}) + 1
	n := 16
	for n < 2*lines {
		n *= 2
	}
	if cap(s.slots) >= n {
		s.slots = s.slots[:n]
		clear(s.slots)
	} else {
		s.slots = make([]uint64, n)
	}
	s.mask = uint64(n - 1)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		l := b
		if i >= 0 {
			l, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		s.add(maphash.Bytes(seed, l))
	}
}

func (s *lineSet) add(h uint64) {
	h = max(h, 1)
	for i := h & s.mask; ; i = (i + 1) & s.mask {
		switch s.slots[i] {
		case 0:
			s.slots[i] = h
			return
		case h:
			return
		}
	}
}

func (s *lineSet) has(h uint64) bool {
	h = max(h, 1)
	for i := h & s.mask; ; i = (i + 1) & s.mask {
		switch s.slots[i] {
		case 0:
			return false
		case h:
			return true
		}
	}
}
