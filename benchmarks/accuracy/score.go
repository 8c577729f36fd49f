package accuracy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// RuleScore is one rule's (or one family's) line in the result table.
type RuleScore struct {
	RuleID string // the rule, or the family for a family line
	// Planted secrets planted for the rule; Found how many of them any
	// rule reported; ByOther how many of those another rule reported.
	Planted, Found, ByOther int
	// Hits are the rule's findings of planted secrets (any rule's),
	// FalsePositives its other findings.
	Hits, FalsePositives int
	// Recall is Found/Planted; Precision is Hits/(Hits+FalsePositives): of
	// what the rule reported, how much was a planted secret.
	Recall, Precision float64
}

// Result is what Score computed.
type Result struct {
	Planted, Found, Findings, FalsePositives int
	// Duplicates counts findings of a planted secret's encoded form on the
	// line the decoded secret was also planted at (not false positives).
	Duplicates        int
	Recall, Precision float64
	Rules             []RuleScore
	// Families sums the rules of each family (Truth.Family).
	Families          []RuleScore
	Misses            []string
	FalsePositiveList []string
}

type key struct {
	file string
	line int
}

// Score matches findings to the planted positives: a finding on a planted
// positive's file and line with its secret is a true positive, whichever
// rule reported it; every other finding is a false positive.
func Score(truth Truth, findings []finding.Finding) Result {
	pos := map[key][]int{}
	for i, p := range truth.Planted {
		if p.Positive {
			pos[key{p.File, p.Line}] = append(pos[key{p.File, p.Line}], i)
		}
	}
	foundBy := make([]string, len(truth.Planted))
	per := map[string]*RuleScore{}
	rs := func(id string) *RuleScore {
		if per[id] == nil {
			per[id] = &RuleScore{RuleID: id}
		}
		return per[id]
	}
	var res Result
	for _, f := range findings {
		res.Findings++
		hit := false
		for _, i := range pos[key{f.Location.Origin.Path, f.Location.Line}] {
			p := truth.Planted[i]
			if p.EncodedAs != "" && f.Secret == p.EncodedAs {
				hit = true // the encoded form of a planted secret
				res.Duplicates++
				continue
			}
			if p.Secret == f.Secret {
				hit = true
				if foundBy[i] == "" || f.RuleID == p.RuleID {
					foundBy[i] = f.RuleID
				}
			}
		}
		if hit {
			rs(f.RuleID).Hits++
		} else {
			res.FalsePositives++
			rs(f.RuleID).FalsePositives++
			res.FalsePositiveList = append(res.FalsePositiveList, fmt.Sprintf("%s %s:%d %s", f.RuleID, f.Location.Origin.Path, f.Location.Line, finding.Redact(f.Secret)))
		}
	}
	for i, p := range truth.Planted {
		if !p.Positive {
			continue
		}
		res.Planted++
		s := rs(p.RuleID)
		s.Planted++
		switch {
		case foundBy[i] == "":
			enc := ""
			if p.Encoded {
				enc = " (base64)"
			}
			res.Misses = append(res.Misses, fmt.Sprintf("%s %s:%d %s%s", p.RuleID, p.File, p.Line, finding.Redact(p.Secret), enc))
		case foundBy[i] != p.RuleID:
			s.ByOther++
			fallthrough
		default:
			s.Found++
			res.Found++
		}
	}
	res.Recall = ratio(res.Found, res.Planted)
	res.Precision = ratio(res.Findings-res.FalsePositives, res.Findings)
	fam := map[string]*RuleScore{}
	for _, s := range per {
		s.score()
		res.Rules = append(res.Rules, *s)
		name := truth.Family[s.RuleID]
		if name == "" {
			name = "(unknown)"
		}
		if fam[name] == nil {
			fam[name] = &RuleScore{RuleID: name}
		}
		f := fam[name]
		f.Planted += s.Planted
		f.Found += s.Found
		f.ByOther += s.ByOther
		f.Hits += s.Hits
		f.FalsePositives += s.FalsePositives
	}
	for _, f := range fam {
		f.score()
		res.Families = append(res.Families, *f)
	}
	byID := func(a, b RuleScore) int { return strings.Compare(a.RuleID, b.RuleID) }
	slices.SortFunc(res.Rules, byID)
	slices.SortFunc(res.Families, byID)
	return res
}

func (s *RuleScore) score() {
	s.Recall = ratio(s.Found, s.Planted)
	s.Precision = ratio(s.Hits, s.Hits+s.FalsePositives)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

const rowFormat = "%-45s %7d %5d %8d %5d %3d %6.3f %9.3f\n"

func header(sb *strings.Builder, what string) {
	fmt.Fprintf(sb, "%-45s %7s %5s %8s %5s %3s %6s %9s\n", what, "planted", "found", "by-other", "hits", "fp", "recall", "precision")
}

// Table formats the scores per family, then the rules that missed a
// planted secret or reported a false positive (all rules when all is set).
func (r Result) Table(all bool) string {
	var sb strings.Builder
	header(&sb, "family")
	for _, s := range r.Families {
		fmt.Fprintf(&sb, rowFormat, s.RuleID, s.Planted, s.Found, s.ByOther, s.Hits, s.FalsePositives, s.Recall, s.Precision)
	}
	sb.WriteString("\n")
	header(&sb, "rule")
	perfect := 0
	for _, s := range r.Rules {
		if !all && s.Found == s.Planted && s.FalsePositives == 0 {
			perfect++
			continue
		}
		fmt.Fprintf(&sb, rowFormat, s.RuleID, s.Planted, s.Found, s.ByOther, s.Hits, s.FalsePositives, s.Recall, s.Precision)
	}
	if perfect > 0 {
		fmt.Fprintf(&sb, "(%d rules with every planted secret found and no false positive not shown; ACCURACY_ALL=1 shows them)\n", perfect)
	}
	fmt.Fprintf(&sb, "overall: planted %d, found %d, findings %d (%d of encoded forms), false positives %d, recall %.4f, precision %.4f\n",
		r.Planted, r.Found, r.Findings, r.Duplicates, r.FalsePositives, r.Recall, r.Precision)
	return sb.String()
}
