package dir

import (
	"path"
	"strings"
)

// excluder matches slash-separated relative paths against gitignore-style
// patterns: a pattern without a slash matches a name at any depth, one
// with a slash is anchored at the scan root, "**" spans directories, and a
// trailing slash matches only directories.
type excluder struct {
	patterns []pattern
}

type pattern struct {
	segs    []string
	anchor  bool
	dirOnly bool
}

func newExcluder(globs []string) (*excluder, error) {
	e := &excluder{}
	for _, g := range globs {
		g = strings.ReplaceAll(strings.TrimSpace(g), "\\", "/")
		if g == "" {
			continue
		}
		p := pattern{}
		if strings.HasSuffix(g, "/") {
			p.dirOnly = true
			g = strings.TrimRight(g, "/")
		}
		if strings.HasPrefix(g, "/") {
			p.anchor = true
			g = strings.TrimLeft(g, "/")
		} else if strings.Contains(g, "/") {
			p.anchor = true
		}
		p.segs = strings.Split(g, "/")
		for _, s := range p.segs {
			if s == "**" {
				continue
			}
			if _, err := path.Match(s, ""); err != nil {
				return nil, &BadPatternError{Pattern: g, Err: err}
			}
		}
		if !p.anchor {
			p.segs = append([]string{"**"}, p.segs...)
		}
		e.patterns = append(e.patterns, p)
	}
	return e, nil
}

// BadPatternError is an --exclude pattern that does not parse.
type BadPatternError struct {
	Pattern string
	Err     error
}

func (e *BadPatternError) Error() string {
	return "exclude pattern " + e.Pattern + ": " + e.Err.Error()
}

// excluded reports whether rel (slash form, relative to the root) is
// excluded.
func (e *excluder) excluded(rel string, isDir bool) bool {
	if len(e.patterns) == 0 {
		return false
	}
	segs := strings.Split(rel, "/")
	for _, p := range e.patterns {
		if p.dirOnly && !isDir {
			continue
		}
		if matchSegs(p.segs, segs) {
			return true
		}
	}
	return false
}

func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			rest := pat[1:]
			for i := 0; i <= len(name); i++ {
				if matchSegs(rest, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}
