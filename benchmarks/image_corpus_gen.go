//go:build ignore

// image_corpus_gen builds the image the image benchmark scans: an OCI image
// layout (and the same image as a docker save tarball) of four gzip layers,
// about 400 MB uncompressed — random binaries, source-like text, a jar and a
// tar.gz of logs, and a layer that deletes a file of an earlier one — with
// five synthetic secrets planted where an image scanner must look.
//
// usage: go run benchmarks/image_corpus_gen.go OUT_DIR
//
// It writes OUT_DIR/layout (OCI layout, gzip layers), OUT_DIR/image.tar
// (docker save format with gzip layers, as go-containerregistry writes it),
// OUT_DIR/docker-save.tar (uncompressed layers, as docker save writes it),
// OUT_DIR/docker-save.tar.gz (that, gzip-compressed), OUT_DIR/many-layers.tar
// and .tar.gz (a second, 16-layer image of text in docker save form) and
// OUT_DIR/corpus.txt (sizes and where the secrets are). The
// secrets are random strings made at generation time; nothing is real.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	crand "crypto/rand"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func password() string {
	const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 24)
	crand.Read(b)
	for i := range b {
		b[i] = a[int(b[i])%len(a)]
	}
	return string(b)
}

var words = strings.Fields(`the a request response handler server client config value user id name
	error return func if else for range map list string int buffer read write open close path file
	context cancel timeout retry count index offset length data result status message log debug info
	cache store load save parse format encode decode hash sum check valid update delete create init`)

// keywordLines exercise the rules' keywords and allowlists without being
// secrets (placeholders, variables, environment lookups).
var keywordLines = []string{
	`password = os.environ["DB_PASSWORD"]`,
	`token: ${GITHUB_TOKEN}`,
	`api_key = config.get("api_key")`,
	`secret := os.Getenv("APP_SECRET")`,
	`// the token is refreshed by the auth middleware`,
	`password: changeme`,
	`AWS_SECRET_ACCESS_KEY=<your-secret-key>`,
}

func text(r *rand.Rand, size int) []byte {
	var b bytes.Buffer
	for b.Len() < size {
		if r.Intn(40) == 0 {
			b.WriteString(keywordLines[r.Intn(len(keywordLines))])
		} else {
			n := 4 + r.Intn(10)
			for i := 0; i < n; i++ {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(words[r.Intn(len(words))])
			}
			fmt.Fprintf(&b, " %d", r.Intn(100000))
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

type file struct {
	name string
	data []byte
}

func tarOf(files []file) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), Typeflag: tar.TypeReg})
		tw.Write(f.data)
	}
	tw.Close()
	return buf.Bytes()
}

func layer(files []file) (v1.Layer, int64) {
	b := tarOf(files)
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	check(err)
	return l, int64(len(b))
}

// writeDockerSave writes the image the way `docker save` does (layers as
// uncompressed tars named by manifest.json), as docker-save.tar and
// gzip-compressed as docker-save.tar.gz (`docker save | gzip`).
// writeManyLayers writes many-layers.tar(.gz): 16 layers of 1,000 text
// files each, uncompressed as docker save writes them, where reading a
// compressed tarball once per layer would cost 16 passes.
func writeManyLayers(out string, r *rand.Rand) int64 {
	img := empty.Image
	var tars [][]byte
	var total int64
	for i := 0; i < 16; i++ {
		var fs []file
		for f := 0; f < 1000; f++ {
			fs = append(fs, file{fmt.Sprintf("l%02d/f%04d.txt", i, f), text(r, 10<<10)})
		}
		l, n := layer(fs)
		total += n
		tars = append(tars, tarOf(fs))
		var err error
		img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: v1.History{CreatedBy: fmt.Sprintf("COPY l%02d /", i)}})
		check(err)
	}
	writeDockerSave(out, "many-layers", img, tars)
	return total
}

func writeDockerSave(out, base string, img v1.Image, layerTars [][]byte) {
	cfg, err := img.RawConfigFile()
	check(err)
	cfgName, err := img.ConfigName()
	check(err)
	files := []file{{cfgName.Hex + ".json", cfg}}
	var paths []string
	for i, lt := range layerTars {
		p := fmt.Sprintf("layer%02d/layer.tar", i)
		paths = append(paths, p)
		files = append(files, file{p, lt})
	}
	manifest := fmt.Sprintf(`[{"Config":%q,"RepoTags":["bench.invalid/app:1"],"Layers":["%s"]}]`, cfgName.Hex+".json", strings.Join(paths, `","`))
	files = append(files, file{"manifest.json", []byte(manifest)})
	data := tarOf(files)
	check(os.WriteFile(filepath.Join(out, base+".tar"), data, 0o644))
	f, err := os.Create(filepath.Join(out, base+".tar.gz"))
	check(err)
	gw := gzip.NewWriter(f)
	_, err = gw.Write(data)
	check(err)
	check(gw.Close())
	check(f.Close())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run benchmarks/image_corpus_gen.go OUT_DIR")
		os.Exit(2)
	}
	out := os.Args[1]
	check(os.MkdirAll(out, 0o755))
	r := rand.New(rand.NewSource(1))
	secrets := map[string]string{}
	plant := func(where string) string {
		s := password()
		secrets[where] = s
		return s
	}

	// Layer 0: binaries (incompressible, skipped by the binary policy).
	var l0 []file
	for i := 0; i < 40; i++ {
		b := make([]byte, 2<<20)
		r.Read(b)
		b[0] = 0x7f // ELF-like, and a NUL soon after
		b[1] = 0
		l0 = append(l0, file{fmt.Sprintf("usr/lib/blob%02d.so", i), b})
	}
	// Layer 1: source-like text, a config with a secret, and a secrets file
	// layer 3 deletes.
	var l1 []file
	for i := 0; i < 16000; i++ {
		l1 = append(l1, file{fmt.Sprintf("srv/app/src/pkg%03d/file%05d.py", i/100, i), text(r, 10<<10)})
	}
	l1 = append(l1,
		file{"srv/app/config/.env", []byte("APP_ENV=prod\nDB_PASSWORD=" + plant("layer 1 srv/app/config/.env") + "\n")},
		file{"srv/app/secrets.yaml", []byte("service: app\napi_token: " + plant("layer 1 srv/app/secrets.yaml (deleted in layer 3)") + "\n")},
	)
	// Layer 2: a jar and a tar.gz of logs.
	var jar bytes.Buffer
	zw := zip.NewWriter(&jar)
	for i := 0; i < 4000; i++ {
		w, _ := zw.Create(fmt.Sprintf("BOOT-INF/classes/com/example/C%04d.java", i))
		w.Write(text(r, 10<<10))
	}
	w, _ := zw.Create("BOOT-INF/classes/application.properties")
	fmt.Fprintf(w, "spring.application.name=app\nspring.datasource.password=%s\n", plant("layer 2 srv/app/lib/app.jar!/BOOT-INF/classes/application.properties"))
	zw.Close()
	var logs []file
	for i := 0; i < 40; i++ {
		logs = append(logs, file{fmt.Sprintf("logs/app-%02d.log", i), text(r, 1<<20)})
	}
	logs = append(logs, file{"logs/debug.log", []byte("startup with DB_PASSWORD=" + plant("layer 2 srv/logs/old.tar.gz!/logs/debug.log") + "\n")})
	var tgz bytes.Buffer
	gw := gzip.NewWriter(&tgz)
	gw.Write(tarOf(logs))
	gw.Close()
	l2 := []file{{"srv/app/lib/app.jar", jar.Bytes()}, {"srv/logs/old.tar.gz", tgz.Bytes()}}
	// Layer 3: more text, and the whiteout deleting secrets.yaml.
	var l3 []file
	for i := 0; i < 8000; i++ {
		l3 = append(l3, file{fmt.Sprintf("srv/app/vendor/v%03d/mod%05d.go", i/100, i), text(r, 10<<10)})
	}
	l3 = append(l3, file{"srv/app/.wh.secrets.yaml", nil})

	img := empty.Image
	var total int64
	var err error
	var layerTars [][]byte
	for i, fs := range [][]file{l0, l1, l2, l3} {
		l, n := layer(fs)
		layerTars = append(layerTars, tarOf(fs))
		total += n
		img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: v1.History{CreatedBy: fmt.Sprintf("COPY layer%d /", i)}})
		check(err)
	}
	img, err = mutate.Config(img, v1.Config{Env: []string{"PATH=/usr/bin", "API_TOKEN=" + plant("config:Env")}, Cmd: []string{"/srv/app/run"}})
	check(err)
	cf, err := img.ConfigFile()
	check(err)
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	img, err = mutate.ConfigFile(img, cf)
	check(err)

	check(os.RemoveAll(filepath.Join(out, "layout")))
	_, err = layout.Write(filepath.Join(out, "layout"), mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img}))
	check(err)
	tag, _ := name.NewTag("bench.invalid/app:1")
	check(tarball.WriteToFile(filepath.Join(out, "image.tar"), tag, img))
	writeDockerSave(out, "docker-save", img, layerTars)
	manyBytes := writeManyLayers(out, r)

	var compressed int64
	ls, _ := img.Layers()
	for _, l := range ls {
		n, _ := l.Size()
		compressed += n
	}
	var report strings.Builder
	fmt.Fprintf(&report, "layers: %d\nuncompressed_bytes: %d\ncompressed_bytes: %d\nmany_layers_bytes: %d\nsecrets: %d\n", len(ls), total, compressed, manyBytes, len(secrets))
	for where := range secrets {
		fmt.Fprintf(&report, "secret: %s\n", where)
	}
	check(os.WriteFile(filepath.Join(out, "corpus.txt"), []byte(report.String()), 0o644))
	fmt.Print(report.String())
}
