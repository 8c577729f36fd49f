package detectors

import "slices"

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

	// The trie, its children in a map keyed by node and class: only the
	// DFA below needs a dense table, and a dense trie of a thousand
	// keywords would be megabytes to clear for nothing.
	total := 1
	for _, w := range words {
		total += len(w)
	}
	trie := make(map[int64]int32, total)
	nodeOut := make([][]int32, 1, total)
	for id, w := range words {
		s := int32(0)
		for i := 0; i < len(w); i++ {
			k := int64(s)<<8 | int64(p.class[w[i]])
			child, ok := trie[k]
			if !ok {
				child = int32(len(nodeOut))
				nodeOut = append(nodeOut, nil)
				trie[k] = child
			}
			s = child
		}
		nodeOut[s] = append(nodeOut[s], int32(id))
	}
	// children lists each node's (class, child) pairs in class order, for
	// the breadth-first pass.
	type edge struct {
		class int
		child int32
	}
	children := make([][]edge, len(nodeOut))
	for k, child := range trie {
		parent := k >> 8
		children[parent] = append(children[parent], edge{int(k & 0xff), child})
	}
	for _, es := range children {
		slices.SortFunc(es, func(a, b edge) int { return a.class - b.class })
	}
	nodes := len(nodeOut)
	// States are numbered in breadth-first order: the root and the
	// shallow states, where the automaton spends nearly all its steps,
	// get the first rows of the table, a few pages the CPU keeps at hand.
	id := make([]int32, nodes) // trie node -> state
	order := make([]int32, 1, nodes)
	for i := 0; i < len(order); i++ {
		for _, e := range children[order[i]] {
			id[e.child] = int32(len(order))
			order = append(order, e.child)
		}
	}
	fail := make([]int32, nodes) // by state
	p.delta = make([]uint32, nodes*n)
	p.out = make([][]int32, nodes)
	// In breadth-first order: a state's row starts as a copy of its fail
	// state's row, which is complete because the fail state is shallower.
	for st, node := range order {
		row := p.delta[st*n : st*n+n]
		if st != 0 {
			f := int(fail[st])
			copy(row, p.delta[f*n:f*n+n])
			p.out[st] = append(append([]int32(nil), nodeOut[node]...), p.out[f]...)
		} else {
			p.out[0] = nodeOut[0]
		}
		for _, e := range children[node] {
			child := id[e.child]
			if st != 0 {
				fail[child] = int32(row[e.class])
			}
			row[e.class] = uint32(child)
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
// of two dependent loads per byte. So data is cut in four parts scanned by
// four interleaved automata, which a CPU runs side by side. Each part
// after the first starts maxLen-1 bytes before the bytes it owns, in the
// root state, so it sees every keyword that ends in them, and reports only
// the hits that end in them: none is lost or doubled. The parts are cut so
// that all four take the same number of steps, overlap included: the
// chunks a history scan makes are the lines a commit added, a few hundred
// bytes, where a part's overlap is as long as the bytes it owns (when the
// overlap was scanned alone after the parts, that left them at half
// the speed of large inputs).
func (p *prefilter) find(data []byte, hits []hit) []hit {
	if len(p.words) == 0 {
		return hits
	}
	const parts = 4
	ov := p.maxLen - 1
	if len(data) < max(64, 2*p.maxLen) {
		return p.scan(data, 0, len(data), 0, hits)
	}
	// Every part scans steps bytes: part 0 owns all of its bytes, each of
	// the others owns steps-ov of them after its ov bytes of overlap.
	steps := (len(data) + (parts-1)*ov + parts - 1) / parts
	var from, own, to [parts]int
	for k := 1; k < parts; k++ {
		own[k] = from[k-1] + steps
		from[k] = own[k] - ov
	}
	for k := 0; k < parts; k++ {
		to[k] = min(from[k]+steps, len(data))
	}
	var out [parts][]hit
	out[0] = hits
	delta, class, classes := p.delta, &p.class, uint32(p.classes)
	var r0, r1, r2, r3 uint32
	// Steps every part can take together: the last part may be a few
	// bytes short of the others (steps is rounded up).
	n := to[parts-1] - from[parts-1]
	d0, d1, d2, d3 := data[from[0]:from[0]+n], data[from[1]:from[1]+n], data[from[2]:from[2]+n], data[from[3]:from[3]+n]
	for i := 0; i < n; i++ {
		t0 := delta[r0+uint32(class[d0[i]])]
		t1 := delta[r1+uint32(class[d1[i]])]
		t2 := delta[r2+uint32(class[d2[i]])]
		t3 := delta[r3+uint32(class[d3[i]])]
		r0, r1, r2, r3 = t0&^outFlag, t1&^outFlag, t2&^outFlag, t3&^outFlag
		if (t0|t1|t2|t3)&outFlag != 0 {
			for k, t := range [parts]uint32{t0, t1, t2, t3} {
				if t&outFlag == 0 {
					continue
				}
				end := from[k] + i + 1
				if end <= own[k] {
					continue
				}
				for _, w := range p.out[(t&^outFlag)/classes] {
					out[k] = append(out[k], hit{Keyword: w, End: end})
				}
			}
		}
	}
	// Each part finishes alone from where the shared loop stopped.
	rows := [parts]uint32{r0, r1, r2, r3}
	for k := 0; k < parts; k++ {
		out[k] = p.scanFrom(data, from[k]+n, to[k], own[k], rows[k], out[k])
	}
	hits = out[0]
	for k := 1; k < parts; k++ {
		hits = append(hits, out[k]...)
	}
	return hits
}

// scanFrom runs the automaton over data[from:to] starting in state row,
// keeping hits that end after own.
func (p *prefilter) scanFrom(data []byte, from, to, own int, row uint32, hits []hit) []hit {
	delta, class, classes := p.delta, &p.class, uint32(p.classes)
	for i := from; i < to; i++ {
		t := delta[row+uint32(class[data[i]])]
		row = t &^ outFlag
		if t&outFlag != 0 && i+1 > own {
			for _, k := range p.out[row/classes] {
				hits = append(hits, hit{Keyword: k, End: i + 1})
			}
		}
	}
	return hits
}

// scan runs the automaton over data[from:to] from the root state.
func (p *prefilter) scan(data []byte, from, to, own int, hits []hit) []hit {
	return p.scanFrom(data, from, to, own, 0, hits)
}
