package detectors

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/leakhound/leakhound/finding"
)

// Decoding finds secrets hidden one or more encodings deep: a Kubernetes
// Secret's base64 values, a .dockerconfigjson, hex dumps, percent-encoded
// URLs, JSON/JS string escapes. Each encoded run is decoded, substituted
// into its line (so the context a rule needs — "password:" before the
// value — is kept), and the line is scanned again, up to maxDecodeDepth
// encodings deep. Findings point at the encoded text.
const (
	maxDecodeDepth = 2
	minBase64Run   = 16
	minHexRun      = 32
	// maxDecodedPerChunk bounds the work decoding can add to one chunk.
	maxDecodedPerChunk = 1 << 20
	// decodeContextBefore and decodeContextAfter are how much of the line
	// around an encoded run is kept when its decoded form is scanned: the
	// key before it ("password: ", "DB_PASSWORD=") and a closing quote.
	decodeContextBefore = 64
	decodeContextAfter  = 8
)

// encodedRun is a decodable span of a chunk and what it decodes to.
type encodedRun struct {
	start, end int
	decoded    []byte
	encoding   string
}

// base64Bytes marks the bytes of both base64 alphabets.
var base64Bytes = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_") {
		t[c] = true
	}
	return t
}()

// base64Value maps a byte of either base64 alphabet to its six bits ('+'
// and '-' to 62, '/' and '_' to 63).
var base64Value = func() (t [256]byte) {
	for i, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") {
		t[c] = byte(i)
	}
	t['-'], t['_'] = 62, 63
	return t
}()

// headHasControl reports whether the first 16 characters of a run (all of
// them in the base64 alphabets) decode to a byte printable rejects
// outright. It decodes them in place, in either alphabet: a run that mixes
// the two fails the full decode after it.
func headHasControl(run []byte) bool {
	for i := 0; i < 16; i += 4 {
		v := uint32(base64Value[run[i]])<<18 | uint32(base64Value[run[i+1]])<<12 |
			uint32(base64Value[run[i+2]])<<6 | uint32(base64Value[run[i+3]])
		if isControl(byte(v>>16)) || isControl(byte(v>>8)) || isControl(byte(v)) {
			return true
		}
	}
	return false
}

func isHexByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// findEncoded returns the runs of data that decode to mostly printable
// text.
func findEncoded(data []byte) []encodedRun {
	var runs []encodedRun
	budget := maxDecodedPerChunk
	// Runs shorter than minBase64Run are never decoded, and every run of
	// at least 15 bytes holds an eight-byte word at an offset that is a
	// multiple of eight wholly in the alphabet. So the scan tests those
	// words, eight bytes at once and without a branch per byte, and looks
	// byte by byte only around a word that passes. Invariant: data[i-1]
	// is not in the alphabet (or i is 0), so a run found from i starts
	// exactly where the walk back stops.
	for i := 0; budget > 0; {
		k := (i + 7) &^ 7
		for k+8 <= len(data) && !alphabetWord(binary.LittleEndian.Uint64(data[k:])) {
			k += 8
		}
		if k+8 > len(data) {
			break
		}
		start := k
		for start > i && base64Bytes[data[start-1]] {
			start--
		}
		j := k + 8
		for j+8 <= len(data) && alphabetWord(binary.LittleEndian.Uint64(data[j:])) {
			j += 8
		}
		for j < len(data) && base64Bytes[data[j]] {
			j++
		}
		end := j
		for end < len(data) && end-j < 2 && data[end] == '=' {
			end++
		}
		if j-start >= minBase64Run {
			if dec, enc := decodeRun(data[start:j], data[j:end]); dec != nil {
				runs = append(runs, encodedRun{start: start, end: end, decoded: dec, encoding: enc})
				budget -= len(dec)
			}
		}
		// data[j] (if any) is outside the alphabet: resume after it, or
		// after the padding, which is outside it too.
		i = max(end, j+1)
	}
	if bytes.IndexByte(data, '%') >= 0 {
		runs = append(runs, findPercent(data)...)
	}
	if bytes.Contains(data, []byte(`\u`)) || bytes.Contains(data, []byte(`\x`)) {
		runs = append(runs, findEscapes(data)...)
	}
	return runs
}

// alphabetWord reports whether all eight bytes of x are in the base64
// alphabets (A-Z a-z 0-9 + / - _), in two dozen word operations: x plus
// 0x80-c in each byte sets the byte's high bit when the byte is at least
// c, with no carry into the next byte (each is below 0x80), so the bits
// of two such sums differ where a byte is in the range between.
func alphabetWord(x uint64) bool {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	// Most words of text fail on a byte below '+' (space, quote, paren,
	// line end): x-c sets the high bit of a byte below c (it borrows),
	// unless that byte's own high bit was set, which the &^x drops.
	if (x-ones*'+')&^x&high != 0 {
		return false
	}
	// (^ and | bind alike in Go: each pair is parenthesised.)
	m := ((x + ones*(0x80-'+')) ^ (x + ones*(0x80-','))) |
		((x + ones*(0x80-'-')) ^ (x + ones*(0x80-'.'))) |
		((x + ones*(0x80-'/')) ^ (x + ones*(0x80-':'))) |
		((x + ones*(0x80-'A')) ^ (x + ones*(0x80-'['))) |
		((x + ones*(0x80-'_')) ^ (x + ones*(0x80-'`'))) |
		((x + ones*(0x80-'a')) ^ (x + ones*(0x80-'{')))
	return x&high == 0 && m&high == high
}

// decodeRun decodes a run of base64 (standard or URL alphabet) or hex.
func decodeRun(run, pad []byte) ([]byte, string) {
	allHex := true
	for _, c := range run {
		if !isHexByte(c) {
			allHex = false
			break
		}
	}
	if allHex {
		if len(run) >= minHexRun && len(run)%2 == 0 {
			if dec, err := hex.DecodeString(string(run)); err == nil && printable(dec) {
				return dec, "hex"
			}
		}
		// Long hex runs are digests far more often than base64.
		return nil, ""
	}
	// Identifiers and words are base64-shaped too; base64 of text almost
	// always mixes in digits or both cases within every few characters, and
	// its length fits the 4-character grouping (with padding or without).
	if !mixedEnough(run) || (len(pad) == 0 && len(run)%4 == 1) || (len(pad) > 0 && (len(run)+len(pad))%4 != 0) {
		return nil, ""
	}
	// Most candidates are identifiers that decode to binary noise: the
	// first 16 characters (12 bytes) nearly always show it, so they are
	// decoded alone first and the run is dropped at a control byte.
	if len(run) >= 16 && headHasControl(run) {
		return nil, ""
	}
	enc := base64.RawStdEncoding
	if bytes.IndexByte(run, '-') >= 0 || bytes.IndexByte(run, '_') >= 0 {
		enc = base64.RawURLEncoding
	}
	dec := make([]byte, enc.DecodedLen(len(run)))
	n, err := enc.Decode(dec, run)
	if err != nil || !printable(dec[:n]) {
		return nil, ""
	}
	return dec[:n], "base64"
}

// hasControl reports whether b holds a byte printable rejects outright.
func hasControl(b []byte) bool {
	for _, c := range b {
		if isControl(c) {
			return true
		}
	}
	return false
}

// isControl reports a control byte other than a line break or a tab.
func isControl(c byte) bool {
	return (c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f
}

// mixedEnough reports whether a run has a digit, '+' or '/', or both
// cases, as encoded data does and lowercase or UPPERCASE words don't.
func mixedEnough(run []byte) bool {
	var upper, lower bool
	for _, c := range run {
		switch {
		case '0' <= c && c <= '9', c == '+', c == '/':
			return true
		case 'A' <= c && c <= 'Z':
			upper = true
		case 'a' <= c && c <= 'z':
			lower = true
		}
		if upper && lower {
			return true
		}
	}
	return false
}

// printable reports whether b is text: valid UTF-8, mostly printable, with
// enough letters or digits to hold a secret.
func printable(b []byte) bool {
	if len(b) < 6 || !utf8.Valid(b) {
		return false
	}
	bad, alnum := 0, 0
	for _, c := range b {
		switch {
		case isControl(c):
			bad++
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9':
			alnum++
		}
	}
	return bad == 0 && alnum*2 >= len(b)
}

// findPercent finds runs holding %XX escapes and decodes them.
func findPercent(data []byte) []encodedRun {
	var runs []encodedRun
	isURLByte := func(c byte) bool {
		return c > ' ' && c < 0x7f && c != '"' && c != '\'' && c != '`' && c != '<' && c != '>'
	}
	for i := 0; i < len(data); {
		k := bytes.IndexByte(data[i:], '%')
		if k < 0 {
			break
		}
		i += k
		if i+2 >= len(data) || !isHexByte(data[i+1]) || !isHexByte(data[i+2]) {
			i++
			continue
		}
		s := i
		for s > 0 && isURLByte(data[s-1]) {
			s--
		}
		e := i
		for e < len(data) && isURLByte(data[e]) {
			e++
		}
		if !percentEncoded(data[s:e]) {
			i = e
			continue
		}
		if dec, err := url.PathUnescape(string(data[s:e])); err == nil && dec != string(data[s:e]) && printable([]byte(dec)) {
			runs = append(runs, encodedRun{start: s, end: e, decoded: []byte(dec), encoding: "percent"})
		}
		i = e
	}
	return runs
}

// percentEncoded reports whether a run holding %XX escapes reads as
// percent-encoded: encoders escape the characters a URL reserves, so an
// escape of a letter, a digit or one of "-._~" (a password's "%48") says
// the % is a character of the value, unless escapes follow each other
// ("%74%6F%6B": an encoder that escapes everything).
func percentEncoded(run []byte) bool {
	plain, streak, longest := 0, 0, 0
	for i := 0; i < len(run); i++ {
		if run[i] != '%' || i+2 >= len(run) || !isHexByte(run[i+1]) || !isHexByte(run[i+2]) {
			streak = 0
			continue
		}
		h, _ := hex.DecodeString(string(run[i+1 : i+3]))
		if c := h[0]; 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			plain++
		}
		streak++
		longest = max(longest, streak)
		i += 2
	}
	return plain == 0 || longest >= 3
}

// findEscapes decodes quoted strings holding \uXXXX or \xXX escapes.
func findEscapes(data []byte) []encodedRun {
	// Only lines holding a \u or \x escape are parsed for strings: find
	// each such escape, parse its line, and go on after that line.
	var runs []encodedRun
	for from := 0; from < len(data); {
		k := bytes.IndexByte(data[from:], '\\')
		if k < 0 {
			break
		}
		k += from
		if k+1 >= len(data) || (data[k+1] != 'u' && data[k+1] != 'x') {
			from = k + 2
			continue
		}
		ls, le := lineBounds(data, k, k)
		runs = escapesInLine(data, ls, le, runs)
		from = le + 1
	}
	return runs
}

// escapesInLine decodes the quoted strings of data[ls:le] that hold \u or
// \x escapes.
func escapesInLine(data []byte, ls, le int, runs []encodedRun) []encodedRun {
	for i := ls; i < le; i++ {
		q := data[i]
		if q != '"' && q != '\'' {
			continue
		}
		j := i + 1
		esc := false
		for j < le && data[j] != q {
			if data[j] == '\\' && j+1 < le {
				if data[j+1] == 'u' || data[j+1] == 'x' {
					esc = true
				}
				j++
			}
			j++
		}
		if j >= le || data[j] != q {
			break
		}
		if esc {
			lit := string(data[i : j+1])
			if q == '\'' {
				lit = `"` + lit[1:len(lit)-1] + `"`
			}
			if dec, err := strconv.Unquote(lit); err == nil && printable([]byte(dec)) {
				runs = append(runs, encodedRun{start: i + 1, end: j, decoded: []byte(dec), encoding: "escape"})
			}
		}
		i = j
	}
	return runs
}

// detectDecoded scans the decoded form of every encoded run in the chunk.
// An encoded run that holds a secret a provider rule already found as it
// stands (a base64 key value) is not decoded again: one secret, one
// finding. A run that only a generic rule matched is decoded, and when a
// rule finds a secret inside it, the generic finding of the encoded text
// is dropped in favour of the decoded one (the value a Kubernetes Secret
// stores in base64 is the password, not its encoding).
func (e *Engine) detectDecoded(c finding.Chunk, depth int, lines *lineIndex, raw []finding.Finding, rawSpans []span) (decoded []finding.Finding, replaced []span) {
	data := c.Data
	own := len(data) - c.Tail
	offset := len(raw) - len(rawSpans)
	var specific []span
	for i, f := range raw[offset:] {
		if !isGeneric(f.Tags) {
			specific = append(specific, rawSpans[i])
		}
	}
	var out []finding.Finding
	for _, run := range findEncoded(data) {
		if run.start >= own || run.end <= c.Head || overlapsAny(span{run.start, run.end}, specific) {
			continue
		}
		ls, le := lineBoundsWithin(data, run.start, run.end, decodeContextBefore, decodeContextAfter)
		// The run's line, with the run replaced by what it decodes to. Only
		// a little of the line on each side is kept: enough for the key a
		// rule wants before the value, and the cost of a run stays its own
		// size even on a megabyte line holding thousands of runs.
		line := make([]byte, 0, le-ls+len(run.decoded))
		line = append(line, data[ls:run.start]...)
		line = append(line, run.decoded...)
		line = append(line, data[run.end:le]...)
		sub := finding.Chunk{Origin: c.Origin, Data: line}
		fs := e.detect(sub, depth+1)
		if len(fs) == 0 {
			continue
		}
		lineNo, col := lines.position(run.start)
		endLine, endCol := lines.position(run.end)
		for _, f := range fs {
			// A secret visible without decoding was already reported.
			if bytes.Contains(data[ls:le], []byte(f.Secret)) {
				continue
			}
			// A secret found in this decoding lies in what the run decodes
			// to: one that runs on into the text around it is a value the
			// run only seemed to encode (a password whose first 16
			// characters happen to be base64 of printable bytes), and the
			// raw value stands.
			if !isDecoded(f.Tags) && !bytes.Contains(run.decoded, []byte(f.Secret)) {
				continue
			}
			f.Location.Line, f.Location.Column = lineNo, col
			f.Location.EndLine, f.Location.EndColumn = endLine, endCol
			f.Location.Offset = c.ItemOffset(run.start)
			f.Tags = append(append([]string(nil), f.Tags...), "decoded:"+run.encoding)
			out = append(out, f)
			// The secret is what the run decodes to: a generic match of
			// the encoded text itself is dropped for it.
			replaced = append(replaced, span{run.start, run.end})
		}
	}
	return out, replaced
}
