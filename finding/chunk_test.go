package finding

import "testing"

func TestItemOffset(t *testing.T) {
	t.Parallel()
	plain := Chunk{Offset: 1000}
	// Decoded content: ASCII from UTF-16 at 2 bytes a character, then
	// other characters (width 0), then ASCII again; extracted strings at
	// 1 byte a character.
	decoded := Chunk{Offset: 50, Spans: []Span{{At: 0, Offset: 102, Width: 2}, {At: 10, Offset: 122, Width: 0}, {At: 16, Offset: 126, Width: 2}}}
	runs := Chunk{Spans: []Span{{At: 0, Offset: 4096, Width: 1}, {At: 9, Offset: 8000, Width: 1}}}
	cases := []struct {
		c    Chunk
		i    int
		want int64
	}{
		{plain, 0, 1000},
		{plain, 17, 1017},
		{decoded, 0, 102},
		{decoded, 9, 120},
		{decoded, 10, 122},
		{decoded, 15, 122},
		{decoded, 16, 126},
		{decoded, 20, 134},
		{runs, 8, 4104},
		{runs, 9, 8000},
		{runs, 12, 8003},
	}
	for _, c := range cases {
		if got := c.c.ItemOffset(c.i); got != c.want {
			t.Errorf("ItemOffset(%d) with spans %v = %d, want %d", c.i, c.c.Spans, got, c.want)
		}
	}
}
