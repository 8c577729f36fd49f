package dir

import "testing"

func TestExcluder(t *testing.T) {
	t.Parallel()
	e, err := newExcluder([]string{"node_modules/", "*.min.js", "/build", "docs/**/*.md", `vendor\legacy`})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path  string
		isDir bool
		want  bool
	}{
		{"node_modules", true, true},
		{"web/node_modules", true, true},
		{"node_modules", false, false}, // a file named like the dir pattern
		{"app.min.js", false, true},
		{"web/js/app.min.js", false, true},
		{"app.js", false, false},
		{"build", true, true},
		{"src/build", true, false}, // anchored
		{"docs/a/b/c.md", false, true},
		{"docs/c.md", false, true},
		{"src/docs/c.md", false, false},
		{"vendor/legacy", true, true}, // backslashes from Windows users
	}
	for _, c := range cases {
		if got := e.excluded(c.path, c.isDir); got != c.want {
			t.Errorf("excluded(%q, dir=%v) = %v, want %v", c.path, c.isDir, got, c.want)
		}
	}
	if _, err := newExcluder([]string{"[unclosed"}); err == nil {
		t.Error("bad pattern accepted")
	}
}
