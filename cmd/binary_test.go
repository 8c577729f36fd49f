package cmd

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/leakhound/leakhound/detectors/detectortest"
)

// binFinding is the part of a JSON finding these tests look at.
type binFinding struct {
	RuleID  string `json:"rule_id"`
	Secret  string `json:"secret"`
	File    string `json:"file"`
	Archive string `json:"archive"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Offset  int64  `json:"offset"`
}

// scanOne scans dir with the built-in rules, revealed, and returns the
// exit code, the findings and stderr.
func scanOne(t *testing.T, dir string, args ...string) (int, []binFinding, string) {
	t.Helper()
	code, out, errOut := run(t, "", append([]string{"dir", dir, "--format", "json", "--reveal"}, args...)...)
	var fs []binFinding
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatalf("bad JSON %q: %v (stderr %s)", out, err, errOut)
	}
	return code, fs, errOut
}

// findOne returns the one finding of secret, failing the test unless the
// scan exited 1 with it.
func findOne(t *testing.T, code int, fs []binFinding, errOut, secret string) binFinding {
	t.Helper()
	if code != ExitFindings {
		t.Fatalf("exit %d, want 1; stderr: %s", code, errOut)
	}
	var got []binFinding
	for _, f := range fs {
		if f.Secret == secret {
			got = append(got, f)
		}
	}
	if len(got) != 1 {
		t.Fatalf("secret found %d times, want once: %+v", len(got), fs)
	}
	return got[0]
}

func utf16Text(s string, bigEndian bool) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune("\ufeff" + s)) {
		if bigEndian {
			b = binary.BigEndian.AppendUint16(b, u)
		} else {
			b = binary.LittleEndian.AppendUint16(b, u)
		}
	}
	return b
}

// TestLargeAndUTF16TextFound covers two files other scanners report and
// leakhound used to skip in silence: a one-line file over the old 10 MiB
// default limit with a token at its end, and UTF-16 text (a byte-order
// mark, then NULs between ASCII characters).
func TestLargeAndUTF16TextFound(t *testing.T) {
	t.Parallel()
	t.Run("large one line", func(t *testing.T) {
		t.Parallel()
		tok := detectortest.GitHubToken("ghp_")
		pad := 12 << 20
		dir := t.TempDir()
		line := append(bytes.Repeat([]byte("a"), pad), " "+tok+"\n"...)
		if err := os.WriteFile(filepath.Join(dir, "dump.txt"), line, 0o644); err != nil {
			t.Fatal(err)
		}
		code, fs, errOut := scanOne(t, dir)
		f := findOne(t, code, fs, errOut, tok)
		if f.File != "dump.txt" || f.Line != 1 || f.Column != pad+2 || f.Offset != int64(pad+1) {
			t.Errorf("finding %+v, want dump.txt line 1 column %d offset %d", f, pad+2, pad+1)
		}
		// A limit the user sets still skips it, and the summary says so.
		code, fs, errOut = scanOne(t, dir, "--max-file-size", "10MiB")
		if code != ExitClean || len(fs) != 0 || !strings.Contains(errOut, "too large 1") {
			t.Errorf("--max-file-size 10MiB: exit %d, %d findings, stderr %s", code, len(fs), errOut)
		}
	})
	for _, bigEndian := range []bool{false, true} {
		name := map[bool]string{false: "utf-16le", true: "utf-16be"}[bigEndian]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tok := detectortest.GitHubToken("ghp_")
			text := "# settings\r\nuser = deploy\r\ntoken = " + tok + "\r\n"
			dir := t.TempDir()
			data := utf16Text(text, bigEndian)
			if !bigEndian && !bytes.HasPrefix(data, []byte{0xff, 0xfe, '#', 0}) {
				t.Fatalf("not UTF-16LE with a byte-order mark: % x", data[:4])
			}
			if err := os.WriteFile(filepath.Join(dir, "settings.ini"), data, 0o644); err != nil {
				t.Fatal(err)
			}
			code, fs, errOut := scanOne(t, dir)
			f := findOne(t, code, fs, errOut, tok)
			want := int64(2 + 2*strings.Index(text, tok)) // after the byte-order mark, two bytes a character
			if f.File != "settings.ini" || f.Line != 3 || f.Column != 9 || f.Offset != want {
				t.Errorf("finding %+v, want settings.ini line 3 column 9 offset %d", f, want)
			}
		})
	}
}

// TestCompiledBinaryFound builds a real executable with a token in a
// string constant and scans it: a finding with the token's byte offset
// and no line.
func TestCompiledBinaryFound(t *testing.T) {
	t.Parallel()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	tok := detectortest.GitHubToken("ghp_")
	src := t.TempDir()
	// Go packs string constants end to end in the binary, so the token
	// is given the context a config line would have: a bare token between
	// other strings has no word boundary for the rule to see.
	prog := fmt.Sprintf("package main\n\nimport \"os\"\n\nconst config = \"GITHUB_TOKEN=%s\\n\"\n\nfunc main() { os.Stdout.WriteString(config) }\n", tok)
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module tokenapp\n\ngo 1.21\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	exe := filepath.Join(dir, "tokenapp")
	build := exec.Command(gobin, "build", "-trimpath", "-o", exe, ".")
	build.Dir = src
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=", "GOTOOLCHAIN=local", "GOOS=linux")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("\x7fELF")) {
		t.Fatalf("not an ELF binary")
	}
	code, fs, errOut := scanOne(t, dir)
	f := findOne(t, code, fs, errOut, tok)
	if f.File != "tokenapp" || f.Line != 0 || f.Offset <= 0 || !bytes.Equal(data[f.Offset:f.Offset+int64(len(tok))], []byte(tok)) {
		t.Errorf("finding %+v: the token is not at its offset", f)
	}
}

// classFile is a Java class file (the format, not compiled by javac)
// whose constant pool holds s as a UTF-8 constant.
func classFile(s string) []byte {
	b := []byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 65}
	utf8c := func(v string) { b = append(binary.BigEndian.AppendUint16(append(b, 1), uint16(len(v))), v...) }
	b = binary.BigEndian.AppendUint16(b, 7) // constant pool count + 1
	utf8c("com/acme/Config")
	b = append(b, 7, 0, 1) // #2 Class #1
	utf8c("java/lang/Object")
	b = append(b, 7, 0, 3) // #4 Class #3
	utf8c("TOKEN")
	utf8c(s)
	b = append(b, 0, 0x21, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0) // flags, this, super, no interfaces, fields, methods, attributes
	return b
}

// TestBinaryFormats scans formats users leak secrets in: a class file,
// a PDF whose text is in a Flate stream, an xlsx (a zip of XML), and an
// image, which holds no text and is skipped by its magic bytes.
func TestBinaryFormats(t *testing.T) {
	t.Parallel()
	classTok, pdfTok, xlsxTok, pngTok := detectortest.GitHubToken("ghp_"), detectortest.GitHubToken("ghp_"), detectortest.GitHubToken("ghp_"), detectortest.GitHubToken("ghp_")
	class := classFile(classTok)

	var page bytes.Buffer
	zw := zlib.NewWriter(&page)
	zw.Write([]byte("BT\n/F1 12 Tf 72 712 Td\n(token: " + pdfTok + ") Tj\nET\n"))
	zw.Close()
	var pdf bytes.Buffer
	pdf.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	pdf.WriteString("2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n")
	pdf.WriteString("3 0 obj\n<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>\nendobj\n")
	fmt.Fprintf(&pdf, "4 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\r\n", page.Len())
	pdf.Write(page.Bytes())
	pdf.WriteString("\nendstream\nendobj\ntrailer\n<< /Root 1 0 R /Size 5 >>\n%%EOF\n")
	if bytes.Contains(pdf.Bytes(), []byte(pdfTok)) {
		t.Fatal("the token is in the PDF uncompressed")
	}

	var xlsx bytes.Buffer
	xw := zip.NewWriter(&xlsx)
	for name, body := range map[string]string{
		"[Content_Types].xml":  `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"xl/sharedStrings.xml": `<?xml version="1.0" encoding="UTF-8"?>` + "\n<sst>\n<si><t>deploy key</t></si>\n<si><t>" + xlsxTok + "</t></si>\n</sst>\n",
	} {
		w, err := xw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := xw.Close(); err != nil {
		t.Fatal(err)
	}

	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"), " "+pngTok+" "...)

	dir := writeFiles(t, map[string]string{
		"lib/Config.class": string(class),
		"docs/report.pdf":  string(pdf.Bytes()),
		"data/book.xlsx":   string(xlsx.Bytes()),
		"img/logo.png":     string(png),
	})
	code, fs, errOut := scanOne(t, dir)

	f := findOne(t, code, fs, errOut, classTok)
	if want := int64(bytes.Index(class, []byte(classTok))); f.File != "lib/Config.class" || f.Line != 0 || f.Offset != want {
		t.Errorf("class file: %+v, want offset %d", f, want)
	}
	f = findOne(t, code, fs, errOut, pdfTok)
	if f.Archive != "docs/report.pdf" || f.File != "4 0 obj" || f.Line != 3 {
		t.Errorf("pdf: %+v, want docs/report.pdf!/4 0 obj line 3", f)
	}
	f = findOne(t, code, fs, errOut, xlsxTok)
	if f.Archive != "data/book.xlsx" || f.File != "xl/sharedStrings.xml" || f.Line != 4 {
		t.Errorf("xlsx: %+v, want data/book.xlsx!/xl/sharedStrings.xml line 4", f)
	}
	for _, f := range fs {
		if f.Secret == pngTok {
			t.Errorf("a token in an image was reported: %+v", f)
		}
	}
	if !strings.Contains(errOut, "media: png 1") {
		t.Errorf("summary does not name the skipped image: %s", errOut)
	}
}
