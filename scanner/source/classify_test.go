package source

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf16"
)

func TestClassifyMedia(t *testing.T) {
	t.Parallel()
	pad := func(head string) []byte { return append([]byte(head), make([]byte, 600)...) }
	le16 := func(v uint16) string { return string(binary.LittleEndian.AppendUint16(nil, v)) }
	le32 := func(v uint32) string { return string(binary.LittleEndian.AppendUint32(nil, v)) }
	ts := make([]byte, 600)
	ts[0], ts[188], ts[376] = 0x47, 0x47, 0x47
	cases := []struct {
		name string
		head []byte
		want string
	}{
		{"png", pad("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "png"},
		{"jpeg", pad("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "jpeg"},
		{"gif", pad("GIF89a\x01\x00\x01\x00\x80\x00\x00"), "gif"},
		{"webp", pad("RIFF\x24\x00\x00\x00WEBPVP8 "), "webp"},
		{"wav", pad("RIFF\x24\x00\x00\x00WAVEfmt "), "wav"},
		{"avi", pad("RIFF\x24\x00\x00\x00AVI LIST"), "avi"},
		{"bmp", pad("BM" + le32(70) + "\x00\x00\x00\x00" + le32(54) + le32(40)), "bmp"},
		{"ico", pad("\x00\x00\x01\x00\x01\x00\x10\x10\x00\x00\x01\x00\x20\x00"), "ico"},
		{"tiff le", pad("II*\x00\x08\x00\x00\x00"), "tiff"},
		{"tiff be", pad("MM\x00*\x00\x00\x00\x08"), "tiff"},
		{"heic", pad("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"), "heic"},
		{"avif", pad("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00"), "avif"},
		{"mp4", pad("\x00\x00\x00\x20ftypisom\x00\x00\x02\x00"), "mp4"},
		{"mov", pad("\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00"), "mov"},
		{"m4a", pad("\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00"), "m4a"},
		{"mp3 id3", pad("ID3\x04\x00\x00\x00\x00\x00\x00"), "mp3"},
		{"mp3 frame", pad("\xff\xfb\x90\x64\x00"), "mp3"},
		{"aac", pad("\xff\xf1\x50\x80\x00"), "aac"},
		{"flac", pad("fLaC\x00\x00\x00\x22"), "flac"},
		{"ogg", pad("OggS\x00\x02\x00\x00"), "ogg"},
		{"mkv", pad("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01matroska"), "mkv"},
		{"webm", pad("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm"), "webm"},
		{"mpeg-ts", ts, "mpeg-ts"},
		{"ttf", pad("\x00\x01\x00\x00\x00\x0a\x00\x80\x00\x03\x00\x20"), "ttf"},
		{"otf", pad("OTTO\x00\x0a\x00\x80"), "otf"},
		{"woff", pad("wOFF\x00\x01\x00\x00"), "woff"},
		{"woff2", pad("wOF2\x00\x01\x00\x00"), "woff2"},
		{"psd", pad("8BPS\x00\x01"), "psd"},
		{"flv", pad("FLV\x01\x05\x00\x00\x00\x09"), "flv"},
		{"asf", pad("\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9\x00\xaa\x00\x62\xce\x6c"), "asf"},
		// Weak signatures that don't check out are not media.
		{"bmp-like", pad("BM" + le32(70) + "\x01\x00\x00\x00" + le32(54) + le32(40)), ""},
		{"ico-like", pad("\x00\x00\x01\x00\x00\x00\x10\x10"), ""},
		{"ttf-like", pad("\x00\x01\x00\x00\x00\x0a\x00\x40"), ""},
		{"mp3-like", pad("\xff\xfb\xf0\x64"), ""},
		{"elf", pad("\x7fELF\x02\x01\x01\x00"), ""},
		{"class", pad("\xca\xfe\xba\xbe\x00\x00\x00\x41"), ""},
		{"sqlite", pad("SQLite format 3\x00" + le16(4096)), ""},
	}
	for _, c := range cases {
		class, kind := Classify(c.head)
		if c.want == "" {
			if class != Binary {
				t.Errorf("%s: class %v %q, want binary", c.name, class, kind)
			}
			continue
		}
		if class != Media || kind != c.want {
			t.Errorf("%s: class %v %q, want media %q", c.name, class, kind, c.want)
		}
	}
	// Text that starts like a signature is text: magic is only looked for
	// in content that is not text.
	for _, text := range []string{"BMW parts list\n", "OggS is the Ogg capture pattern\n", "GIF89a was a good year\n", "fLaC\n", "ID3 tags\n"} {
		if class, kind := Classify([]byte(text)); class != Text {
			t.Errorf("%q: class %v %q, want text", text, class, kind)
		}
	}
}

func utf16Bytes(s string, bigEndian, bom bool) []byte {
	var b []byte
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xfeff}, units...)
	}
	for _, u := range units {
		if bigEndian {
			b = binary.BigEndian.AppendUint16(b, u)
		} else {
			b = binary.LittleEndian.AppendUint16(b, u)
		}
	}
	return b
}

func utf32Bytes(s string, bigEndian bool) []byte {
	var b []byte
	for _, r := range "\ufeff" + s {
		if bigEndian {
			b = binary.BigEndian.AppendUint32(b, uint32(r))
		} else {
			b = binary.LittleEndian.AppendUint32(b, uint32(r))
		}
	}
	return b
}

func TestClassifyUnicode(t *testing.T) {
	t.Parallel()
	text := "first line\r\nsecond line: gr\u00fc\u00dfe \u4f60\u597d\r\n"
	cases := []struct {
		name string
		in   []byte
		want Class
	}{
		{"utf-16le bom", utf16Bytes(text, false, true), UTF16LE},
		{"utf-16be bom", utf16Bytes(text, true, true), UTF16BE},
		{"utf-16le no bom", utf16Bytes("plain ascii text, no byte-order mark\r\n", false, false), UTF16LE},
		{"utf-16be no bom", utf16Bytes("plain ascii text, no byte-order mark\r\n", true, false), UTF16BE},
		{"utf-32le", utf32Bytes(text, false), UTF32LE},
		{"utf-32be", utf32Bytes(text, true), UTF32BE},
		// A binary that starts with FF FE but is no text goes on as binary.
		{"ff fe binary", append([]byte{0xff, 0xfe}, bytes.Repeat([]byte{1, 0, 2, 0, 3, 0}, 100)...), Binary},
		// Mostly NUL-interleaved, but too little of it for text.
		{"sparse wide", []byte(strings.Repeat("A\x00\x01\x02", 50)), Binary},
	}
	for _, c := range cases {
		if got, _ := Classify(c.in); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestControlBytesCountsLikeTheTable: the eight-bytes-at-once count must
// equal the byte-by-byte one on every byte value in every position, and
// on random text with control bytes, NULs and high bytes mixed in.
func TestControlBytesCountsLikeTheTable(t *testing.T) {
	t.Parallel()
	slow := func(b []byte) int {
		n := 0
		for _, c := range b {
			n += int(controlByte[c])
		}
		return n
	}
	for pos := 0; pos < 8; pos++ {
		for c := 0; c < 256; c++ {
			b := []byte("abcdefghijk")
			b[pos] = byte(c)
			if got, want := controlBytes(b), slow(b); got != want {
				t.Fatalf("controlBytes(%q) = %d, want %d", b, got, want)
			}
		}
	}
	rnd := rand.New(rand.NewPCG(7, 8))
	for iter := 0; iter < 2000; iter++ {
		b := make([]byte, rnd.IntN(100))
		for i := range b {
			if rnd.IntN(4) == 0 {
				b[i] = byte(rnd.IntN(256))
			} else {
				b[i] = byte('a' + rnd.IntN(26))
			}
		}
		if got, want := controlBytes(b), slow(b); got != want {
			t.Fatalf("controlBytes(%q) = %d, want %d", b, got, want)
		}
	}
}
