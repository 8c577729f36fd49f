// Package detectors runs rules over chunks of content: a keyword prefilter
// picks the rules worth running and where, RE2 regexes find candidates, and
// entropy, checksum validators, placeholder filters and allowlists decide
// which candidates are findings. The engine owns all of this; sources only
// supply chunks.
package detectors

import (
	"bytes"
	"fmt"
	"regexp/syntax"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/leakhound/leakhound/detectors/regex"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

// Detector finds secrets in a chunk. Detect must be safe for concurrent use.
type Detector interface {
	Detect(c finding.Chunk) []finding.Finding
}

// Window sizes around a keyword hit. A single-line rule is matched on the
// line the keyword is on (capped, for minified files with megabyte lines);
// a multiline rule gets room for a PEM block after its keyword.
const (
	windowBefore          = 512
	windowAfter           = 4096
	multilineWindowAfter  = 32 << 10
	multilineWindowBefore = 1024
)

// MaxOverlap is the overlap sources must leave between chunks so the
// longest match the engine looks for is never split.
const MaxOverlap = multilineWindowAfter + multilineWindowBefore

// maxWindow caps a merged window (see addWindow); it is larger than any
// single window, so a lone keyword's window is never cut.
const maxWindow = 64 << 10

type compiledRule struct {
	rules.Rule
	index    int
	prepOnce sync.Once
	prepErr  error
	// re is compiled on first use: most runs (a pre-commit hook on one
	// file) touch a few rules, and compiling hundreds of RE2 programs up
	// front would dominate their start-up.
	reOnce sync.Once
	re     *regex.Regexp
	reErr  error
	// search is the regex compiled for the rule: its own, or less a lazy
	// prefix (see prefix.go), whose match starts are then restored.
	search string
	prefix *lazyPrefix
	// need is text any match of search holds beyond the keyword that put
	// the rule in a window: a window without it is passed over, and a
	// rule whose windows all lack it is never compiled.
	need regex.Required
	// implies holds the keywords (by prefilter id) whose presence meets
	// need on its own: windows of theirs skip the check.
	implies    map[int32]bool
	keywordIDs []int32 // prefilter ids of Keywords, in their order
	// lead is how search's matches begin, when every match begins with
	// one of the rule's keywords (else it is empty): a keyword not
	// followed by what the lead wants puts the rule in no window there.
	lead       regex.Lead
	groups     int
	path       *regex.Regexp
	pathNeed   regex.Required // what path must hold for path to match
	allowlists []compiledAllowlist
	validate   Validator
	// validateIn also sees the match before the secret; extract turns a
	// match into the secrets of the structure it points at (see
	// validate_files.go).
	validateIn ContextValidator
	extract    Extractor
}

type compiledAllowlist struct {
	and       bool
	target    string
	regexes   []*regex.Regexp
	paths     []*regex.Regexp
	stopwords []string
	commits   map[string]bool
}

// Engine is a compiled rule set.
type Engine struct {
	rules      []*compiledRule
	byKeyword  [][]*compiledRule // keyword id -> rules
	noKeywords []*compiledRule   // rules run on every chunk
	pathOnly   []*compiledRule
	global     []globalAllowlist
	pre        *prefilter
	// byID and hasMultiPart serve multi-part rules (required, skipReport).
	byID         map[string]*compiledRule
	hasMultiPart bool
	// Matches left out because the user allowed them, by how: the
	// summary reports them, so an allowlist that hides everything shows.
	allowedInline, allowedRule, allowedGlobal atomic.Int64
	// noInlineAllow: inline allow comments allow nothing (see
	// rules.Config.NoInlineAllow).
	noInlineAllow bool
	scratch       sync.Pool // *scratch
	// unfiltered turns off the checks that only save work (requirements,
	// leads), for the test that they change no finding.
	unfiltered bool
}

// Allowed returns how many matches were left out by inline allow comments,
// rule allowlists and global allowlists so far. A secret matched by two
// rules, or met twice, counts twice.
func (e *Engine) Allowed() map[string]int {
	out := map[string]int{}
	for _, c := range []struct {
		name string
		n    *atomic.Int64
	}{{"inline allow comments", &e.allowedInline}, {"rule allowlists", &e.allowedRule}, {"global allowlists", &e.allowedGlobal}} {
		if n := c.n.Load(); n > 0 {
			out[c.name] = int(n)
		}
	}
	return out
}

type globalAllowlist struct {
	compiledAllowlist
	targets map[string]bool
}

// New compiles a validated config into an engine.
func New(cfg *rules.Config) (*Engine, error) {
	e := &Engine{noInlineAllow: cfg.NoInlineAllow}
	kwIndex := map[string]int{}
	var words []string
	for i, r := range cfg.Rules {
		cr := &compiledRule{Rule: r, index: i}
		if cr.Severity == "" {
			cr.Severity = rules.Medium
		}
		fail := func(what string, err error) error {
			return &rules.ValidationError{File: r.File, RuleID: r.ID, Err: fmt.Errorf("%s: %w", what, err)}
		}
		var err error
		if !cfg.Builtin {
			// A user's config: its syntax is checked now (it may not have
			// been validated). The built-in rules' tests check theirs, and
			// parsing a thousand regexes would be most of a short scan's
			// start-up, so theirs are parsed on first use.
			if err := cr.prep(); err != nil {
				return nil, fail("compile regex", err)
			}
		}
		if r.Path != "" {
			cr.pathNeed = regex.RequiredOf(r.Path)
			if cr.path, err = regex.Compile(r.Path); err != nil {
				return nil, fail("compile path", err)
			}
		}
		for _, a := range r.Allowlists {
			ca, err := compileAllowlist(a)
			if err != nil {
				return nil, fail("allowlist", err)
			}
			cr.allowlists = append(cr.allowlists, ca)
		}
		if r.Validator != "" {
			c, ok := lookupCheck(r.Validator)
			if !ok {
				return nil, fail("validate", fmt.Errorf("unknown validator %q", r.Validator))
			}
			cr.validate, cr.validateIn, cr.extract = c.value, c.inContext, c.extract
		}
		e.rules = append(e.rules, cr)
		if e.byID == nil {
			e.byID = map[string]*compiledRule{}
		}
		e.byID[r.ID] = cr
		if len(r.Required) > 0 || r.SkipReport {
			e.hasMultiPart = true
		}
		switch {
		case r.Regex == "":
			e.pathOnly = append(e.pathOnly, cr)
		case len(r.Keywords) == 0:
			e.noKeywords = append(e.noKeywords, cr)
		default:
			for _, k := range r.Keywords {
				id, ok := kwIndex[k]
				if !ok {
					id = len(words)
					kwIndex[k] = id
					words = append(words, k)
					e.byKeyword = append(e.byKeyword, nil)
				}
				cr.keywordIDs = append(cr.keywordIDs, int32(id))
				e.byKeyword[id] = append(e.byKeyword[id], cr)
			}
		}
	}
	for _, a := range cfg.Allowlists {
		ca, err := compileAllowlist(a)
		if err != nil {
			return nil, &rules.ValidationError{Err: fmt.Errorf("global allowlist: %w", err)}
		}
		g := globalAllowlist{compiledAllowlist: ca}
		if len(a.TargetRules) > 0 {
			g.targets = map[string]bool{}
			for _, id := range a.TargetRules {
				g.targets[id] = true
			}
		}
		e.global = append(e.global, g)
	}
	e.pre = newPrefilter(words)
	return e, nil
}

func compileAllowlist(a rules.Allowlist) (compiledAllowlist, error) {
	ca := compiledAllowlist{
		and:    strings.EqualFold(a.Condition, "AND"),
		target: a.RegexTarget,
	}
	for _, s := range a.Regexes {
		re, err := regex.Compile(s)
		if err != nil {
			return ca, fmt.Errorf("regex %q: %w", s, err)
		}
		ca.regexes = append(ca.regexes, re)
	}
	for _, s := range a.Paths {
		re, err := regex.Compile(s)
		if err != nil {
			return ca, fmt.Errorf("path %q: %w", s, err)
		}
		ca.paths = append(ca.paths, re)
	}
	for _, w := range a.Stopwords {
		ca.stopwords = append(ca.stopwords, strings.ToLower(w))
	}
	if len(a.Commits) > 0 {
		ca.commits = map[string]bool{}
		for _, c := range a.Commits {
			ca.commits[c] = true
		}
	}
	return ca, nil
}

// candidate is what an allowlist looks at.
type candidate struct {
	secret, match, line, path, commit string
}

func (a *compiledAllowlist) allows(c candidate) bool {
	var results []bool
	if len(a.commits) > 0 {
		results = append(results, a.commits[c.commit])
	}
	if len(a.paths) > 0 {
		ok := false
		for _, re := range a.paths {
			if re.MatchString(c.path) {
				ok = true
				break
			}
		}
		results = append(results, ok)
	}
	if len(a.regexes) > 0 {
		target := c.secret
		switch a.target {
		case "match":
			target = c.match
		case "line":
			target = c.line
		}
		ok := false
		for _, re := range a.regexes {
			if re.MatchString(target) {
				ok = true
				break
			}
		}
		results = append(results, ok)
	}
	if len(a.stopwords) > 0 {
		ls := strings.ToLower(c.secret)
		ok := false
		for _, w := range a.stopwords {
			if strings.Contains(ls, w) {
				ok = true
				break
			}
		}
		results = append(results, ok)
	}
	if len(results) == 0 {
		return false
	}
	for _, r := range results {
		if r && !a.and {
			return true
		}
		if !r && a.and {
			return false
		}
	}
	return a.and
}

// spansLines reports whether a regex is written to match across lines: it
// has an explicit newline, a dot in (?s) mode, or a class like [\s\S] that
// takes (almost) anything including a newline. Rules from gitleaks configs
// say so only this way; a plain \s (which also matches a newline, but is
// written for spaces) does not count.
func spansLines(re *syntax.Regexp) bool {
	var walk func(*syntax.Regexp) bool
	walk = func(re *syntax.Regexp) bool {
		switch re.Op {
		case syntax.OpAnyChar:
			return true
		case syntax.OpLiteral:
			for _, r := range re.Rune {
				if r == '\n' {
					return true
				}
			}
		case syntax.OpCharClass:
			covered, newline := 0, false
			for i := 0; i+1 < len(re.Rune); i += 2 {
				lo, hi := re.Rune[i], re.Rune[i+1]
				if lo <= '\n' && '\n' <= hi {
					newline = true
				}
				if lo < 128 {
					covered += int(min(hi, 127) - lo + 1)
				}
			}
			if newline && covered > 100 {
				return true
			}
		}
		for _, sub := range re.Sub {
			if walk(sub) {
				return true
			}
		}
		return false
	}
	return walk(re)
}

// prep parses the rule's regex once: whether it spans lines, and the
// regex to search with (see prefix.go). Safe for concurrent use.
func (r *compiledRule) prep() error {
	r.prepOnce.Do(func() {
		if r.Regex == "" {
			return
		}
		re, err := r.Syntax()
		if err != nil {
			r.prepErr = err
			return
		}
		r.Multiline = r.Multiline || spansLines(re)
		r.search, r.prefix = splitLazyPrefix(re, r.Regex)
		r.groups = re.MaxCap()
		// The analyses below read the regex searched with: the rule's own,
		// parsed once (each parsing it again took a third of prep), or
		// the rest after a lazy prefix.
		search := re
		if r.search != r.Regex {
			if search, err = syntax.Parse(r.search, syntax.Perl); err != nil {
				search = nil
			}
		}
		var need regex.Required
		if search != nil {
			need = regex.RequiredOfSyntax(search)
		}
		r.need = need.Given(r.Keywords)
		for i, k := range r.Keywords {
			if i < len(r.keywordIDs) && r.need.Given([]string{k}).Empty() {
				if r.implies == nil {
					r.implies = map[int32]bool{}
				}
				r.implies[r.keywordIDs[i]] = true
			}
		}
		if search != nil {
			if lead := regex.LeadOfSyntax(search); lead.Keyed(r.Keywords) {
				r.lead = lead
			}
		}
	})
	return r.prepErr
}

// impliedBy reports whether keyword id meets the rule's requirement.
func (r *compiledRule) impliedBy(id int32) bool { return r.implies[id] }

// pathMemo remembers which path regexes match one path: the chunks of a
// file, and in git history the new lines of a blob, come one after the
// other with the same path, and most paths lack what a path regex
// requires (".tf", "id_rsa"), which is checked before RE2 runs.
type pathMemo struct {
	path    string
	lower   []byte  // path lowercased, when ascii
	ascii   bool    // path is all ASCII
	result  []uint8 // rule index -> 0 (not yet), pathMatch, pathOther
	touched []int
}

const (
	pathMatch = 1 + iota
	pathOther
)

// matches reports whether r's path regex matches path.
func (m *pathMemo) matches(r *compiledRule, path string) bool {
	if m.path != path || len(m.touched) == 0 { // (nothing remembered: lower is set anew)
		for _, i := range m.touched {
			m.result[i] = 0
		}
		m.touched = m.touched[:0]
		m.path = path
		m.lower = slices.Grow(m.lower[:0], len(path))[:len(path)]
		m.ascii = regex.LowerASCII(m.lower, []byte(path))
	}
	if v := m.result[r.index]; v != 0 {
		return v == pathMatch
	}
	ok := (!m.ascii || r.pathNeed.MetLower(m.lower)) && r.path.MatchString(path)
	m.result[r.index] = pathOther
	if ok {
		m.result[r.index] = pathMatch
	}
	m.touched = append(m.touched, r.index)
	return ok
}

// regexp returns the rule's compiled regex, compiling it on first use; nil
// if RE2 rejects what Go's parser accepted (the error is kept for
// CompileAll).
func (r *compiledRule) regexp() *regex.Regexp {
	r.reOnce.Do(func() {
		if err := r.prep(); err != nil {
			r.reErr = err
			return
		}
		if r.prefix != nil {
			// The rule's regex less its prefix, printed back by Go's
			// parser: should RE2 read it otherwise, the rule's own is used.
			if re, err := regex.Compile(r.search); err == nil && re.NumSubexp() == r.groups {
				r.re = re
				return
			}
			r.prefix = nil
		}
		r.re, r.reErr = regex.Compile(r.Regex)
	})
	return r.re
}

// CompileAll compiles every rule's regex now and returns the first error,
// naming the rule. Commands that validate a config call it; scans rely on
// compiling on first use. Regexes known reports true for are left to
// first use as well (known may be nil).
func (e *Engine) CompileAll(known func(expr string) bool) error {
	for _, r := range e.rules {
		if r.Regex == "" || known != nil && known(r.Regex) {
			continue
		}
		if r.regexp(); r.reErr != nil {
			return &rules.ValidationError{File: r.File, RuleID: r.ID, Err: fmt.Errorf("compile regex: %w", r.reErr)}
		}
	}
	return nil
}

// scratch is one detect call's working state, kept by rule index and
// pooled: a map per chunk cost more than the matching on small files.
type scratch struct {
	windows [][]span // rule index -> windows to match the rule on
	// met (rule index -> one per window) is set for a window one of
	// whose keywords implies the rule's requirement: it needs no check.
	met     [][]bool
	state   []uint8 // rule index -> ruleApplies, ruleSkipped or 0 (not met yet)
	touched []int   // rule indexes with a state
	hits    []hit
	lower   lowered // for the requirement checks
	paths   pathMemo
}

const (
	ruleApplies = 1 + iota
	ruleSkipped
)

func (e *Engine) getScratch() *scratch {
	if st, ok := e.scratch.Get().(*scratch); ok {
		return st
	}
	n := len(e.rules)
	return &scratch{windows: make([][]span, n), met: make([][]bool, n), state: make([]uint8, n), paths: pathMemo{result: make([]uint8, n)}}
}

func (e *Engine) putScratch(st *scratch) {
	for _, i := range st.touched {
		st.windows[i] = st.windows[i][:0]
		st.met[i] = st.met[i][:0]
		st.state[i] = 0
	}
	st.touched = st.touched[:0]
	if cap(st.hits) > 1<<16 {
		st.hits = nil // a chunk full of keywords: don't keep its share
	}
	st.lower.data = nil
	e.scratch.Put(st)
}

func (st *scratch) mark(i int, state uint8) {
	st.state[i] = state
	st.touched = append(st.touched, i)
}

// addHit adds the window of a keyword at data[start:end] to rule r's;
// met says the keyword implies the rule's requirement. Hits come in order
// of their ends. A single-line rule's window is the keyword's line, capped
// on each side: a hit inside the last window, when that reaches the line's
// end and its start is the line's start or no further back than the cap,
// would add the same window again.
func (st *scratch) addHit(r *compiledRule, data []byte, start, end int, met bool) {
	i := r.index
	ws := st.windows[i]
	if n := len(ws); n > 0 && !r.Multiline {
		last := ws[n-1]
		if last.start <= start && end <= last.end &&
			(last.end == len(data) || data[last.end] == '\n') &&
			(last.start == 0 || data[last.start-1] == '\n' || start-windowBefore >= last.start) {
			st.met[i][n-1] = st.met[i][n-1] || met
			return
		}
	}
	n := len(ws)
	st.windows[i] = addWindow(ws, window(data, start, end, r.Multiline))
	if len(st.windows[i]) > n {
		st.met[i] = append(st.met[i], met)
	} else {
		// Merged into the last window, which now holds this keyword too.
		st.met[i][n-1] = st.met[i][n-1] || met
	}
}

// span is a half-open byte range of a chunk.
type span struct{ start, end int }

// Detect runs every applicable rule over the chunk and over what its
// encoded runs decode to.
func (e *Engine) Detect(c finding.Chunk) []finding.Finding {
	out := e.detect(c, 0)
	if c.NoLines {
		// Lines counted in strings taken out of a binary (one run a line)
		// served multi-part rules' nearness; reports get the offset only.
		for i := range out {
			l := &out[i].Location
			l.Line, l.Column, l.EndLine, l.EndColumn = 0, 0, 0, 0
		}
	}
	return out
}

func (e *Engine) detect(c finding.Chunk, depth int) (out []finding.Finding) {
	data := c.Data
	own := len(data) - c.Tail // matches starting at or after own belong to the next chunk
	path := c.Origin.DisplayPath()

	st := e.getScratch()
	defer e.putScratch(st)
	if c.Offset == 0 && depth == 0 {
		for _, r := range e.pathOnly {
			if st.paths.matches(r, path) {
				out = append(out, e.pathFinding(r, c, path))
			}
		}
	}

	// Windows per rule, from keyword hits. A rule bound to other paths is
	// dropped at its first hit (its path regex runs once per path).
	// Part-only rules (skipReport) get theirs later, if at all (see below).
	applies := func(r *compiledRule) bool {
		switch st.state[r.index] {
		case ruleApplies:
			return true
		case ruleSkipped:
			return false
		}
		if r.path != nil && !st.paths.matches(r, path) {
			st.mark(r.index, ruleSkipped)
			return false
		}
		r.prep() // an error is reported by regexp, below
		st.mark(r.index, ruleApplies)
		return true
	}
	// keyword adds rule r's window for hit h, unless the bytes after the
	// keyword can't start one of its matches (see regex.Lead).
	keyword := func(r *compiledRule, h hit) {
		start := h.End - len(e.pre.words[h.Keyword])
		if e.unfiltered || r.lead.At(data, start) {
			st.addHit(r, data, start, h.End, r.impliedBy(h.Keyword))
		}
	}
	var hits []hit
	partOnlyHit := false
	if len(e.byKeyword) > 0 {
		hits = e.pre.find(data, st.hits[:0])
		st.hits = hits
		for _, h := range hits {
			for _, r := range e.byKeyword[h.Keyword] {
				if !applies(r) {
					continue
				}
				if r.SkipReport {
					partOnlyHit = true
					continue
				}
				keyword(r, h)
			}
		}
	}
	for _, r := range e.noKeywords {
		if applies(r) {
			st.windows[r.index] = append(st.windows[r.index], span{0, len(data)})
			st.met[r.index] = append(st.met[r.index], false)
		}
	}
	lines := newLineIndex(data, c.LineBase, c.ColumnBase)
	var spans []span   // secret spans of out's regex findings, in order
	var covered []span // secret spans provider rules matched but allowlists allowed
	var allowedSpans []allowedSpan
	defer func() { e.countAllowed(allowedSpans) }()
	if depth < maxDecodeDepth {
		defer func() {
			dec, replaced := e.detectDecoded(c, depth, lines, out, spans)
			if len(replaced) > 0 {
				out, spans = dropGeneric(out, spans, replaced)
			}
			out = append(out, dec...)
		}()
	}
	if len(st.touched) == 0 {
		return out
	}
	// Deterministic rule order.
	slices.Sort(st.touched)

	// Part-only rules (skipReport) run last, and only when another rule
	// found something in the chunk: their findings are never reported,
	// only kept for the findings beside them (required parts, the values
	// verification needs), so without one they are work thrown away, and
	// some are keyed on common text (an email address's "@").
	lowerReady := false
	run := func(r *compiledRule) {
		lastEnd := -1 // windows may overlap: each match is taken once
		for wi, w := range st.windows[r.index] {
			if !e.unfiltered && !r.need.Empty() && !st.met[r.index][wi] {
				if !lowerReady {
					st.lower.reset(data)
					lowerReady = true
				}
				if text, ascii := st.lower.window(w.start, w.end); ascii && !r.need.MetLower(text) {
					continue
				}
			}
			text := regex.Sanitize(data[w.start:w.end])
			re := r.regexp()
			if re == nil {
				break
			}
			prev := 0 // end of the previous match in text
			for _, m := range re.FindAllSubmatchIndex(text, -1) {
				if r.prefix != nil {
					m[0] = r.prefix.start(text, m[0], prev)
				}
				prev = m[1]
				start, end := m[0]+w.start, m[1]+w.start
				if start < lastEnd {
					continue
				}
				lastEnd = end
				if start >= own {
					continue
				}
				record := func(f finding.Finding, v verdict, ss, se int) {
					switch {
					case v == kept:
						out = append(out, f)
						spans = append(spans, span{ss, se})
					case v == malformed && !isGeneric(r.Tags):
						// In the provider's format but failing its checksum
						// or structure (a truncated or made-up token): a
						// generic rule must not report it instead.
						covered = append(covered, span{ss, se})
					case v >= allowed:
						if !isGeneric(r.Tags) {
							// The user allowed this secret for its provider's
							// rule; a generic rule must not report it instead.
							covered = append(covered, span{ss, se})
						}
						allowedSpans = append(allowedSpans, allowedSpan{span{ss, se}, v})
					}
				}
				if r.extract != nil {
					for _, x := range r.extract(data, start, end) {
						if x.end <= c.Head {
							continue // an old value (see Chunk.Head)
						}
						f, v := e.check(r, c, data, lines, path, x.start, x.end, x.start, x.end, x.secret)
						record(f, v, x.start, x.end)
					}
					continue
				}
				if end <= c.Head {
					continue // old lines only (see Chunk.Head)
				}
				ss, se := secretSpan(r, m)
				if ss < 0 {
					continue
				}
				secret := string(text[ss:se])
				ss += w.start
				se += w.start
				f, v := e.check(r, c, data, lines, path, start, end, ss, se, secret)
				if v == kept {
					f.Groups = namedGroups(re, text, m, ss-w.start, se-w.start)
				}
				record(f, v, ss, se)
			}
		}
	}
	for _, i := range st.touched {
		if r := e.rules[i]; !r.SkipReport && st.state[i] == ruleApplies {
			run(r)
		}
	}
	if len(out) > 0 && partOnlyHit {
		for _, h := range hits {
			for _, r := range e.byKeyword[h.Keyword] {
				if r.SkipReport && st.state[r.index] == ruleApplies {
					keyword(r, h)
				}
			}
		}
		for _, i := range st.touched {
			if r := e.rules[i]; r.SkipReport && st.state[i] == ruleApplies {
				run(r)
			}
		}
	}
	out, spans = e.applyRequired(out, spans)
	out, spans = dropGenericOverlaps(out, spans, covered)
	out, spans = dropInsideKeys(out, spans)
	out, spans = e.dropSameSecret(out, spans)
	return out
}

// namedGroups returns a match's named groups other than the one holding
// the secret (text[ss:se]), or nil.
func namedGroups(re *regex.Regexp, text []byte, m []int, ss, se int) map[string]string {
	var out map[string]string
	for g, name := range re.SubexpNames() {
		if name == "" || 2*g+1 >= len(m) || m[2*g] < 0 || (m[2*g] == ss && m[2*g+1] == se) {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[name] = string(text[m[2*g]:m[2*g+1]])
	}
	return out
}

// allowedSpan is a secret the user allowed, and how.
type allowedSpan struct {
	span
	how verdict
}

// countAllowed counts the allowed secrets of a chunk: once each, however
// many rules matched it (overlapping spans count once).
func (e *Engine) countAllowed(as []allowedSpan) {
	if len(as) == 0 {
		return
	}
	sort.SliceStable(as, func(i, j int) bool { return as[i].start < as[j].start })
	end := -1
	for _, a := range as {
		if a.start < end {
			end = max(end, a.end)
			continue
		}
		end = a.end
		switch a.how {
		case allowed:
			e.allowedInline.Add(1)
		case allowedByRule:
			e.allowedRule.Add(1)
		default:
			e.allowedGlobal.Add(1)
		}
	}
}

// applyRequired enforces multi-part rules on one chunk's findings: a
// finding of a rule with required parts stays only if each part has a
// finding close enough, and findings of skipReport rules (parts only) go,
// their secrets kept in the Parts of the findings that stay (for
// verification). spans stay aligned with the findings they belong to.
func (e *Engine) applyRequired(fs []finding.Finding, spans []span) ([]finding.Finding, []span) {
	if !e.hasMultiPart || len(fs) == 0 {
		return fs, spans
	}
	offset := len(fs) - len(spans)
	byRule := map[string][]*finding.Finding{}
	var parts map[string][]string
	for i := range fs {
		f := &fs[i]
		byRule[f.RuleID] = append(byRule[f.RuleID], f)
		if r := e.byID[f.RuleID]; r != nil && r.SkipReport && !slices.Contains(parts[f.RuleID], f.Secret) {
			if parts == nil {
				parts = map[string][]string{}
			}
			parts[f.RuleID] = append(parts[f.RuleID], f.Secret)
		}
	}
	keep := func(f *finding.Finding) bool {
		r := e.byID[f.RuleID]
		if r == nil {
			return true
		}
		if r.SkipReport {
			return false
		}
		for _, req := range r.Required {
			ok := false
			for _, part := range byRule[req.ID] {
				if near(f.Location, part.Location, req) {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		}
		return true
	}
	outF, outS := fs[:0:0], spans[:0:0]
	for i := range fs {
		if keep(&fs[i]) {
			if parts != nil {
				fs[i].Parts = parts
			}
			outF = append(outF, fs[i])
			if i >= offset {
				outS = append(outS, spans[i-offset])
			}
		}
	}
	return outF, outS
}

func near(a, b finding.Location, req rules.Required) bool {
	abs := func(x int) int {
		if x < 0 {
			return -x
		}
		return x
	}
	if req.WithinLines != nil && abs(a.Line-b.Line) > *req.WithinLines {
		return false
	}
	if req.WithinColumns != nil && abs(a.Column-b.Column) > *req.WithinColumns {
		return false
	}
	return true
}

// dropGenericOverlaps removes findings of generic rules whose secret
// overlaps a provider rule's finding: the provider rule says more (which
// credential, how severe), and one secret should be one finding. Of two
// generic findings of the same secret at the same place (a --password="v"
// is an assignment and a flag), the first rule's is kept.
func dropGenericOverlaps(fs []finding.Finding, spans, covered []span) ([]finding.Finding, []span) {
	// fs[i] and spans[i] match up, except that path-only findings come
	// first in fs without a span.
	offset := len(fs) - len(spans)
	specific := covered
	generic := 0
	for i, f := range fs[offset:] {
		if !isGeneric(f.Tags) {
			specific = append(specific, spans[i])
		} else {
			generic++
		}
	}
	fs, spans = dropGeneric(fs, spans, specific)
	fs, spans = dropFallback(fs, spans, covered)
	if generic < 2 {
		return fs, spans
	}
	seen := map[span]bool{}
	outF, outS := fs[:len(fs)-len(spans)], spans[:0]
	for i, f := range fs[len(fs)-len(spans):] {
		if isGeneric(f.Tags) {
			if seen[spans[i]] {
				continue
			}
			seen[spans[i]] = true
		}
		outF = append(outF, f)
		outS = append(outS, spans[i])
	}
	return outF, outS
}

// dropGeneric removes generic findings whose secret overlaps one of
// others, keeping spans aligned with the findings.
func dropGeneric(fs []finding.Finding, spans, others []span) ([]finding.Finding, []span) {
	if len(others) == 0 {
		return fs, spans
	}
	return dropWhere(fs, spans, func(i int, f finding.Finding) bool {
		return isGeneric(f.Tags) && overlapsAny(spans[i], others)
	})
}

// dropWhere returns the findings drop does not pick (i indexes spans:
// spans[i] is f's secret), keeping spans aligned with them; path-only
// findings (first in fs, without a span) always stay. The inputs are not
// modified.
func dropWhere(fs []finding.Finding, spans []span, drop func(i int, f finding.Finding) bool) ([]finding.Finding, []span) {
	offset := len(fs) - len(spans)
	outF, outS := append([]finding.Finding(nil), fs[:offset]...), spans[:0:0]
	for i, f := range fs[offset:] {
		if drop(i, f) {
			continue
		}
		outF = append(outF, f)
		outS = append(outS, spans[i])
	}
	return outF, outS
}

// dropFallback removes findings of fallback rules (a JWT, an
// Authorization header: structures many providers' credentials share)
// whose secret overlaps a provider rule's finding or a provider match the
// user allowed: the provider rule names the credential.
func dropFallback(fs []finding.Finding, spans, covered []span) ([]finding.Finding, []span) {
	offset := len(fs) - len(spans)
	providers := covered
	fallback := false
	for i, f := range fs[offset:] {
		switch {
		case isFallback(f.Tags):
			fallback = true
		case !isGeneric(f.Tags):
			providers = append(providers, spans[i])
		}
	}
	if !fallback || len(providers) == 0 {
		return fs, spans
	}
	return dropWhere(fs, spans, func(i int, f finding.Finding) bool {
		return isFallback(f.Tags) && overlapsAny(spans[i], providers)
	})
}

// dropInsideKeys removes findings whose secret lies inside a private
// key's found in the same chunk: a key's body is random base64, and a
// stretch of it may have a token's shape (a PEM line is 64 characters, as
// a Square access token is; one began with EAAA in a test key of
// cloudflare/circl). The key is the finding; the stretch is noise.
func dropInsideKeys(fs []finding.Finding, spans []span) ([]finding.Finding, []span) {
	offset := len(fs) - len(spans)
	var keys []span
	for i, f := range fs[offset:] {
		if slices.Contains(f.Tags, privateKeyTag) {
			keys = append(keys, spans[i])
		}
	}
	if len(keys) == 0 {
		return fs, spans
	}
	return dropWhere(fs, spans, func(i int, f finding.Finding) bool {
		return !slices.Contains(f.Tags, privateKeyTag) && slices.ContainsFunc(keys, func(k span) bool {
			return k.start <= spans[i].start && spans[i].end <= k.end
		})
	})
}

// dropSameSecret keeps one finding of a secret that two provider rules
// report at the same place: one secret is one finding, and two would name
// two providers for one credential (and send it to both to verify). The
// finding kept is, in this order: the one whose match says more before
// the secret, the key or connection string naming the provider
// (AWS_SECRET_ACCESS_KEY= over a value that merely starts like a Fauna
// secret, COMMERCEJS_SECRET_KEY= over the sk_test_ prefix Commerce.js
// shares with Stripe, a Cosmos DB connection string over the AccountKey=
// a storage one shares); the one whose secret starts with one of its
// rule's keywords of four characters or more (the provider's format);
// the first in rule order. Structures many providers share (a password
// on a command line, a JWT) are fallback rules, dropped before this.
func (e *Engine) dropSameSecret(fs []finding.Finding, spans []span) ([]finding.Finding, []span) {
	offset := len(fs) - len(spans)
	if len(spans) < 2 {
		return fs, spans
	}
	formatted := func(f finding.Finding) bool {
		r := e.byID[f.RuleID]
		if r == nil {
			return false
		}
		for _, k := range r.Keywords {
			if len(k) >= 4 && len(f.Secret) >= len(k) && strings.EqualFold(f.Secret[:len(k)], k) {
				return true
			}
		}
		return false
	}
	context := func(f finding.Finding) int { return max(0, strings.Index(f.Match, f.Secret)) }
	better := func(a, b finding.Finding) bool {
		if ca, cb := context(a), context(b); ca != cb {
			return ca > cb
		}
		return formatted(a) && !formatted(b)
	}
	best := map[span]int{} // span -> index into spans of the finding kept
	for i, f := range fs[offset:] {
		if j, ok := best[spans[i]]; !ok || better(f, fs[offset+j]) {
			best[spans[i]] = i
		}
	}
	if len(best) == len(spans) {
		return fs, spans
	}
	return dropWhere(fs, spans, func(i int, _ finding.Finding) bool { return best[spans[i]] != i })
}

// privateKeyTag marks the rules whose secret is a whole private key.
const privateKeyTag = "private-key"

// isFallback reports whether a rule is tagged fallback: it yields to
// provider rules, and generic rules yield to it.
func isFallback(tags []string) bool {
	for _, t := range tags {
		if t == "fallback" {
			return true
		}
	}
	return false
}

func isGeneric(tags []string) bool {
	for _, t := range tags {
		if t == "generic" {
			return true
		}
	}
	return false
}

// isDecoded reports whether tags mark a finding found in a decoding
// ("decoded:base64").
func isDecoded(tags []string) bool {
	for _, t := range tags {
		if strings.HasPrefix(t, "decoded:") {
			return true
		}
	}
	return false
}

func overlapsAny(s span, others []span) bool {
	for _, o := range others {
		if s.start < o.end && o.start < s.end {
			return true
		}
	}
	return false
}

// secretSpan picks the secret inside a match: the rule's secretGroup, or
// else the first non-empty group, or else the whole match (gitleaks'
// meaning of secretGroup 0).
func secretSpan(r *compiledRule, m []int) (int, int) {
	if r.SecretGroup > 0 {
		g := r.SecretGroup
		if 2*g+1 >= len(m) || m[2*g] < 0 {
			return -1, -1
		}
		return m[2*g], m[2*g+1]
	}
	for g := 1; 2*g+1 < len(m); g++ {
		if m[2*g] >= 0 && m[2*g+1] > m[2*g] {
			return m[2*g], m[2*g+1]
		}
	}
	return m[0], m[1]
}

// verdict is what check decided about a candidate.
type verdict int

const (
	kept    verdict = iota
	dropped         // not a secret: entropy, validator, placeholder
	// In a provider's format, but failing its checksum or structure.
	malformed
	// A secret, but the user allowed it: by an inline comment, a rule's
	// allowlist or a global one. Every verdict from allowed on is one.
	allowed
	allowedByRule
	allowedGlobally
)

func (e *Engine) check(r *compiledRule, c finding.Chunk, data []byte, lines *lineIndex, path string, start, end, ss, se int, secret string) (finding.Finding, verdict) {
	if secret == "" {
		return finding.Finding{}, dropped
	}
	ent := ShannonEntropy(secret)
	if r.Entropy > 0 && ent < r.Entropy {
		return finding.Finding{}, dropped
	}
	if r.validate != nil && !r.validate(secret) {
		if _, structural := validators[r.Validator]; structural {
			return finding.Finding{}, malformed
		}
		return finding.Finding{}, dropped
	}
	if r.validateIn != nil && !r.validateIn(string(data[start:ss]), secret) {
		return finding.Finding{}, dropped
	}
	// A checksum proves a token real; a random body that happens to
	// contain "todo" or "fake" is still a token.
	if !checksummed[r.Validator] && IsPlaceholder(secret) {
		return finding.Finding{}, dropped
	}
	lineStart, lineEnd := lineBounds(data, start, end)
	line := string(data[lineStart:lineEnd])
	if !e.noInlineAllow && hasInlineAllow(line) {
		return finding.Finding{}, allowed
	}
	cand := candidate{secret: secret, match: string(data[start:end]), line: line, path: path, commit: c.Origin.Commit}
	for i := range r.allowlists {
		if r.allowlists[i].allows(cand) {
			return finding.Finding{}, allowedByRule
		}
	}
	for i := range e.global {
		g := &e.global[i]
		if g.targets != nil && !g.targets[r.ID] {
			continue
		}
		if g.allows(cand) {
			return finding.Finding{}, allowedGlobally
		}
	}
	f := finding.Finding{
		RuleID:      r.ID,
		Description: r.Description,
		Severity:    r.Severity,
		Tags:        r.Tags,
		Secret:      secret,
		Match:       cand.match,
		Entropy:     ent,
		SecretHash:  finding.HashSecret(secret),
	}
	f.Location.Origin = c.Origin
	f.Location.Line, f.Location.Column = lines.position(ss)
	f.Location.EndLine, f.Location.EndColumn = lines.position(se)
	f.Location.Offset = c.ItemOffset(ss)
	f.Fingerprint = finding.Fingerprint(r.ID, path, f.SecretHash)
	return f, kept
}

func (e *Engine) pathFinding(r *compiledRule, c finding.Chunk, path string) finding.Finding {
	f := finding.Finding{
		RuleID:      r.ID,
		Description: r.Description,
		Severity:    r.Severity,
		Tags:        r.Tags,
		SecretHash:  finding.HashSecret(""),
	}
	f.Location.Origin = c.Origin
	f.Location.Line, f.Location.Column = 1, 1
	f.Fingerprint = finding.Fingerprint(r.ID, path, "")
	return f
}

// window returns the span a rule is matched on for a keyword at
// [start, end): the keyword's line, capped on each side.
func window(data []byte, start, end int, multiline bool) span {
	before, after := windowBefore, windowAfter
	if multiline {
		before, after = multilineWindowBefore, multilineWindowAfter
	}
	lo := start - before
	if lo < 0 {
		lo = 0
	}
	if i := bytes.LastIndexByte(data[lo:start], '\n'); i >= 0 && !multiline {
		lo += i + 1
	}
	hi := end + after
	if hi > len(data) {
		hi = len(data)
	}
	if !multiline {
		if i := bytes.IndexByte(data[end:hi], '\n'); i >= 0 {
			hi = end + i
		}
	}
	return span{lo, hi}
}

// addWindow appends w to ws (sorted by start, as hits arrive in order),
// merging it into the last window when they touch.
//
// A merged window stops growing at maxWindow bytes: on a megabyte line
// with a keyword every few bytes, one window the size of the line would
// make a regex with many matches cost the square of the line (RE2 resumes
// each search over the rest of its input). Windows past that size are
// kept apart, overlapping, and matches they share are reported once.
func addWindow(ws []span, w span) []span {
	if n := len(ws); n > 0 && w.start <= ws[n-1].end && w.end-ws[n-1].start <= maxWindow {
		if w.end > ws[n-1].end {
			ws[n-1].end = w.end
		}
		if w.start < ws[n-1].start {
			ws[n-1].start = w.start
		}
		return ws
	}
	return append(ws, w)
}

// lineBounds returns the line around [start, end), cut at maxLineContext
// bytes on each side: on a megabyte line (minified code, a JSON dump) the
// line of every match must not cost the whole line, or many matches on one
// line would cost its square.
func lineBounds(data []byte, start, end int) (int, int) {
	return lineBoundsWithin(data, start, end, maxLineContext, maxLineContext)
}

// lineBoundsWithin is lineBounds with its own limits before and after.
func lineBoundsWithin(data []byte, start, end, before, after int) (int, int) {
	lo := max(0, start-before)
	ls := lo
	if i := bytes.LastIndexByte(data[lo:start], '\n'); i >= 0 {
		ls = lo + i + 1
	}
	hi := min(len(data), end+after)
	le := hi
	if i := bytes.IndexByte(data[end:hi], '\n'); i >= 0 {
		le = end + i
	}
	return ls, le
}

// maxLineContext bounds the line text kept around a match (for inline
// allow markers and line allowlists).
const maxLineContext = 4096

var inlineAllowMarkers = []string{"leakhound:allow", "gitleaks:allow"}

func hasInlineAllow(line string) bool {
	for _, m := range inlineAllowMarkers {
		if strings.Contains(line, m) {
			return true
		}
	}
	return false
}

// lineIndex turns byte offsets into 1-based line and column numbers,
// counting newlines lazily and only once per chunk.
type lineIndex struct {
	data     []byte
	base     int
	colBase  int   // column offset of data[0] within its line
	newlines []int // offsets of '\n', filled on first use
	built    bool
}

func newLineIndex(data []byte, base, colBase int) *lineIndex {
	return &lineIndex{data: data, base: base, colBase: colBase}
}

func (l *lineIndex) position(off int) (line, col int) {
	if !l.built {
		for i := 0; ; {
			j := bytes.IndexByte(l.data[i:], '\n')
			if j < 0 {
				break
			}
			l.newlines = append(l.newlines, i+j)
			i += j + 1
		}
		l.built = true
	}
	n := sort.SearchInts(l.newlines, off) // newlines before off
	if n == 0 {
		return l.base + 1, l.colBase + off + 1
	}
	return l.base + n + 1, off - l.newlines[n-1]

}
