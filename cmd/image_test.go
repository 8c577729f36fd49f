package cmd

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/leakhound/leakhound/detectors/detectortest"
)

// runImage runs `leakhound image ...` in-process.
func runImage(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return run(t, "", append([]string{"image"}, args...)...)
}

var (
	testToken      = detectortest.Token
	imageTestRules = detectortest.TokenRuleTOML
)

func imageLayer(t *testing.T, files map[string]string) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for n, body := range files {
		tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		io.WriteString(tw, body)
	}
	tw.Close()
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestImageCommand(t *testing.T) {
	t.Parallel()
	deleted, env := testToken(), testToken()
	img := empty.Image
	var err error
	for _, a := range []mutate.Addendum{
		{Layer: imageLayer(t, map[string]string{"app/.env": "A=1\nTOKEN=" + deleted + "\n"}), History: v1.History{CreatedBy: "COPY .env /app/"}},
		{Layer: imageLayer(t, map[string]string{"app/.wh..env": ""}), History: v1.History{CreatedBy: "RUN rm /app/.env"}},
	} {
		if img, err = mutate.Append(img, a); err != nil {
			t.Fatal(err)
		}
	}
	if img, err = mutate.Config(img, v1.Config{Env: []string{"PATH=/bin", "TOKEN=" + env}}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "app.tar")
	tag, _ := name.NewTag("example.invalid/app:1")
	if err := tarball.WriteToFile(path, tag, img); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "rules.toml")
	os.WriteFile(cfg, []byte(imageTestRules), 0o644)

	code, out, errOut := runImage(t, path, "--config", cfg, "--format", "json")
	if code != ExitFindings {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	var fs []struct {
		RuleID string   `json:"rule_id"`
		File   string   `json:"file"`
		Line   int      `json:"line"`
		Image  string   `json:"image"`
		Layer  string   `json:"layer"`
		Tags   []string `json:"tags"`
	}
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out)
	}
	diffs, _ := img.ConfigFile()
	want := map[string]bool{
		"app/.env " + diffs.RootFS.DiffIDs[0].String() + " 2": true,
		"config:Env config 2": true,
	}
	if len(fs) != 2 {
		t.Fatalf("%d findings: %s", len(fs), out)
	}
	for _, f := range fs {
		k := f.File + " " + f.Layer + " " + itoa(f.Line)
		if !want[k] || f.Image != path || f.RuleID != "test-token" {
			t.Errorf("unexpected finding %+v", f)
		}
		// The .env was deleted by the next layer: still a leak, tagged so.
		removed := strings.Contains(strings.Join(f.Tags, ","), "removed-in-later-layer")
		if removed != (f.File == "app/.env") {
			t.Errorf("%s: tags %v", f.File, f.Tags)
		}
	}
	if strings.Contains(out+errOut, deleted) || strings.Contains(out+errOut, env) {
		t.Errorf("secret printed without --reveal")
	}

	// Text output names the image and layer.
	code, out, _ = runImage(t, path, "--config", cfg)
	if code != ExitFindings || !strings.Contains(out, diffs.RootFS.DiffIDs[0].String()) || !strings.Contains(out, "config:Env") {
		t.Errorf("text output (exit %d): %s", code, out)
	}

	// Usage errors: exit 2.
	for _, args := range [][]string{
		{filepath.Join(dir, "missing.tar")},
		{path, "--platform", "linux"},
		{path, "--platform", "linux/amd64", "--all-platforms"},
		{path, "--archive-depth", "-1"},
		{dir},
	} {
		if code, _, errOut := runImage(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want 2: %s", args, code, errOut)
		}
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestImageCommandRegistry(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	secrets := map[string]string{}
	var adds []mutate.IndexAddendum
	for _, arch := range []string{"amd64", "arm64"} {
		secrets[arch] = testToken()
		img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: imageLayer(t, map[string]string{"etc/app.conf": "token=" + secrets[arch] + "\n"})})
		if err != nil {
			t.Fatal(err)
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	ref, _ := name.ParseReference(host + "/team/app:2")
	if err := remote.WriteIndex(ref, mutate.AppendManifests(empty.Index, adds...)); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "rules.toml")
	os.WriteFile(cfg, []byte(imageTestRules), 0o644)
	target := host + "/team/app:2"

	code, out, errOut := runImage(t, target, "--insecure-registry", "--platform", "linux/arm64", "--config", cfg, "--format", "json", "--reveal")
	if code != ExitFindings || !strings.Contains(out, secrets["arm64"]) || strings.Contains(out, secrets["amd64"]) {
		t.Errorf("--platform linux/arm64: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runImage(t, target, "--all-platforms", "--config", cfg, "--format", "json", "--reveal")
	if code != ExitFindings || !strings.Contains(out, secrets["arm64"]) || !strings.Contains(out, secrets["amd64"]) || !strings.Contains(out, `"image": "`+target+`@sha256:`) {
		t.Errorf("--all-platforms: exit %d\n%s", code, out)
	}
	if code, _, errOut := runImage(t, target, "--platform", "windows/amd64", "--config", cfg); code != ExitUsage || !strings.Contains(errOut, "linux/arm64") {
		t.Errorf("missing platform: exit %d: %s", code, errOut)
	}
}
