package archive

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/zlib"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/finding"
)

// pdfObject is one indirect object of a test PDF: a dictionary, and a
// stream when data is set.
type pdfObject struct {
	dict string
	data []byte
}

// makePDF writes a PDF with the objects numbered from 1, in the shape
// writers give them ("N 0 obj << ... >> stream ... endstream endobj").
func makePDF(trailer string, objs ...pdfObject) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	for i, o := range objs {
		fmt.Fprintf(&b, "%d 0 obj\n<< %s", i+1, o.dict)
		if o.data == nil {
			b.WriteString(" >>\nendobj\n")
			continue
		}
		fmt.Fprintf(&b, " /Length %d >>\nstream\r\n", len(o.data))
		b.Write(o.data)
		b.WriteString("\nendstream\nendobj\n")
	}
	fmt.Fprintf(&b, "trailer\n<< /Root 1 0 R %s >>\n%%%%EOF\n", trailer)
	return b.Bytes()
}

func zlibBytes(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write([]byte(s))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func rawDeflate(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	fw, _ := flate.NewWriter(&b, flate.BestCompression)
	fw.Write([]byte(s))
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pageText is a page content stream drawing the token on its third line.
func pageText(tok string) string {
	return "BT\n/F1 12 Tf 72 712 Td\n(api key: " + tok + ") Tj\nET\n"
}

func TestPDFStreams(t *testing.T) {
	t.Parallel()
	page, info, raw, img, a85 := detectortest.Token(), detectortest.Token(), detectortest.Token(), detectortest.Token(), detectortest.Token()
	doc := makePDF("/Info 2 0 R",
		pdfObject{dict: "/Type /Catalog /Pages 3 0 R"},
		pdfObject{dict: "/Author (" + info + ")"},
		pdfObject{dict: "/Filter /FlateDecode", data: zlibBytes(t, pageText(page))},
		pdfObject{dict: "/Filter [/FlateDecode]", data: rawDeflate(t, "stream without a zlib header "+raw+"\n")},
		pdfObject{dict: "/Type /XObject /Subtype /Image /Width 8 /Height 8 /Filter /FlateDecode", data: zlibBytes(t, img)},
		pdfObject{dict: "/Filter [/ASCII85Decode /FlateDecode]", data: []byte("9jqo^BlbD-BleB1DJ+*+F(f,q/0JhKF<GL>Cj@.4Gp$d7F!,L7@<6@)/0JDEF<G%<+EV:2F!,O<~>" + a85)},
	)
	ctx := context.Background()
	// The same whichever way the PDF arrives: on disk, in memory, or as
	// a stream (spooled).
	ways := map[string]func(rec *recorder){
		"file": func(rec *recorder) {
			if ok, err := ScanFile(ctx, bytes.NewReader(doc), doc[:HeadLen], int64(len(doc)), finding.Origin{Path: "doc.pdf"}, Options{}, rec); !ok || err != nil {
				t.Fatalf("ScanFile: %v %v", ok, err)
			}
		},
		"content": func(rec *recorder) {
			Content(ctx, bytes.NewReader(doc), int64(len(doc)), finding.Origin{Path: "doc.pdf"}, Options{}, rec)
		},
		"stream": func(rec *recorder) {
			if ok, err := Scan(ctx, bufio.NewReader(strings.NewReader(string(doc))), finding.Origin{Path: "doc.pdf"}, Options{}, rec); !ok || err != nil {
				t.Fatalf("Scan: %v %v", ok, err)
			}
		},
	}
	for name, scan := range ways {
		rec := newRecorder()
		scan(rec)
		if len(rec.problems) != 0 {
			t.Errorf("%s: problems %v", name, rec.problems)
		}
		want := map[string]string{
			page: "doc.pdf!/3 0 obj", // inflated
			info: "doc.pdf",          // in the raw file
			raw:  "doc.pdf!/4 0 obj", // raw deflate, no zlib header
			a85:  "doc.pdf",          // not inflated, but printable
			img:  "",                 // pixels: not inflated
		}
		for tok, where := range want {
			if got := rec.found(tok); got != where {
				t.Errorf("%s: token found in %q, want %q", name, got, where)
			}
		}
		if rec.skips["doc.pdf!/5 0 obj"] != "media: pdf image" {
			t.Errorf("%s: skips %v", name, rec.skips)
		}
		// The page is text: its lines are the stream's lines.
		if o := rec.origins["doc.pdf!/3 0 obj"]; o.Archive != "doc.pdf" || o.Path != "3 0 obj" {
			t.Errorf("%s: origin %+v", name, o)
		}
		if !strings.HasPrefix(rec.content["doc.pdf!/3 0 obj"], "BT\n/F1 12 Tf") {
			t.Errorf("%s: page content %q", name, rec.content["doc.pdf!/3 0 obj"])
		}
	}
}

func TestPDFProblems(t *testing.T) {
	t.Parallel()
	tok := detectortest.Token()
	ctx := context.Background()
	scan := func(doc []byte, opts Options) *recorder {
		rec := newRecorder()
		Content(ctx, bytes.NewReader(doc), int64(len(doc)), finding.Origin{Path: "doc.pdf"}, opts, rec)
		return rec
	}
	good := zlibBytes(t, pageText(tok))
	corrupt := append(append([]byte(nil), good[:len(good)/2]...), bytes.Repeat([]byte{0xff}, 40)...)

	// A corrupt stream: what inflates is scanned, and the failure is one
	// problem for the file, naming the object.
	rec := scan(makePDF("", pdfObject{dict: "/Type /Catalog"}, pdfObject{dict: "/Filter /FlateDecode", data: corrupt}, pdfObject{dict: "/Filter /FlateDecode", data: corrupt}), Options{})
	if p := rec.problems["doc.pdf"]; !strings.Contains(p, "2 Flate streams could not be inflated") || !strings.Contains(p, "2 0 obj") {
		t.Errorf("corrupt streams: problems %v", rec.problems)
	}

	// Encrypted: the streams are not inflated, and that is said.
	rec = scan(makePDF("/Encrypt 9 0 R", pdfObject{dict: "/Type /Catalog"}, pdfObject{dict: "/Filter /FlateDecode", data: good}), Options{})
	if rec.skips["doc.pdf"] != "encrypted pdf streams" || len(rec.problems) != 0 || rec.found(tok) != "" {
		t.Errorf("encrypted: skips %v problems %v", rec.skips, rec.problems)
	}

	// Past the inflate limit the rest is not scanned, and that is said.
	big := zlibBytes(t, strings.Repeat("filler text line, quite compressible\n", 2000)) // 74 kB inflated
	rec = scan(makePDF("", pdfObject{dict: "/Type /Catalog"}, pdfObject{dict: "/Filter /FlateDecode", data: big}, pdfObject{dict: "/Filter /FlateDecode", data: good}), Options{MaxPDFInflate: 50_000})
	if p := rec.problems["doc.pdf!/2 0 obj"]; !strings.Contains(p, "pdf streams inflate to more than 50000 bytes") || len(rec.problems) != 1 {
		t.Errorf("limit: problems %v", rec.problems)
	}
	if rec.found(tok) != "" {
		t.Errorf("limit: stream after the limit was scanned")
	}

	// Past the archive depth limit, only the raw PDF is scanned.
	z := makeZip(t, entry{name: "docs/doc.pdf", data: makePDF("", pdfObject{dict: "/Author (" + tok + ")"}, pdfObject{dict: "/Filter /FlateDecode", data: zlibBytes(t, pageText(detectortest.Token()))})})
	rec = newRecorder()
	Content(ctx, bytes.NewReader(z), int64(len(z)), finding.Origin{Path: "a.zip"}, Options{Depth: 1}, rec)
	if rec.found(tok) != "a.zip!/docs/doc.pdf" || rec.skips["a.zip!/docs/doc.pdf"] != "pdf streams nested deeper than the archive depth limit" {
		t.Errorf("depth: content %v skips %v", rec.content, rec.skips)
	}
	rec = newRecorder()
	Content(ctx, bytes.NewReader(z), int64(len(z)), finding.Origin{Path: "a.zip"}, Options{}, rec)
	if _, ok := rec.content["a.zip!/docs/doc.pdf!/2 0 obj"]; !ok || len(rec.skips) != 0 {
		t.Errorf("in a zip: content %v skips %v", rec.content, rec.skips)
	}
}

// TestPDFWindowEdges puts a stream's keyword across the edge of the
// windows the PDF is searched in, at every cut.
func TestPDFWindowEdges(t *testing.T) {
	t.Parallel()
	for cut := -12; cut <= 4; cut++ {
		tok := detectortest.Token()
		// Filler in an uncompressed object pushes the stream keyword of
		// object 3 to the window edge.
		head := makePDF("", pdfObject{dict: "/Type /Catalog"}, pdfObject{dict: "/Filler (", data: nil})
		prefix := len(head) - len(" >>\nendobj\ntrailer\n<< /Root 1 0 R  >>\n%%EOF\n")
		obj3 := "3 0 obj\n<< /Filter /FlateDecode /Length 10 >>\n"
		fill := pdfWindow + cut - prefix - len(") >>\nendobj\n") - len(obj3)
		doc := makePDF("", pdfObject{dict: "/Type /Catalog"}, pdfObject{dict: "/Filler (" + strings.Repeat("x", fill) + ")"}, pdfObject{dict: "/Filter /FlateDecode", data: zlibBytes(t, pageText(tok))})
		if at := bytes.Index(doc, []byte(">>\nstream")) + 3; at != pdfWindow+cut {
			t.Fatalf("cut %d: keyword at %d, want %d", cut, at, pdfWindow+cut)
		}
		rec := newRecorder()
		Content(context.Background(), bytes.NewReader(doc), int64(len(doc)), finding.Origin{Path: "doc.pdf"}, Options{}, rec)
		if got := rec.found(tok); got != "doc.pdf!/3 0 obj" || len(rec.problems) != 0 {
			t.Errorf("cut %d: found in %q, problems %v", cut, got, rec.problems)
		}
	}
}
