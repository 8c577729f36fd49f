package detectors

import (
	"encoding/base64"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// naiveRuns is the plain byte-by-byte search for decodable runs that
// findEncoded's skipping scan must agree with.
func naiveRuns(data []byte) []encodedRun {
	var runs []encodedRun
	for i := 0; i < len(data); {
		if !base64Bytes[data[i]] {
			i++
			continue
		}
		j := i
		for j < len(data) && base64Bytes[data[j]] {
			j++
		}
		end := j
		for end < len(data) && end-j < 2 && data[end] == '=' {
			end++
		}
		if j-i >= minBase64Run {
			if dec, enc := decodeRun(data[i:j], data[j:end]); dec != nil {
				runs = append(runs, encodedRun{start: i, end: end, decoded: dec, encoding: enc})
			}
		}
		i = max(end, j+1)
	}
	return runs
}

func TestFindEncodedMatchesNaiveScan(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	words := []string{"func ", "token", " = ", "\n", "\"", "==", "x", "AbCdEfGh12345678", "a_b-c/d+e", "\xc3\xa9", "\x00", "Zz09+/-_", "@[`{", ":;<>?"}
	for iter := 0; iter < 500; iter++ {
		var b []byte
		for len(b) < 400 {
			if rng.IntN(6) == 0 {
				b = append(b, base64.StdEncoding.EncodeToString([]byte("password: Zx9Qw8Er7Ty6"+string(rune('a'+rng.IntN(26)))))...)
			} else {
				b = append(b, words[rng.IntN(len(words))]...)
			}
		}
		got, want := findEncoded(b), naiveRuns(b)
		// findEncoded also returns percent and escape runs; compare base64/hex ones.
		var gotB []encodedRun
		for _, r := range got {
			if r.encoding == "base64" || r.encoding == "hex" {
				gotB = append(gotB, r)
			}
		}
		if len(gotB) != len(want) {
			t.Fatalf("%q: %d runs, want %d", b, len(gotB), len(want))
		}
		for i := range want {
			if gotB[i].start != want[i].start || gotB[i].end != want[i].end || string(gotB[i].decoded) != string(want[i].decoded) {
				t.Fatalf("%q: run %d = [%d,%d), want [%d,%d)", b, i, gotB[i].start, gotB[i].end, want[i].start, want[i].end)
			}
		}
	}
}

// TestPercentEncoded: escapes of characters a URL reserves are decoded;
// a % before hex digits that would spell a letter is a character of the
// value, unless the value is escaped throughout.
func TestPercentEncoded(t *testing.T) {
	t.Parallel()
	for run, want := range map[string]bool{
		"https://deploy:p%40ss%21w0rd@git.corp.io": true,  // @ and !
		"q=a%20b&next=%2Fhome":                     true,  // space and /
		"k=%74%6F%6B%5F%61%62":                     true,  // everything escaped
		"password=USXv$%48Y3RFtm@Zg4!X":            false, // %48 is "H": no encoder writes that
		"DeOU2#1z79%7b7^v!m4l":                     true,  // %7b is "{": could be either; decoded
		"abc%41def":                                false,
	} {
		if got := percentEncoded([]byte(run)); got != want {
			t.Errorf("percentEncoded(%q) = %v, want %v", run, got, want)
		}
	}
}

// TestAlphabetWord checks the word-at-once alphabet test against the
// table for every byte value in every position of the word, and on
// random words of alphabet bytes with a few others mixed in.
func TestAlphabetWord(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	alphabet := []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_")
	for iter := 0; iter < 200000; iter++ {
		var w [8]byte
		want := true
		for k := range w {
			if rng.IntN(16) == 0 {
				w[k] = byte(rng.IntN(256))
			} else {
				w[k] = alphabet[rng.IntN(len(alphabet))]
			}
			want = want && base64Bytes[w[k]]
		}
		if got := alphabetWord(binary.LittleEndian.Uint64(w[:])); got != want {
			t.Fatalf("alphabetWord(%q) = %v, want %v", w, got, want)
		}
	}
	for pos := 0; pos < 8; pos++ {
		for b := 0; b < 256; b++ {
			w := []byte("AAAAAAAA")
			w[pos] = byte(b)
			x := uint64(0)
			for k := 7; k >= 0; k-- {
				x = x<<8 | uint64(w[k])
			}
			if got := alphabetWord(x); got != base64Bytes[b] {
				t.Fatalf("alphabetWord(%q) = %v, want %v", w, got, base64Bytes[b])
			}
		}
	}
}

// TestHeadHasControlMatchesDecoder: decoding a run's head in place agrees
// with encoding/base64 in each alphabet.
func TestHeadHasControlMatchesDecoder(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	for _, c := range []struct {
		alphabet string
		enc      *base64.Encoding
	}{{letters + "+/", base64.RawStdEncoding}, {letters + "-_", base64.RawURLEncoding}} {
		control := 0
		for iter := 0; iter < 20000; iter++ {
			run := make([]byte, 16)
			for i := range run {
				run[i] = c.alphabet[rng.IntN(len(c.alphabet))]
			}
			head, err := c.enc.DecodeString(string(run))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := headHasControl(run), hasControl(head); got != want {
				t.Fatalf("headHasControl(%q) = %v, want %v (decoded %q)", run, got, want, head)
			}
			if hasControl(head) {
				control++
			}
		}
		if control == 0 || control == 20000 {
			t.Fatalf("%d of 20000 random heads hold a control byte: the test checks one answer only", control)
		}
	}
}
