package detectors

// prefilter is an Aho-Corasick automaton over the rules' keywords, compiled
// to a dense DFA with ASCII case folding built into the transitions, so one
// pass over a chunk finds every keyword at one table lookup per byte.
type prefilter struct {
	delta []int32   // state*256 + byte -> next state
	out   [][]int32 // state -> keyword ids ending here (incl. via suffix links)
	words []string
}

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
	// Build the trie with sparse children first.
	type node struct {
		next map[byte]int32
		fail int32
		out  []int32
	}
	nodes := []node{{next: map[byte]int32{}}}
	for id, w := range words {
		s := int32(0)
		for i := 0; i < len(w); i++ {
			c := lower(w[i])
			n, ok := nodes[s].next[c]
			if !ok {
				n = int32(len(nodes))
				nodes = append(nodes, node{next: map[byte]int32{}})
				nodes[s].next[c] = n
			}
			s = n
		}
		nodes[s].out = append(nodes[s].out, int32(id))
	}
	p := &prefilter{
		delta: make([]int32, len(nodes)*256),
		out:   make([][]int32, len(nodes)),
		words: words,
	}
	// Breadth-first: fill the DFA row of each state from its fail state's
	// row, which is already complete.
	queue := []int32{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		row := p.delta[int(s)*256 : int(s)*256+256]
		if s != 0 {
			copy(row, p.delta[int(nodes[s].fail)*256:int(nodes[s].fail)*256+256])
		}
		p.out[s] = append(append([]int32(nil), nodes[s].out...), p.out[nodes[s].fail]...)
		if s == 0 {
			p.out[0] = nodes[0].out
		}
		for c := 0; c < 256; c++ {
			lc := lower(byte(c))
			n, ok := nodes[s].next[lc]
			if !ok {
				continue
			}
			if s == 0 {
				nodes[n].fail = 0
			} else {
				nodes[n].fail = row[c]
			}
			if byte(c) == lc {
				queue = append(queue, n)
			}
			row[c] = n
		}
	}
	return p
}

// find appends every keyword occurrence in data to hits.
func (p *prefilter) find(data []byte, hits []hit) []hit {
	if len(p.words) == 0 {
		return hits
	}
	delta, out := p.delta, p.out
	s := int32(0)
	for i, b := range data {
		s = delta[int(s)<<8|int(b)]
		if o := out[s]; len(o) > 0 {
			for _, k := range o {
				hits = append(hits, hit{Keyword: k, End: i + 1})
			}
		}
	}
	return hits
}
