package source

import "github.com/leakhound/leakhound/finding"

// span64 is a finding.Span placed in the whole decoded content rather
// than in one chunk.
type span64 struct {
	at     int64 // position in the decoded content
	offset int64 // byte offset in the item
	width  int
}

// spanQueue holds the spans of decoded content that chunks still need:
// decoders add them as they write, and the chunker drops those before
// the chunk it has reached, so it holds about one chunk's worth.
type spanQueue struct {
	s    []span64
	head int // s[head:] are live
	// max, when set, is the most spans held; over says a span was
	// refused (Decode holds them all).
	max  int
	over bool
}

// add records that decoded content from position at starts at byte
// offset of the item, each byte standing for width bytes of it. A span
// that only continues the previous one is not recorded. It returns false
// when the span would be one over max.
func (q *spanQueue) add(at, offset int64, width int) bool {
	if n := len(q.s); n > q.head {
		last := &q.s[n-1]
		if last.at == at {
			*last = span64{at, offset, width}
			return true
		}
		if last.width == width && width > 0 && last.offset+(at-last.at)*int64(width) == offset {
			return true
		}
	}
	if q.max > 0 && len(q.s)-q.head >= q.max {
		q.over = true
		return false
	}
	q.s = append(q.s, span64{at, offset, width})
	return true
}

// slice appends to out the spans of the n bytes of decoded content from
// start, placed relative to start.
func (q *spanQueue) slice(start int64, n int, out []finding.Span) []finding.Span {
	end := start + int64(n)
	for i := q.head; i < len(q.s); i++ {
		s := q.s[i]
		if s.at >= end {
			break
		}
		if i+1 < len(q.s) && q.s[i+1].at <= start {
			continue // ends before start
		}
		if s.at < start {
			out = append(out, finding.Span{At: 0, Offset: s.offset + (start-s.at)*int64(s.width), Width: s.width})
			continue
		}
		out = append(out, finding.Span{At: int(s.at - start), Offset: s.offset, Width: s.width})
	}
	return out
}

// drop forgets the spans that end before start.
func (q *spanQueue) drop(start int64) {
	for q.head+1 < len(q.s) && q.s[q.head+1].at <= start {
		q.head++
	}
	// Compact once the dead prefix is the larger part.
	if q.head > 0 && q.head*2 >= len(q.s) {
		n := copy(q.s, q.s[q.head:])
		q.s = q.s[:n]
		q.head = 0
	}
}
