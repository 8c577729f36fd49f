package rules

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"

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

// Merge returns base extended by over, with gitleaks' meaning: a rule of
// over whose id is new is added; one whose id is in base changes that rule
// (its description, entropy, secret group, regex and path replace the
// base's where set; its tags, keywords and allowlists are added to the
// base's); over's disabledRules are dropped; both configs' global
// allowlists apply.
func Merge(base, over *Config) *Config {
	out := &Config{Title: over.Title, Description: over.Description, Extend: over.Extend}
	disabled := make(map[string]bool)
	for _, id := range over.Extend.DisabledRules {
		disabled[id] = true
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
