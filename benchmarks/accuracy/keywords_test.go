//go:build !race

package accuracy

import (
	"math/rand/v2"
	"strings"
	"testing"

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
		req := regex.RequiredOf(rule.Regex)
		for i := 0; i < 100; i++ {
			m, err := GenerateMatch(rule.Regex, r)
			if err != nil {
				break
			}
			checked++
			if ok, _ := req.Met([]byte(m), nil); !ok {
				t.Errorf("%s: a match doesn't meet the requirement %s: %q", rule.ID, req, m)
				break
			}
		}
	}
	if checked < 50000 {
		t.Errorf("only %d matches checked", checked)
	}
}
