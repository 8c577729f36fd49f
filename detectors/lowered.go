package detectors

import (
	"slices"

	"github.com/leakhound/leakhound/detectors/regex"
)

// lowered is a chunk's lowercase copy for the rules' requirement checks
// (see regex.Required), made a block at a time as windows ask for it:
// many rules' windows are the same line, which is lowered once, and the
// stretches of a chunk no window reaches are never lowered.
type lowered struct {
	data []byte
	buf  []byte
	done []uint64 // bit per block: lowered
	wide []uint64 // bit per block: holds a byte beyond ASCII
}

const loweredBlock = 1 << 10

func (l *lowered) reset(data []byte) {
	l.data = data
	l.buf = slices.Grow(l.buf[:0], len(data))[:len(data)]
	words := (len(data)/loweredBlock + 64) / 64
	l.done = slices.Grow(l.done[:0], words)[:words]
	l.wide = slices.Grow(l.wide[:0], words)[:words]
	clear(l.done)
	clear(l.wide)
}

// window returns data[start:end] lowercased, or false when it holds a
// byte beyond ASCII (and the requirement can't be checked).
func (l *lowered) window(start, end int) ([]byte, bool) {
	for b := start / loweredBlock; b*loweredBlock < end; b++ {
		w, bit := b/64, uint64(1)<<(b%64)
		if l.done[w]&bit == 0 {
			lo, hi := b*loweredBlock, min(len(l.data), (b+1)*loweredBlock)
			if !regex.LowerASCII(l.buf[lo:hi], l.data[lo:hi]) {
				l.wide[w] |= bit
			}
			l.done[w] |= bit
		}
		if l.wide[w]&bit != 0 {
			return nil, false
		}
	}
	return l.buf[start:end], true
}
