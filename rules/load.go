package rules

import (
	"bytes"
	"embed"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"

	"github.com/leakhound/leakhound/internal/plainfile"
)

// MaxConfigSize caps a config file: the default rules are about 300 KB,
// and a config that is /dev/zero must not grow memory without end.
const MaxConfigSize = 16 << 20

//go:embed default/*.toml
var defaultFS embed.FS

// defaultGob is the default rule set as DefaultFromTOML reads it, encoded
// with encoding/gob by `go generate ./rules`: decoding it is about fifty
// times faster than parsing the TOML, and most of a short scan's start-up
// (a pre-commit hook) was that parse. The TOML files stay the source;
// TestDefaultGobIsCurrent fails when the two differ.
//
//go:generate go run ./internal/gendefault
//go:embed default.gob
var defaultGob []byte

// Default returns the built-in rule set. Its rules were validated when
// default.gob was generated (and are again by the tests); regexes are
// parsed when first used.
func Default() (*Config, error) {
	var c Config
	if err := gob.NewDecoder(bytes.NewReader(defaultGob)).Decode(&c); err != nil {
		return nil, fmt.Errorf("built-in rules: %w (run go generate ./rules)", err)
	}
	c.Builtin = true
	return &c, nil
}

// builtinRegexes are the built-in rules' regexes.
var builtinRegexes = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	if c, err := Default(); err == nil {
		for _, r := range c.Rules {
			set[r.Regex] = true
		}
	}
	return set
})

// IsBuiltinRegex reports whether expr is a built-in rule's regex. Those
// compile (their tests compile every one), so a config that extends the
// built-in rules needs only its own regexes compiled before a scan starts:
// compiling all 1,100 took most of a second of every such scan's start-up.
func IsBuiltinRegex(expr string) bool { return builtinRegexes()[expr] }

// EncodeDefault writes c as default.gob holds it.
func EncodeDefault(w io.Writer, c *Config) error {
	return gob.NewEncoder(w).Encode(c)
}

// DefaultFromTOML reads and validates the built-in rule files
// (rules/default/*.toml), the source default.gob is generated from.
func DefaultFromTOML() (*Config, error) {
	names, err := fs.Glob(defaultFS, "default/*.toml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	// The files are parsed at once: TOML decoding is most of the start-up
	// of a short scan (a pre-commit hook). They are merged in name order.
	parsed := make([]*Config, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data, err := defaultFS.ReadFile(name)
			if err == nil {
				parsed[i], err = Parse(data, "rules/"+name)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	all := &Config{Title: "leakhound default rules", Builtin: true}
	for i, c := range parsed {
		if errs[i] != nil {
			return nil, errs[i]
		}
		all.Rules = append(all.Rules, c.Rules...)
		all.Allowlists = append(all.Allowlists, c.Allowlists...)
	}
	if err := all.Validate(); err != nil {
		return nil, err
	}
	return all, nil
}

// Parse decodes one TOML config without resolving [extend]. Unknown keys are
// an error: a misspelt key would otherwise silently weaken a rule.
func Parse(data []byte, file string) (*Config, error) {
	var c Config
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&c)
	if err != nil {
		return nil, &ValidationError{File: file, Err: fmt.Errorf("parse TOML: %w", err)}
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, &ValidationError{File: file, Err: fmt.Errorf("unknown key %q", und[0].String())}
	}
	c.File = file
	for i := range c.Rules {
		c.Rules[i].File = file
	}
	c.Normalize()
	return &c, nil
}

// maxExtendDepth bounds [extend] path chains (and loops).
const maxExtendDepth = 4

// Load reads a config file the user named and resolves its [extend]
// table: useDefault builds on the default rules, path on another config
// file (relative to this one), and disabledRules drops rules by id. A rule
// whose id is already in the base replaces it. Only regular files of at
// most MaxConfigSize bytes are read.
func Load(file string) (*Config, error) {
	return load(osFiles{}, file, 0)
}

// LoadFS reads a config file from fsys, a scanned tree's own files, which
// are hostile input: an [extend] path is resolved inside fsys and may not
// leave it (no absolute paths, no "..").
func LoadFS(fsys fs.FS, name string) (*Config, error) {
	return load(treeFiles{fsys}, name, 0)
}

// files is where configs and the configs they extend are read from.
type files interface {
	read(name string) ([]byte, error)
	// extend resolves an [extend] path found in the config at from.
	extend(from, p string) (string, error)
}

type osFiles struct{}

func (osFiles) read(name string) ([]byte, error) { return plainfile.Read(name, MaxConfigSize) }

func (osFiles) extend(from, p string) (string, error) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(from), p)
	}
	return p, nil
}

type treeFiles struct{ fsys fs.FS }

func (t treeFiles) read(name string) ([]byte, error) {
	return plainfile.ReadFS(t.fsys, name, MaxConfigSize)
}

func (treeFiles) extend(from, p string) (string, error) {
	p = filepath.ToSlash(p)
	if path.IsAbs(p) || filepath.IsAbs(p) {
		return "", fmt.Errorf("[extend] path %q: a config in the scanned tree may only extend files in the tree", p)
	}
	p = path.Join(path.Dir(from), p)
	if !fs.ValidPath(p) || p == ".." || strings.HasPrefix(p, "../") {
		return "", fmt.Errorf("[extend] path %q leaves the scanned tree", p)
	}
	return p, nil
}

func load(src files, file string, depth int) (*Config, error) {
	if depth > maxExtendDepth {
		return nil, &ValidationError{File: file, Err: fmt.Errorf("[extend] chain deeper than %d", maxExtendDepth)}
	}
	data, err := src.read(file)
	if err != nil {
		var tl *plainfile.TooLargeError
		if errors.As(err, &tl) {
			err = fmt.Errorf("config larger than %d MiB", MaxConfigSize>>20)
		}
		return nil, &ValidationError{File: file, Err: err}
	}
	c, err := Parse(data, file)
	if err != nil {
		return nil, err
	}
	var base *Config
	switch {
	case c.Extend.Path != "":
		p, err := src.extend(file, c.Extend.Path)
		if err != nil {
			return nil, &ValidationError{File: file, Err: err}
		}
		if base, err = load(src, p, depth+1); err != nil {
			return nil, err
		}
	case c.Extend.UseDefault:
		if base, err = Default(); err != nil {
			return nil, err
		}
	}
	if base != nil {
		c = Merge(base, c)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if len(c.Rules) == 0 && !c.AllowNoRules {
		// A config that replaces the built-in rules with none would pass
		// every scan: in a scanned tree's own config, that is the attack.
		return nil, &ValidationError{File: file, Err: errors.New("config has no rules (without [extend] useDefault = true a config replaces the built-in rules); set allowNoRules = true if that is meant")}
	}
	return c, nil
}

// Merge returns base extended by over, with gitleaks' meaning: a rule of
// over whose id is new is added; one whose id is in base changes that rule
// (its description, entropy, secret group, regex and path replace the
// base's where set; its tags, keywords and allowlists are added to the
// base's); over's disabledRules are dropped; both configs' global
// allowlists apply.
func Merge(base, over *Config) *Config {
	out := &Config{Title: over.Title, Description: over.Description, Extend: over.Extend, AllowNoRules: over.AllowNoRules, File: over.File,
		Warnings: append(slices.Clone(base.Warnings), over.Warnings...)}
	disabled := make(map[string]bool)
	for _, id := range over.Extend.DisabledRules {
		disabled[id] = true
		if base.Rule(id) == nil {
			// Not an error: gitleaks configs name gitleaks' rule ids.
			out.Warnings = append(out.Warnings, fmt.Sprintf("%s: disabledRules names %q, which no rule has", over.File, id))
		}
	}
	overByID := make(map[string]*Rule, len(over.Rules))
	for i := range over.Rules {
		overByID[over.Rules[i].ID] = &over.Rules[i]
	}
	merged := make(map[string]bool)
	for _, r := range base.Rules {
		if disabled[r.ID] {
			continue
		}
		if o, ok := overByID[r.ID]; ok {
			r = mergeRule(r, *o)
			merged[r.ID] = true
		}
		out.Rules = append(out.Rules, r)
	}
	for _, r := range over.Rules {
		if !disabled[r.ID] && !merged[r.ID] {
			out.Rules = append(out.Rules, r)
		}
	}
	out.Allowlists = append(append(out.Allowlists, base.Allowlists...), over.Allowlists...)
	return out
}

func mergeRule(base, o Rule) Rule {
	if o.Description != "" {
		base.Description = o.Description
	}
	if o.Entropy != 0 {
		base.Entropy = o.Entropy
	}
	if o.SecretGroup != 0 {
		base.SecretGroup = o.SecretGroup
	}
	if o.Regex != "" {
		base.Regex = o.Regex
	}
	if o.Path != "" {
		base.Path = o.Path
	}
	if o.Severity != "" {
		base.Severity = o.Severity
	}
	base.Tags = append(append([]string(nil), base.Tags...), o.Tags...)
	base.Keywords = append(append([]string(nil), base.Keywords...), o.Keywords...)
	base.Allowlists = append(append([]Allowlist(nil), base.Allowlists...), o.Allowlists...)
	base.File = o.File
	return base
}
