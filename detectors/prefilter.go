package detectors

// prefilter is an Aho-Corasick automaton over the rules' keywords, compiled
// to a dense DFA with ASCII case folding built into the transitions, so one
// pass over a chunk finds every keyword at one table lookup per byte.
//
// Two things keep that lookup cheap. Bytes are mapped to equivalence
// classes first (bytes no keyword contains share one class), so a row is a
// few dozen entries, not 256, and the hot rows stay in cache. And a state
// with output is marked by a flag bit in the transition that leads to it,
// so the loop only looks at the output table when a keyword ends.
type prefilter struct {
	class   [256]byte
	classes int
	// delta maps row+class to the next state's row (state*classes), with
	// outFlag set when that state has output: storing rows, not state
	// numbers, saves a multiply per byte.
	delta  []uint32
	out    [][]int32 // state -> keyword ids ending here (incl. via suffix links)
	words  []string
	maxLen int // longest keyword
}

const outFlag = 1 << 31

// hit is a keyword found ending at End (exclusive).
type hit struct {
	Keyword int32
	End     int
}

func lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

func newPrefilter(words []string) *prefilter {
	p := &prefilter{words: words}
	for _, w := range words {
		p.maxLen = max(p.maxLen, len(w))
	}
	// Byte classes: class 0 for bytes in no keyword; one class per
	// distinct (case-folded) keyword byte.
	var used [256]bool
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			used[lower(w[i])] = true
		}
	}
	n := 1
	var classOf [256]byte
	for b := 0; b < 256; b++ {
		if used[b] {
			classOf[b] = byte(n)
			n++
		}
	}
	for b := 0; b < 256; b++ {
		p.class[b] = classOf[lower(byte(b))]
	}
	p.classes = n

	// The trie, with sparse children.
	type node struct {
		next map[byte]int32 // class -> child
		fail int32
		out  []int32
	}
	nodes := []node{{next: map[byte]int32{}}}
	for id, w := range words {
		s := int32(0)
		for i := 0; i < len(w); i++ {
			c := p.class[w[i]]
			child, ok := nodes[s].next[c]
			if !ok {
				child = int32(len(nodes))
				nodes = append(nodes, node{next: map[byte]int32{}})
				nodes[s].next[c] = child
			}
			s = child
		}
		nodes[s].out = append(nodes[s].out, int32(id))
	}
	p.delta = make([]uint32, len(nodes)*n)
	p.out = make([][]int32, len(nodes))
	// Breadth-first: a state's row starts as a copy of its fail state's
	// row, which is complete because the fail state is shallower.
	queue := []int32{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		row := p.delta[int(s)*n : int(s)*n+n]
		if s != 0 {
			f := int(nodes[s].fail)
			copy(row, p.delta[f*n:f*n+n])
			p.out[s] = append(append([]int32(nil), nodes[s].out...), p.out[f]...)
		} else {
			p.out[0] = nodes[0].out
		}
		for c := 0; c < n; c++ {
			child, ok := nodes[s].next[byte(c)]
			if !ok {
				continue
			}
			if s != 0 {
				nodes[child].fail = int32(row[c] &^ outFlag)
			}
			row[c] = uint32(child)
			queue = append(queue, child)
		}
	}
	// Turn state numbers into row offsets and flag every transition into a
	// state with output.
	for i, t := range p.delta {
		next := t &^ outFlag
		v := next * uint32(n)
		if len(p.out[next]) > 0 {
			v |= outFlag
		}
		p.delta[i] = v
	}
	return p
}

// find appends every keyword occurrence in data to hits, in order of their
// end offsets.
//
// A DFA step depends on the one before it, so one pass runs at the latency
// of two dependent loads per byte. Long inputs are split in two halves
// scanned by two interleaved automata, which a CPU runs side by side. The
// second half starts maxLen-1 bytes early, in the root state, so it sees
// every keyword that ends in it; each half reports only the hits that end
// in it, so none is lost or doubled.
func (p *prefilter) find(data []byte, hits []hit) []hit {
	if len(p.words) == 0 {
		return hits
	}
	if len(data) < 2048 {
		return p.scan(data, 0, len(data), hits)
	}
	mid := len(data) / 2
	from := mid - (p.maxLen - 1)
	if from < 0 {
		from = 0
	}
	delta, class, classes := p.delta, &p.class, uint32(p.classes)
	var second []hit
	row1, row2 := uint32(0), uint32(0)
	a, b := data[:mid], data[from:]
	n := len(a)
	if len(b) < n {
		n = len(b)
	}
	for i := 0; i < n; i++ {
		t1 := delta[row1+uint32(class[a[i]])]
		t2 := delta[row2+uint32(class[b[i]])]
		row1, row2 = t1&^outFlag, t2&^outFlag
		if t1&outFlag != 0 {
			for _, k := range p.out[row1/classes] {
				hits = append(hits, hit{Keyword: k, End: i + 1})
			}
		}
		if t2&outFlag != 0 && from+i+1 > mid {
			for _, k := range p.out[row2/classes] {
				second = append(second, hit{Keyword: k, End: from + i + 1})
			}
		}
	}
	// Finish whichever half is longer.
	for i := n; i < len(a); i++ {
		t := delta[row1+uint32(class[a[i]])]
		row1 = t &^ outFlag
		if t&outFlag != 0 {
			for _, k := range p.out[row1/classes] {
				hits = append(hits, hit{Keyword: k, End: i + 1})
			}
		}
	}
	for i := n; i < len(b); i++ {
		t := delta[row2+uint32(class[b[i]])]
		row2 = t &^ outFlag
		if t&outFlag != 0 && from+i+1 > mid {
			for _, k := range p.out[row2/classes] {
				second = append(second, hit{Keyword: k, End: from + i + 1})
			}
		}
	}
	return append(hits, second...)
}

// scan runs the automaton over data[from:to] from the root state.
func (p *prefilter) scan(data []byte, from, to int, hits []hit) []hit {
	delta, class, classes := p.delta, &p.class, uint32(p.classes)
	row := uint32(0)
	for i := from; i < to; i++ {
		t := delta[row+uint32(class[data[i]])]
		row = t &^ outFlag
		if t&outFlag != 0 {
			for _, k := range p.out[row/classes] {
				hits = append(hits, hit{Keyword: k, End: i + 1})
			}
		}
	}
	return hits
}
