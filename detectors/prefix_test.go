package detectors

import (
	"fmt"
	"math/rand"
	"reflect"
	"regexp/syntax"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors/regex"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

// Searching with a rule's regex less its lazy prefix, then restoring the
// match start, must give exactly what the whole regex gives: every match,
// every group.
func TestLazyPrefixSameMatches(t *testing.T) {
	exprs := []string{
		// The shape of most gitleaks rules.
		`(?i)[\w.-]{0,50}?(?:access|auth|api|credential|key|secret|token)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([\w.=-]{10,150}|[a-z0-9][a-z0-9+/]{11,}={0,3})(?:[\x60'"\s;]|\\[nr]|$)`,
		`(?i)[\w.-]{0,50}?(?:widget)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|:|=>)[\x60'"\s=]{0,5}([a-z0-9_-]{32})(?:[\x60'"\s;]|$)`,
		`[a-z]{0,3}?(k)`,
		`[a-z_]*?token=([A-Za-z0-9]{8,})`,
		`[\w]{0,5}?(?:ab|b)(c+)`,
		`[a-z]{0,4}?x([0-9]*)`,
	}
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	split := 0
	for _, r := range cfg.Rules {
		if r.Regex != "" {
			exprs = append(exprs, r.Regex)
		}
	}
	rng := rand.New(rand.NewSource(1))
	pieces := []string{"a", "b", "c", "k", "x", "\u212a", "\u017f", "\u00e9t\u00e9", "0", "9", "_", "-", ".", " ", "=", ":", "\"", "'", "\n",
		"token", "api_key", "widget", "secret", "Key", "AUTH", "ab", "abc", "tok", "my_app.", "é",
		"0123456789abcdef0123456789abcdef", "Zx9Qw8Er7Ty6Ui5Op4As3Df2", "=\"", "\" ", "xxk", "token=Ab12Cd34Ef"}
	for _, expr := range exprs {
		tree, err := syntax.Parse(expr, syntax.Perl)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		search, p := splitLazyPrefix(tree, expr)
		if p == nil {
			continue
		}
		split++
		whole := regex.MustCompile(expr)
		rest, err := regex.Compile(search)
		if err != nil {
			t.Fatalf("%s: rest %q does not compile: %v", expr, search, err)
		}
		if rest.NumSubexp() != whole.NumSubexp() {
			t.Fatalf("%s: %d groups, rest %d", expr, whole.NumSubexp(), rest.NumSubexp())
		}
		var texts []string
		for i := 0; i < 300; i++ {
			var b strings.Builder
			for n := rng.Intn(12); n >= 0; n-- {
				b.WriteString(pieces[rng.Intn(len(pieces))])
			}
			texts = append(texts, b.String())
		}
		for _, r := range cfg.Rules {
			if r.Regex == expr {
				for _, ex := range append(append([]string(nil), r.Examples...), r.NegativeExamples...) {
					texts = append(texts, ex, "my_long.var-name_"+ex, ex+" "+ex, strings.Repeat("a", 60)+ex)
				}
			}
		}
		for _, text := range texts {
			want := whole.FindAllSubmatchIndex([]byte(text), -1)
			got := rest.FindAllSubmatchIndex([]byte(text), -1)
			prev := 0
			for _, m := range got {
				m[0] = p.start([]byte(text), m[0], prev)
				prev = m[1]
			}
			if len(want) == 0 && len(got) == 0 {
				continue
			}
			if !reflect.DeepEqual(want, got) {
				t.Errorf("%s\non %q:\n whole %v\n split %v", expr, text, want, got)
				break
			}
		}
	}
	if split < 4 {
		t.Fatalf("only %d regexes had a lazy prefix to drop", split)
	}
	t.Logf("%d regexes searched without their prefix", split)
}

// A prefix is dropped only when it is a lazy run of a class that opens
// the regex and the rest can't match empty.
func TestSplitLazyPrefix(t *testing.T) {
	for _, tc := range []struct {
		expr  string
		split bool
	}{
		{`[\w.-]{0,50}?(?:key)=(\w+)`, true},
		{`(?i)[a-z]*?token`, true},
		{`[\w.-]{0,50}(?:key)=(\w+)`, false}, // greedy: the rest may start later
		{`[\w.-]{1,50}?key`, false},          // must take a byte
		{`.{0,50}?key`, false},               // not a class
		{`\pL{0,5}?key`, true},               // letters beyond ASCII
		{`([\w]{0,5}?)key`, false},           // inside a group
		{`[\w]{0,5}?(?:key)?`, false},        // the rest can match empty
		{`key[\w]{0,5}?`, false},
	} {
		tree, err := syntax.Parse(tc.expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		_, p := splitLazyPrefix(tree, tc.expr)
		if (p != nil) != tc.split {
			t.Errorf("%s: split %v, want %v", tc.expr, p != nil, tc.split)
		}
	}
}

func ExampleEngine_lazyPrefix() {
	cfg := &rules.Config{Rules: []rules.Rule{{
		ID:       "widget",
		Regex:    `(?i)[\w.-]{0,50}?(?:widget)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|:)[\x60'"\s=]{0,5}([a-z0-9]{16})(?:[\x60'"\s;]|$)`,
		Keywords: []string{"widget"},
	}}}
	cfg.Normalize()
	e, err := New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	c := finding.Chunk{Origin: finding.Origin{Path: "app.env"}, Data: []byte("export MY_APP.WIDGET_KEY=\"q8zr2xlw9tnv4kps\"\n")}
	for _, f := range e.Detect(c) {
		fmt.Println(f.Match, f.Secret, f.Location.Column)
	}
	// Output: MY_APP.WIDGET_KEY="q8zr2xlw9tnv4kps" q8zr2xlw9tnv4kps 27
}
