package cmd

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors/detectortest"
)

// TestSeveralRootsAreToldApart: `dir a b` must not report a/config.py and
// b/config.py both as config.py.
func TestSeveralRootsAreToldApart(t *testing.T) {
	t.Parallel()
	a := writeFiles(t, map[string]string{"config.py": "token = \"" + detectortest.GitHubToken("ghp_") + "\"\n"})
	b := writeFiles(t, map[string]string{"config.py": "token = \"" + detectortest.GitHubToken("ghp_") + "\"\n"})
	code, out, errOut := run(t, "", "dir", "--format", "json", a, b)
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var files []string
	for _, f := range decode(t, out) {
		files = append(files, f.File)
	}
	slices.Sort(files)
	want := []string{filepath.ToSlash(filepath.Join(a, "config.py")), filepath.ToSlash(filepath.Join(b, "config.py"))}
	slices.Sort(want)
	if !slices.Equal(files, want) {
		t.Errorf("files %v, want %v", files, want)
	}
	// One root outside the working directory: paths relative to it.
	code, out, _ = run(t, "", "dir", "--format", "json", a)
	if fs := decode(t, out); code != ExitFindings || len(fs) != 1 || fs[0].File != "config.py" {
		t.Errorf("one root: exit %d: %s", code, out)
	}
	// SARIF takes the absolute paths as file URIs.
	_, out, _ = run(t, "", "dir", "--format", "sarif", a, b)
	if !strings.Contains(out, `"uri": "file://`) {
		t.Errorf("SARIF URIs: %s", out)
	}
}
