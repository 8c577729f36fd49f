//go:build !race

package accuracy

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/detectors"
	"github.com/leakhound/leakhound/detectors/regex"
	"github.com/leakhound/leakhound/rules"
)

// TestEveryMatchHasAKeyword: a rule runs only where one of its keywords
// is, so a text its regex matches but that holds none of them is a secret
// the rule can never find. Random matches of every rule must hold one.
func TestEveryMatchHasAKeyword(t *testing.T) {
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 11))
	for _, rule := range cfg.Rules {
		if rule.Regex == "" || len(rule.Keywords) == 0 {
			continue
		}
		for i := 0; i < 200; i++ {
			m, err := GenerateMatch(rule.Regex, r)
			if err != nil {
				break // the generator can't write this regex; TestAccuracy reports that
			}
			lm := strings.ToLower(m)
			found := false
			for _, k := range rule.Keywords {
				if strings.Contains(lm, k) {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s: a match holds none of its keywords %q: %q", rule.ID, rule.Keywords, m)
				break
			}
		}
	}
}

// TestEveryMatchMeetsItsRequirement: the engine passes over a window that
// lacks the text a rule's regex requires (regex.RequiredOf), without
// running the regex. Random matches of every rule must meet it, or a
// secret would be passed over.
func TestEveryMatchMeetsItsRequirement(t *testing.T) {
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(13, 17))
	checked := 0
	for _, rule := range cfg.Rules {
		if rule.Regex == "" {
			continue
		}
		search := detectors.SearchRegex(rule.Regex)
		req := regex.RequiredOf(search)
		for i := 0; i < 100; i++ {
			m, err := GenerateMatch(search, r)
			if err != nil {
				break
			}
			checked++
			if !req.Met([]byte(m)) {
				t.Errorf("%s: a match doesn't meet the requirement %s: %q", rule.ID, req, m)
				break
			}
		}
	}
	if checked < 50000 {
		t.Errorf("only %d matches checked", checked)
	}
}

// TestEveryMatchFitsItsLead: where every match of a rule starts with one
// of its keywords (regex.Lead.Keyed), the engine opens no window at a
// keyword whose following bytes don't fit the lead. Random matches of
// every such rule must start with a keyword and fit their lead.
func TestEveryMatchFitsItsLead(t *testing.T) {
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(19, 23))
	keyed, checked := 0, 0
	for _, rule := range cfg.Rules {
		if rule.Regex == "" {
			continue
		}
		search := detectors.SearchRegex(rule.Regex)
		lead := regex.LeadOf(search)
		if !lead.Keyed(rule.Keywords) {
			continue
		}
		keyed++
		for i := 0; i < 100; i++ {
			m, err := GenerateMatch(search, r)
			if err != nil {
				break
			}
			checked++
			lm := strings.ToLower(m)
			starts := false
			for _, k := range rule.Keywords {
				starts = starts || strings.HasPrefix(lm, k)
			}
			if !starts || !lead.At([]byte(m), 0) {
				t.Errorf("%s: a match that starts with no keyword %q or doesn't fit its lead: %q", rule.ID, rule.Keywords, m)
				break
			}
		}
	}
	t.Logf("%d rules with a keyed lead, %d matches checked", keyed, checked)
	if keyed < 100 || checked < 10000 {
		t.Errorf("only %d rules keyed, %d matches checked", keyed, checked)
	}
}
