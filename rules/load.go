package rules

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/BurntSushi/toml"
)

//go:embed default/*.toml
var defaultFS embed.FS

// Default returns the embedded default rule set, validated.
func Default() (*Config, error) {
	names, err := fs.Glob(defaultFS, "default/*.toml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	all := &Config{Title: "leakhound default rules", Builtin: true}
	for _, name := range names {
		data, err := defaultFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		c, err := Parse(data, "rules/"+name)
		if err != nil {
			return nil, err
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
	for i := range c.Rules {
		c.Rules[i].File = file
	}
	c.Normalize()
	return &c, nil
}

// maxExtendDepth bounds [extend] path chains (and loops).
const maxExtendDepth = 4

// Load reads a config file and resolves its [extend] table: useDefault
// builds on the default rules, path on another config file, and
// disabledRules drops rules by id. A rule whose id is already in the base
// replaces it.
func Load(file string) (*Config, error) {
	return load(file, 0)
}

func load(file string, depth int) (*Config, error) {
	if depth > maxExtendDepth {
		return nil, &ValidationError{File: file, Err: fmt.Errorf("[extend] chain deeper than %d", maxExtendDepth)}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, &ValidationError{File: file, Err: err}
	}
	c, err := Parse(data, file)
	if err != nil {
		return nil, err
	}
	var base *Config
	switch {
	case c.Extend.Path != "":
		p := c.Extend.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(file), p)
		}
		if base, err = load(p, depth+1); err != nil {
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
	return c, nil
}

// Merge returns base extended by over: over's rules replace base rules of
// the same id, new ones are added, over's disabledRules are dropped and the
// allowlists of both apply.
func Merge(base, over *Config) *Config {
	out := &Config{Title: over.Title, Extend: over.Extend}
	disabled := make(map[string]bool)
	for _, id := range over.Extend.DisabledRules {
		disabled[id] = true
	}
	replaced := make(map[string]bool)
	for _, r := range over.Rules {
		replaced[r.ID] = true
	}
	for _, r := range base.Rules {
		if !disabled[r.ID] && !replaced[r.ID] {
			out.Rules = append(out.Rules, r)
		}
	}
	for _, r := range over.Rules {
		if !disabled[r.ID] {
			out.Rules = append(out.Rules, r)
		}
	}
	out.Allowlists = append(append(out.Allowlists, base.Allowlists...), over.Allowlists...)
	return out
}
