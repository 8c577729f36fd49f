package scanner

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

// RepoConfigNames are the config files a scanned tree may carry at its
// root, in the order they are looked for.
var RepoConfigNames = []string{".leakhound.toml", ".gitleaks.toml"}

// RepoIgnoreNames are the ignore files a scanned tree may carry at its
// root, in the order they are looked for.
var RepoIgnoreNames = []string{".leakhoundignore", ".gitleaksignore"}

// Repo is the scanned tree's own files, where its config and ignore files
// are read from when the user lets them be.
type Repo struct {
	// Files holds the tree's files (plainfile.Dir for a directory, a
	// commit's tree for a git range).
	Files fs.FS
	// Name says where they come from in messages: "the scanned tree",
	// "base commit 1a2b3c4d".
	Name string
}

// RulesetOptions choose the rules of a scan.
type RulesetOptions struct {
	// Config is a rules file the user named (trusted); it wins over the
	// scanned tree's config.
	Config string
	// Repo is the scanned tree's own files; nil when the target has none
	// (images, stdin, several roots).
	Repo *Repo
	// NoRepoConfig ignores the tree's config and ignore files.
	NoRepoConfig bool
	// NoInlineAllow makes inline allow comments allow nothing.
	NoInlineAllow bool
	// Rules keeps only rules whose id matches one of these ids or globs
	// ("aws-*"), and Tags only rules with one of these tags; a rule
	// either keeps is run. Empty: all rules.
	Rules, Tags []string
}

// Ruleset is the rules a scan runs and the engine built from them. It is
// safe for concurrent use and may serve several scans (an org scan).
type Ruleset struct {
	Config *rules.Config
	// Name says which rules these are, for the summary: "built-in rules",
	// "rules.toml", ".gitleaks.toml from the scanned tree".
	Name     string
	Detector detectors.Detector
	// FromRepo is set when the rules came from the scanned tree.
	FromRepo bool
}

// LoadRuleset picks the rules (see LoadRules) and builds the engine. Its
// errors are ConfigErrors.
func LoadRuleset(o RulesetOptions) (*Ruleset, error) {
	rs, err := LoadRules(o)
	if err != nil {
		return nil, err
	}
	if rs.Config.Builtin {
		// The built-in rules always build (their tests say so): the engine
		// is built while the source starts walking, and their regexes
		// are compiled on first use (the tests compile them all). The
		// config must not change from here on.
		rs.Detector = buildLater(rs.Config)
		return rs, nil
	}
	// A user's rules: every regex must compile before the scan says
	// anything, or a broken rule would silently find nothing. The
	// built-in rules a config extends are known to.
	eng, err := detectors.New(rs.Config)
	if err != nil {
		return nil, &ConfigError{Err: err}
	}
	if err := eng.CompileAll(rules.IsBuiltinRegex); err != nil {
		return nil, &ConfigError{Err: err}
	}
	rs.Detector = eng
	return rs, nil
}

// LoadRules picks the rules (the user's config, else the tree's own
// unless refused, else the built-in rules) and narrows them to the chosen
// ids and tags, without building an engine (rules list, rules show). Its
// errors are ConfigErrors.
func LoadRules(o RulesetOptions) (*Ruleset, error) {
	rs := &Ruleset{}
	var err error
	switch {
	case o.Config != "":
		rs.Config, err = rules.Load(o.Config)
		rs.Name = o.Config
	case o.Repo != nil && !o.NoRepoConfig:
		for _, name := range RepoConfigNames {
			cfg, lerr := rules.LoadFS(o.Repo.Files, name)
			if errors.Is(lerr, fs.ErrNotExist) {
				continue
			}
			rs.Config, err, rs.FromRepo = cfg, lerr, true
			rs.Name = name + " from " + o.Repo.Name
			if lerr != nil {
				err = fmt.Errorf("%w (--no-repo-config ignores the scanned tree's config)", lerr)
			}
			break
		}
	}
	if err != nil {
		return nil, &ConfigError{Err: err}
	}
	if rs.Config == nil {
		if rs.Config, err = rules.Default(); err != nil {
			return nil, &ConfigError{Err: err}
		}
		rs.Name = "built-in rules"
	} else if rs.Config.Extend.UseDefault {
		rs.Name += " (extends the built-in rules)"
	} else if rs.Config.Extend.Path == "" {
		rs.Name += " (replaces the built-in rules)"
	}
	if err := selectRules(rs.Config, o.Rules, o.Tags); err != nil {
		return nil, &ConfigError{Err: err}
	}
	rs.Config.NoInlineAllow = o.NoInlineAllow
	return rs, nil
}

// selectRules keeps the rules whose id matches one of ids (exact or a
// glob) or that carry one of tags, and the rules those need as parts.
// Each id and tag must select something: a typo must not silently run
// nothing.
func selectRules(cfg *rules.Config, ids, tags []string) error {
	if len(ids) == 0 && len(tags) == 0 {
		return nil
	}
	want := map[string]bool{}
	for _, id := range ids {
		n := 0
		for _, r := range cfg.Rules {
			if ok, _ := path.Match(id, r.ID); ok || r.ID == id {
				want[r.ID] = true
				n++
			}
		}
		if n == 0 {
			return fmt.Errorf("--rule %s: no such rule (see 'leakhound rules list')", id)
		}
	}
	for _, tag := range tags {
		n := 0
		for _, r := range cfg.Rules {
			if slices.ContainsFunc(r.Tags, func(t string) bool { return strings.EqualFold(t, tag) }) {
				want[r.ID] = true
				n++
			}
		}
		if n == 0 {
			return fmt.Errorf("--tag %s: no rule has this tag (see 'leakhound rules list')", tag)
		}
	}
	// Multi-part rules need their parts.
	for changed := true; changed; {
		changed = false
		for _, r := range cfg.Rules {
			if !want[r.ID] {
				continue
			}
			for _, req := range r.Required {
				if !want[req.ID] {
					want[req.ID] = true
					changed = true
				}
			}
		}
	}
	cfg.Rules = slices.DeleteFunc(cfg.Rules, func(r rules.Rule) bool { return !want[r.ID] })
	return nil
}

// lateEngine is an engine built in the background: the first Detect waits
// for it. It serves the built-in rules, which cannot fail to build.
type lateEngine struct {
	ready chan struct{}
	eng   *detectors.Engine
	err   error
}

func buildLater(cfg *rules.Config) *lateEngine {
	l := &lateEngine{ready: make(chan struct{})}
	go func() {
		defer close(l.ready)
		l.eng, l.err = detectors.New(cfg)
	}()
	return l
}

func (l *lateEngine) Detect(c finding.Chunk) []finding.Finding {
	<-l.ready
	if l.err != nil {
		return nil // Run reports it (see wait)
	}
	return l.eng.Detect(c)
}

// wait returns the error building the engine failed with, if any.
func (l *lateEngine) wait() error {
	<-l.ready
	return l.err
}

func (l *lateEngine) Allowed() map[string]int {
	<-l.ready
	if l.eng == nil {
		return nil
	}
	return l.eng.Allowed()
}
