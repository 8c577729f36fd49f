package cmd

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func tarBytes(t *testing.T, files ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f[0], Mode: 0o644, Size: int64(len(f[1])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(f[1]))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A docker save tarball whose layer was altered after its manifest and
// config were written: the layer's findings are reported, and so is the
// layer, by digest, as not matching it.
func TestImageAlteredDockerSaveLayer(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "rules.toml")
	os.WriteFile(cfgFile, []byte(imageTestRules), 0o644)
	orig, altered := testToken(), testToken()
	good := tarBytes(t, [2]string{"app/.env", "TOKEN=" + orig + "\n"})
	bad := tarBytes(t, [2]string{"app/.env", "TOKEN=" + altered + "\n"})
	diff, _, err := v1.SHA256(bytes.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[%q]}}`, diff)
	cfgName, _, _ := v1.SHA256(strings.NewReader(cfg))
	manifest := fmt.Sprintf(`[{"Config":"%s.json","RepoTags":["app:1"],"Layers":["l0/layer.tar"]}]`, cfgName.Hex)
	path := filepath.Join(dir, "app.tar")
	os.WriteFile(path, tarBytes(t,
		[2]string{cfgName.Hex + ".json", cfg},
		[2]string{"l0/layer.tar", string(bad)},
		[2]string{"manifest.json", manifest},
	), 0o644)

	code, out, errOut := runImage(t, path, "--config", cfgFile, "--format", "json")
	if code != ExitFindings {
		t.Fatalf("exit %d, want 1: %s", code, errOut)
	}
	if !strings.Contains(out, `"layer": "`+diff.String()+`"`) {
		t.Errorf("the altered layer's finding is missing: %s", out)
	}
	if !strings.Contains(errOut, "error: "+diff.String()+": ") || !strings.Contains(errOut, "layer 0: layer content does not match its digest "+diff.String()) {
		t.Errorf("no problem naming the layer: %s", errOut)
	}
	if strings.Contains(out+errOut, altered) {
		t.Errorf("secret printed without --reveal")
	}
}
