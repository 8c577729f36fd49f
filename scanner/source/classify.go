package source

import (
	"bytes"
	"encoding/binary"
)

// Class is what an item's content is, as far as scanning it goes. It is
// decided from the content's first bytes, never from its name, by one
// function every source calls through ReadChunks, so every source agrees.
type Class uint8

// Content classes.
const (
	// Text is scanned as it is, with lines and columns.
	Text Class = iota
	// UTF16LE and the other Unicode encodings are decoded to UTF-8 and
	// scanned as text.
	UTF16LE
	UTF16BE
	UTF32LE
	UTF32BE
	// Media (images, audio, video, fonts) can't hold text a person typed:
	// it is skipped, with its kind named.
	Media
	// Binary is anything else (executables, class files, databases): its
	// printable strings are scanned, with byte offsets and no lines.
	Binary
)

func (c Class) String() string {
	switch c {
	case Text:
		return "text"
	case UTF16LE:
		return "utf-16le"
	case UTF16BE:
		return "utf-16be"
	case UTF32LE:
		return "utf-32le"
	case UTF32BE:
		return "utf-32be"
	case Media:
		return "media"
	}
	return "binary"
}

// SniffLen is how much of an item Classify looks at.
const SniffLen = 8000

// Classify tells the class of content from its first bytes (SniffLen are
// enough); for Media it also names the kind ("png", "mp4", "ttf").
func Classify(head []byte) (Class, string) {
	if len(head) > SniffLen {
		head = head[:SniffLen]
	}
	// A byte-order mark first: UTF-16 text of ASCII is half NULs, which
	// would make it binary below.
	switch {
	case bytes.HasPrefix(head, []byte{0xff, 0xfe, 0, 0}) && unicodeText(head[4:], UTF32LE):
		return UTF32LE, ""
	case bytes.HasPrefix(head, []byte{0, 0, 0xfe, 0xff}) && unicodeText(head[4:], UTF32BE):
		return UTF32BE, ""
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}) && unicodeText(head[2:], UTF16LE):
		return UTF16LE, ""
	case bytes.HasPrefix(head, []byte{0xfe, 0xff}) && unicodeText(head[2:], UTF16BE):
		return UTF16BE, ""
	}
	if isText(head) {
		return Text, ""
	}
	// UTF-16 without a byte-order mark, as Windows tools write it: ASCII
	// characters each followed (LE) or preceded (BE) by a NUL.
	if c := interleaved(head); c != Text {
		return c, ""
	}
	if kind := media(head); kind != "" {
		return Media, kind
	}
	return Binary, ""
}

// isText is the text test: no NUL byte, and at most a tenth control bytes.
// Text, UTF-8 or not (Latin-1 and other 8-bit text is common in old
// files), is rarely more than a tenth control bytes. A NUL is looked for
// in all of head (a vector search, cheap); control bytes are counted one
// by one, in the first controlSniffLen only: counting all 8000 took a
// twentieth of a history scan. A binary without a NUL in 8000 bytes is
// rare, and scanned as text it still has all its strings scanned.
func isText(head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	head = head[:min(len(head), controlSniffLen)]
	return controlBytes(head)*10 <= len(head)
}

// controlSniffLen is how many of an item's first bytes isText counts the
// control bytes of.
const controlSniffLen = 2048

// controlBytes counts head's control bytes. Eight bytes none of which is
// below 0x20 (most of any text: line ends and tabs are the exceptions)
// are passed over at once; x-0x20 in each byte borrows, setting its high
// bit, only where a byte is below 0x20 (&^x drops bytes at 0x80 and up).
func controlBytes(head []byte) int {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	ctrl, i := 0, 0
	for ; i+8 <= len(head); i += 8 {
		x := binary.LittleEndian.Uint64(head[i:])
		if (x-ones*0x20)&^x&high == 0 {
			continue
		}
		for _, b := range head[i : i+8] {
			ctrl += int(controlByte[b])
		}
	}
	for _, b := range head[i:] {
		ctrl += int(controlByte[b])
	}
	return ctrl
}

// controlByte is 1 for the control bytes text does not use (a table: this
// runs over the head of every file).
var controlByte = func() (t [256]uint8) {
	for b := 0; b < 0x20; b++ {
		switch b {
		case '\n', '\r', '\t', '\f', 0x1b:
		default:
			t[b] = 1
		}
	}
	return t
}()

// unicodeText checks that what follows a byte-order mark reads as text in
// that encoding (at most a tenth control characters), so a binary that
// happens to start with FF FE is not decoded as text.
func unicodeText(b []byte, c Class) bool {
	w := 2
	if c == UTF32LE || c == UTF32BE {
		w = 4
	}
	units, ctrl := 0, 0
	for i := 0; i+w <= len(b); i += w {
		var u uint32
		switch c {
		case UTF16LE:
			u = uint32(binary.LittleEndian.Uint16(b[i:]))
		case UTF16BE:
			u = uint32(binary.BigEndian.Uint16(b[i:]))
		case UTF32LE:
			u = binary.LittleEndian.Uint32(b[i:])
		case UTF32BE:
			u = binary.BigEndian.Uint32(b[i:])
		}
		units++
		if (u < 0x20 && controlByte[u] == 1) || u > 0x10ffff {
			ctrl++
		}
	}
	return ctrl*10 <= units
}

// interleaved recognises UTF-16 text without a byte-order mark: nine in
// ten 16-bit units an ASCII text character with a NUL high byte. Binaries
// holding UTF-16 strings among other data don't pass; their strings are
// found as printable runs.
func interleaved(head []byte) Class {
	units := len(head) / 2
	if units < 8 {
		return Text
	}
	le, be := 0, 0
	for i := 0; i+1 < len(head); i += 2 {
		a, b := head[i], head[i+1]
		if b == 0 && printable[a] {
			le++
		} else if a == 0 && printable[b] {
			be++
		}
	}
	switch {
	case le*10 >= units*9:
		return UTF16LE
	case be*10 >= units*9:
		return UTF16BE
	}
	return Text
}

// media names the kind of media content by its magic bytes, or returns ""
// for anything else. Only formats whose content is pixels, samples or
// glyph outlines are named; a weak signature is checked further, since
// naming a binary media skips it.
func media(h []byte) string {
	has := func(off int, sig string) bool {
		return len(h) >= off+len(sig) && string(h[off:off+len(sig)]) == sig
	}
	switch {
	case has(0, "\x89PNG\r\n\x1a\n"):
		return "png"
	case has(0, "\x8aMNG\r\n\x1a\n"):
		return "mng"
	case has(0, "\xff\xd8\xff"):
		return "jpeg"
	case has(0, "GIF87a"), has(0, "GIF89a"):
		return "gif"
	case has(0, "RIFF") && has(8, "WEBP"):
		return "webp"
	case has(0, "RIFF") && has(8, "WAVE"):
		return "wav"
	case has(0, "RIFF") && has(8, "AVI "):
		return "avi"
	case has(0, "RIFF") && has(8, "RMID"):
		return "midi"
	case has(0, "FORM") && (has(8, "AIFF") || has(8, "AIFC")):
		return "aiff"
	case has(0, "II*\x00"), has(0, "MM\x00*"), has(0, "II+\x00"), has(0, "MM\x00+"):
		return "tiff"
	case has(0, "II\xbc\x01"):
		return "jpeg-xr"
	case has(0, "8BPS"):
		return "psd"
	case has(0, "icns"):
		return "icns"
	case has(0, "qoif"):
		return "qoi"
	case has(0, "\x76\x2f\x31\x01"):
		return "exr"
	case has(0, "DDS "):
		return "dds"
	case has(0, "\x00\x00\x00\x0cjP  \r\n\x87\n"):
		return "jpeg2000"
	case has(0, "\xff\x4f\xff\x51"):
		return "jpeg2000"
	case has(0, "\x00\x00\x00\x0cJXL \r\n\x87\n"), has(0, "\xff\x0a"):
		return "jpeg-xl"
	case has(4, "ftyp"):
		return isoMedia(h)
	case len(h) >= 8 && (has(4, "moov") || has(4, "mdat") || has(4, "wide")) && binary.BigEndian.Uint32(h) >= 8:
		return "mov"
	case has(0, "fLaC"):
		return "flac"
	case has(0, "OggS\x00"):
		return "ogg"
	case has(0, "MThd\x00\x00\x00\x06"):
		return "midi"
	case has(0, "caff"):
		return "caf"
	case has(0, "#!AMR"):
		return "amr"
	case has(0, "wvpk"):
		return "wavpack"
	case has(0, "MAC "):
		return "ape"
	case has(0, "\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9\x00\xaa\x00\x62\xce\x6c"):
		return "asf"
	case has(0, "FLV\x01"):
		return "flv"
	case has(0, "\x1a\x45\xdf\xa3"):
		if bytes.Contains(h[:min(len(h), 64)], []byte("webm")) {
			return "webm"
		}
		return "mkv"
	case has(0, "\x00\x00\x01\xba"), has(0, "\x00\x00\x01\xb3"):
		return "mpeg"
	case len(h) > 376 && h[0] == 0x47 && h[188] == 0x47 && h[376] == 0x47:
		return "mpeg-ts"
	case has(0, "ID3") && len(h) >= 10 && h[3] >= 2 && h[3] <= 4 && h[4] != 0xff:
		return "mp3"
	case len(h) >= 4 && h[0] == 0xff && h[1]&0xe0 == 0xe0:
		return mpegAudio(h)
	case has(0, "OTTO"):
		return "otf"
	case has(0, "\x00\x01\x00\x00"), has(0, "true"):
		if sfnt(h) {
			return "ttf"
		}
	case has(0, "ttcf"):
		return "ttc"
	case has(0, "wOFF"):
		return "woff"
	case has(0, "wOF2"):
		return "woff2"
	case len(h) >= 22 && (has(0, "\x00\x00\x01\x00") || has(0, "\x00\x00\x02\x00")):
		// ICO and CUR: a count and 16-byte entries whose reserved byte is
		// zero and whose colour planes (ICO) are 0 or 1.
		if n := binary.LittleEndian.Uint16(h[4:]); n > 0 && h[9] == 0 && (h[2] == 2 || h[10] <= 1 && h[11] == 0) {
			if h[2] == 1 {
				return "ico"
			}
			return "cur"
		}
	case has(0, "BM") && len(h) >= 18:
		// BMP: two reserved 16-bit fields that are zero, then a DIB header
		// of one of the sizes the format defines.
		switch binary.LittleEndian.Uint32(h[14:]) {
		case 12, 40, 52, 56, 64, 108, 124:
			if binary.LittleEndian.Uint32(h[6:]) == 0 {
				return "bmp"
			}
		}
	}
	return ""
}

// isoMedia names an ISO base media file (MP4 and its relatives) by its
// major brand.
func isoMedia(h []byte) string {
	if len(h) < 12 {
		return "mp4"
	}
	switch string(h[8:12]) {
	case "heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1":
		return "heic"
	case "avif", "avis":
		return "avif"
	case "qt  ":
		return "mov"
	case "M4A ", "M4B ", "M4P ", "F4A ":
		return "m4a"
	case "crx ":
		return "cr3"
	case "jp2 ", "jpx ", "jpm ":
		return "jpeg2000"
	case "3gp4", "3gp5", "3gp6", "3g2a":
		return "3gp"
	}
	return "mp4"
}

// mpegAudio checks an MPEG audio frame header (MP3 without an ID3 tag, or
// AAC in ADTS): two bytes of sync are weak, so the version, layer, bitrate
// and sample rate fields must hold valid values.
func mpegAudio(h []byte) string {
	version := h[1] >> 3 & 3
	layer := h[1] >> 1 & 3
	if layer == 0 {
		// ADTS: MPEG-4 or MPEG-2 AAC, layer bits always zero; a valid
		// sampling frequency index.
		if h[1]&0xf6 == 0xf0 && h[2]>>2&0xf < 13 {
			return "aac"
		}
		return ""
	}
	bitrate := h[2] >> 4
	rate := h[2] >> 2 & 3
	if version == 1 || bitrate == 0 || bitrate == 15 || rate == 3 {
		return ""
	}
	return "mp3"
}

// sfnt checks a TrueType/OpenType table directory: a table count and the
// search range derived from it, as every font writes them.
func sfnt(h []byte) bool {
	if len(h) < 12 {
		return false
	}
	n := binary.BigEndian.Uint16(h[4:])
	if n == 0 || n > 128 {
		return false
	}
	p := uint16(1)
	for p*2 <= n {
		p *= 2
	}
	return binary.BigEndian.Uint16(h[6:]) == 16*p
}
