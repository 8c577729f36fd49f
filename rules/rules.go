// Package rules holds detection rules as plain data: the Rule type, the TOML
// loader (gitleaks-compatible, with [extend]), validation, and the embedded
// default rule set.
package rules

import (
	"fmt"
	"regexp/syntax"
	"sort"
	"strings"
)

// Severity levels, highest first.
const (
	Critical = "critical"
	High     = "high"
	Medium   = "medium"
	Low      = "low"
	Info     = "info"
)

// SecuritySeverity maps a severity to the CVSS-like score GitHub code
// scanning reads from a SARIF rule's "security-severity" property.
func SecuritySeverity(sev string) string {
	switch sev {
	case Critical:
		return "9.5"
	case High:
		return "8.0"
	case Medium:
		return "5.5"
	case Low:
		return "3.0"
	default:
		return "1.0"
	}
}

// Rule is one detection rule. Field names and TOML keys follow gitleaks so
// its configs load unchanged; Severity, Examples, NegativeExamples and
// Validate are leakhound's additions.
type Rule struct {
	ID          string   `toml:"id" json:"id"`
	Description string   `toml:"description" json:"description"`
	Regex       string   `toml:"regex" json:"regex,omitempty"`
	SecretGroup int      `toml:"secretGroup" json:"secret_group,omitempty"`
	Entropy     float64  `toml:"entropy" json:"entropy,omitempty"`
	Keywords    []string `toml:"keywords" json:"keywords"`
	// Path is a regex a file's path must match for the rule to apply; a
	// rule with a path and no regex reports the file itself.
	Path     string   `toml:"path" json:"path,omitempty"`
	Tags     []string `toml:"tags" json:"tags"`
	Severity string   `toml:"severity" json:"severity"`
	// Validate names a Go check the secret must pass (a checksum or a
	// structure a regex can't express), e.g. "github-crc32".
	Validator string `toml:"validate" json:"validate,omitempty"`
	// Multiline lets a match span lines (private key blocks); other rules
	// are matched within the lines their keywords appear on.
	Multiline bool `toml:"multiline" json:"multiline,omitempty"`

	Allowlists []Allowlist `toml:"allowlists" json:"allowlists,omitempty"`
	// Allowlist is gitleaks' older single-allowlist form.
	Allowlist *Allowlist `toml:"allowlist" json:"-"`

	// Required makes this a multi-part rule (gitleaks' composite rules): a
	// finding is reported only when each required rule also matches in the
	// same chunk, within the given distance when one is set.
	Required []Required `toml:"required" json:"required,omitempty"`
	// SkipReport marks a rule that only serves as another rule's required
	// part: its own findings are not reported.
	SkipReport bool `toml:"skipReport" json:"skip_report,omitempty"`

	// RemediationText and RemediationURL say how to revoke or rotate
	// what the rule finds; without them the built-in table entry of the
	// rule's provider tag is used (see Remediation).
	RemediationText string `toml:"remediation" json:"remediation,omitempty"`
	RemediationURL  string `toml:"remediation_url" json:"remediation_url,omitempty"`

	Examples         []string `toml:"examples" json:"-"`
	NegativeExamples []string `toml:"negative_examples" json:"-"`
	// ExamplePath is the file path examples are checked under, for rules
	// with a path filter (default "config/app.env").
	ExamplePath string `toml:"example_path" json:"-"`

	// File is where the rule was loaded from, for error messages.
	File string `toml:"-" json:"-"`

	// parsed is Regex as Validate parsed it, kept for Syntax.
	parsed *parsedRegex
}

type parsedRegex struct {
	expr string
	re   *syntax.Regexp
}

// Syntax returns the rule's regex parsed with Perl flags. It reuses the
// parse Validate made when Regex has not changed since (a start-up parses
// hundreds of rule regexes; once is enough). The tree must not be changed.
func (r *Rule) Syntax() (*syntax.Regexp, error) {
	if p := r.parsed; p != nil && p.expr == r.Regex {
		return p.re, nil
	}
	return syntax.Parse(r.Regex, syntax.Perl)
}

// Allowlist suppresses findings. With Condition "AND" every criterion given
// must hold; otherwise any one does.
type Allowlist struct {
	Description string `toml:"description"`
	Condition   string `toml:"condition"`
	// RegexTarget is what Regexes are matched against: "secret" (default),
	// "match" or "line".
	RegexTarget string   `toml:"regexTarget"`
	Regexes     []string `toml:"regexes"`
	Paths       []string `toml:"paths"`
	Stopwords   []string `toml:"stopwords"`
	Commits     []string `toml:"commits"`
	// TargetRules limits a global allowlist to these rule ids.
	TargetRules []string `toml:"targetRules"`
}

// Required is one part a multi-part rule needs.
type Required struct {
	ID            string `toml:"id" json:"id"`
	WithinLines   *int   `toml:"withinLines" json:"within_lines,omitempty"`
	WithinColumns *int   `toml:"withinColumns" json:"within_columns,omitempty"`
}

// Extend is gitleaks' [extend] table.
type Extend struct {
	UseDefault    bool     `toml:"useDefault"`
	Path          string   `toml:"path"`
	DisabledRules []string `toml:"disabledRules"`
}

// Config is a loaded rule set.
type Config struct {
	Title       string `toml:"title"`
	Description string `toml:"description"`
	// MinVersion is gitleaks' minimum-version key, accepted and ignored.
	MinVersion string `toml:"minVersion"`
	Extend     Extend `toml:"extend"`
	Rules      []Rule `toml:"rules"`
	// Allowlists apply to every rule (or to TargetRules).
	Allowlists []Allowlist `toml:"allowlists"`
	// Allowlist is gitleaks' older global [allowlist] table.
	Allowlist *Allowlist `toml:"allowlist"`
	// AllowNoRules lets a config hold no rules at all (an error otherwise:
	// a config that replaces the built-in rules with none passes every
	// scan).
	AllowNoRules bool `toml:"allowNoRules"`
	// Builtin is set on the embedded default rules, which their own tests
	// compile and check; a user's config is checked when loaded.
	Builtin bool `toml:"-"`
	// Warnings are problems in the config that don't stop it from
	// loading (a disabledRules entry naming no rule).
	Warnings []string `toml:"-"`
	// File is the file the config was read from ("" for the built-in
	// rules).
	File string `toml:"-"`
	// NoInlineAllow makes leakhound:allow and gitleaks:allow comments
	// allow nothing: set by a caller that doesn't let the authors of the
	// scanned content decide (a push protection hook that says so).
	NoInlineAllow bool `toml:"-"`
}

// Rule returns the rule with the given id, or nil.
func (c *Config) Rule(id string) *Rule {
	for i := range c.Rules {
		if c.Rules[i].ID == id {
			return &c.Rules[i]
		}
	}
	return nil
}

// DefaultExamplePath is the path rule examples are checked under when a
// rule does not name one.
const DefaultExamplePath = "config/app.env"

// ExampleFile returns the path r's examples are checked under.
func (r *Rule) ExampleFile() string {
	if r.ExamplePath != "" {
		return r.ExamplePath
	}
	return DefaultExamplePath
}

// ValidationError names the rule and file a problem was found in.
type ValidationError struct {
	File, RuleID string
	Err          error
}

func (e *ValidationError) Error() string {
	where := e.File
	if where == "" {
		where = "config"
	}
	if e.RuleID != "" {
		return fmt.Sprintf("%s: rule %q: %v", where, e.RuleID, e.Err)
	}
	return fmt.Sprintf("%s: %v", where, e.Err)
}

func (e *ValidationError) Unwrap() error { return e.Err }

// Validate checks one rule: it has an id, something to match, regexes that
// compile under RE2 syntax, a known severity, and a sane secret group.
func (r *Rule) Validate() error {
	fail := func(format string, args ...any) error {
		return &ValidationError{File: r.File, RuleID: r.ID, Err: fmt.Errorf(format, args...)}
	}
	if r.ID == "" {
		return &ValidationError{File: r.File, Err: fmt.Errorf("rule with description %q has no id", r.Description)}
	}
	if r.Regex == "" && r.Path == "" {
		return fail("needs a regex or a path")
	}
	if r.Regex != "" {
		re, err := syntax.Parse(r.Regex, syntax.Perl)
		if err != nil {
			return fail("regex does not compile: %v", err)
		}
		r.parsed = &parsedRegex{expr: r.Regex, re: re}
		if n := re.MaxCap(); r.SecretGroup > n {
			return fail("secretGroup %d but the regex has %d groups", r.SecretGroup, n)
		}
	}
	if r.SecretGroup < 0 {
		return fail("secretGroup %d is negative", r.SecretGroup)
	}
	if r.Path != "" {
		if _, err := syntax.Parse(r.Path, syntax.Perl); err != nil {
			return fail("path regex does not compile: %v", err)
		}
	}
	switch r.Severity {
	case "", Critical, High, Medium, Low, Info:
	default:
		return fail("unknown severity %q (want critical, high, medium, low or info)", r.Severity)
	}
	for _, a := range r.allAllowlists() {
		if err := a.validate(); err != nil {
			return fail("allowlist: %v", err)
		}
	}
	return nil
}

func (a *Allowlist) validate() error {
	switch strings.ToUpper(a.Condition) {
	case "", "OR", "AND":
	default:
		return fmt.Errorf("unknown condition %q (want OR or AND)", a.Condition)
	}
	switch a.RegexTarget {
	case "", "secret", "match", "line":
	default:
		return fmt.Errorf("unknown regexTarget %q (want secret, match or line)", a.RegexTarget)
	}
	for _, list := range [][]string{a.Regexes, a.Paths} {
		for _, re := range list {
			if _, err := syntax.Parse(re, syntax.Perl); err != nil {
				return fmt.Errorf("regex %q does not compile: %v", re, err)
			}
		}
	}
	return nil
}

func (r *Rule) allAllowlists() []*Allowlist {
	var out []*Allowlist
	for i := range r.Allowlists {
		out = append(out, &r.Allowlists[i])
	}
	if r.Allowlist != nil {
		out = append(out, r.Allowlist)
	}
	return out
}

// Normalize folds gitleaks' older single-allowlist forms into the list
// forms, lowercases keywords, and defaults severity, so later stages see
// one shape.
func (c *Config) Normalize() {
	if c.Allowlist != nil {
		c.Allowlists = append(c.Allowlists, *c.Allowlist)
		c.Allowlist = nil
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		if r.Allowlist != nil {
			r.Allowlists = append(r.Allowlists, *r.Allowlist)
			r.Allowlist = nil
		}
		kws := make([]string, len(r.Keywords))
		for j, k := range r.Keywords {
			kws[j] = strings.ToLower(k)
		}
		r.Keywords = kws
	}
}

// fillDefaults gives rules without a severity the default one. It runs
// after [extend] merging, so an extending rule that leaves severity out
// keeps the base rule's.
func (c *Config) fillDefaults() {
	for i := range c.Rules {
		if c.Rules[i].Severity == "" {
			c.Rules[i].Severity = Medium
		}
	}
}

// Validate checks every rule and that ids are unique, and fills in
// defaults.
func (c *Config) Validate() error {
	c.fillDefaults()
	seen := make(map[string]bool, len(c.Rules))
	for i := range c.Rules {
		r := &c.Rules[i]
		if err := r.Validate(); err != nil {
			return err
		}
		if seen[r.ID] {
			return &ValidationError{File: r.File, RuleID: r.ID, Err: fmt.Errorf("duplicate rule id")}
		}
		seen[r.ID] = true
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		for _, req := range r.Required {
			if !seen[req.ID] {
				return &ValidationError{File: r.File, RuleID: r.ID, Err: fmt.Errorf("required rule %q does not exist", req.ID)}
			}
		}
	}
	for i := range c.Allowlists {
		if err := c.Allowlists[i].validate(); err != nil {
			return &ValidationError{Err: fmt.Errorf("global allowlist: %v", err)}
		}
	}
	return nil
}

// Sort orders rules by id, for deterministic listings.
func (c *Config) Sort() {
	sort.Slice(c.Rules, func(i, j int) bool { return c.Rules[i].ID < c.Rules[j].ID })
}
