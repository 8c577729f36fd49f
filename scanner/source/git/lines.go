package git

import (
	"bytes"
	"hash/maphash"
)

// forNewLines calls fn for every run of consecutive lines of data that no
// version in olds has, with the run's byte range and the number of lines
// before it. A line is new only if it is new against every old version,
// so a merge reports only what neither side had.
//
// Against each old version the common leading and trailing lines are cut
// off first (most edits touch a small part of a file), and only the lines
// in between are compared, as sets of line hashes: a line moved within
// the changed region is not new, one moved out of it is.
func forNewLines(data []byte, olds [][]byte, seed maphash.Seed, fn func(start, end, lineBase int)) {
	starts := lineStarts(data)
	n := len(starts)
	if n == 0 {
		return
	}
	isNew := make([]bool, n)
	for i := range isNew {
		isNew[i] = true
	}
	for _, old := range olds {
		lo, hi := changedLines(data, old, starts)
		// Lines outside [lo, hi) are shared with this version.
		for i := 0; i < lo; i++ {
			isNew[i] = false
		}
		for i := hi; i < n; i++ {
			isNew[i] = false
		}
		if lo >= hi {
			continue
		}
		set := oldLineSet(data, old, starts, lo, hi, seed)
		for i := lo; i < hi; i++ {
			if !isNew[i] {
				continue
			}
			if _, ok := set[maphash.Bytes(seed, line(data, starts, i))]; ok {
				isNew[i] = false
			}
		}
	}
	for i := 0; i < n; {
		if !isNew[i] {
			i++
			continue
		}
		j := i
		for j < n && isNew[j] {
			j++
		}
		end := len(data)
		if j < n {
			end = starts[j]
		}
		fn(starts[i], end, i)
		i = j
	}
}

// lineStarts returns the offset of every line of data.
func lineStarts(data []byte) []int {
	starts := make([]int, 0, len(data)/32+1)
	for pos := 0; pos < len(data); {
		starts = append(starts, pos)
		i := bytes.IndexByte(data[pos:], '\n')
		if i < 0 {
			break
		}
		pos += i + 1
	}
	return starts
}

// line returns line i without its newline.
func line(data []byte, starts []int, i int) []byte {
	end := len(data)
	if i+1 < len(starts) {
		end = starts[i+1]
	}
	l := data[starts[i]:end]
	if len(l) > 0 && l[len(l)-1] == '\n' {
		l = l[:len(l)-1]
	}
	return l
}

// changedLines returns the lines of data, [lo, hi), left after cutting the
// leading and trailing lines it shares byte for byte with old.
func changedLines(data, old []byte, starts []int) (lo, hi int) {
	n := len(starts)
	// Common prefix, cut back to the end of a whole line.
	p := 0
	for p < len(data) && p < len(old) && data[p] == old[p] {
		p++
	}
	if p < len(data) || p < len(old) {
		p = bytes.LastIndexByte(data[:p], '\n') + 1
	}
	// Lines starting before p are shared.
	for lo < n && starts[lo] < p {
		lo++
	}
	// Common suffix, not overlapping the prefix, cut forward to the start
	// of a whole line.
	s := 0
	for s < len(data)-starts[min(lo, n-1)] && s < len(old)-p && data[len(data)-1-s] == old[len(old)-1-s] {
		s++
	}
	hi = n
	for hi > lo && len(data)-starts[hi-1] <= s {
		// Line hi-1 lies wholly in the suffix, and so does its start in
		// old only if it is a line start there too.
		st := len(old) - (len(data) - starts[hi-1])
		if st > 0 && old[st-1] != '\n' {
			break
		}
		hi--
	}
	return lo, hi
}

// oldLineSet hashes the lines of old that correspond to data's changed
// region [lo, hi).
func oldLineSet(data, old []byte, starts []int, lo, hi int, seed maphash.Seed) map[uint64]struct{} {
	from := starts[lo]
	// The changed region of old starts where data's does (shared prefix)
	// and ends as far from old's end as data's ends from data's.
	tail := 0
	if hi < len(starts) {
		tail = len(data) - starts[hi]
	}
	to := len(old) - tail
	if from > len(old) {
		from = len(old)
	}
	if to < from {
		to = from
	}
	region := old[from:to]
	set := make(map[uint64]struct{}, bytes.Count(region, []byte{'\n'})+1)
	for len(region) > 0 {
		i := bytes.IndexByte(region, '\n')
		l := region
		if i >= 0 {
			l, region = region[:i], region[i+1:]
		} else {
			region = nil
		}
		set[maphash.Bytes(seed, l)] = struct{}{}
	}
	return set
}
