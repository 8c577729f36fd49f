package accuracy

import (
	"strings"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

func TestScoreFamilies(t *testing.T) {
	t.Parallel()
	truth := Truth{
		Planted: []Planted{
			{File: "a.env", Line: 1, RuleID: "acme-key", Secret: "s1", Positive: true},
			{File: "a.env", Line: 2, RuleID: "acme-key", Secret: "s2", Positive: true},
			{File: "b.env", Line: 1, RuleID: "generic-x", Secret: "s3", Positive: true},
			{File: "n.env", Line: 1},
		},
		Family: map[string]string{"acme-key": "saas", "generic-x": "generic"},
	}
	at := func(rule, file string, line int, secret string) finding.Finding {
		f := finding.Finding{RuleID: rule, Secret: secret}
		f.Location.Origin.Path, f.Location.Line = file, line
		return f
	}
	res := Score(truth, []finding.Finding{
		at("acme-key", "a.env", 1, "s1"),
		at("generic-x", "a.env", 2, "s2"), // acme's secret, found by generic
		at("generic-x", "b.env", 1, "s3"),
		at("generic-x", "n.env", 1, "no"), // a look-alike
		at("generic-x", "a.env", 1, "s1-wrong"),
	})
	if res.Planted != 3 || res.Found != 3 || res.FalsePositives != 2 {
		t.Fatalf("planted %d found %d fp %d, want 3 3 2", res.Planted, res.Found, res.FalsePositives)
	}
	fam := map[string]RuleScore{}
	for _, f := range res.Families {
		fam[f.RuleID] = f
	}
	want := map[string]RuleScore{
		"saas":    {RuleID: "saas", Planted: 2, Found: 2, ByOther: 1, Hits: 1, Recall: 1, Precision: 1},
		"generic": {RuleID: "generic", Planted: 1, Found: 1, Hits: 2, FalsePositives: 2, Recall: 1, Precision: 0.5},
	}
	for name, w := range want {
		if fam[name] != w {
			t.Errorf("family %s = %+v, want %+v", name, fam[name], w)
		}
	}
	table := res.Table(false)
	for _, s := range []string{"generic ", "saas ", "generic-x", "precision 0.6000"} {
		if !strings.Contains(table, s) {
			t.Errorf("table lacks %q:\n%s", s, table)
		}
	}
	if strings.Contains(table, "acme-key") {
		t.Errorf("a perfect rule is listed without all:\n%s", table)
	}
}
