package accuracy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// RuleScore is one rule's line in the result table.
type RuleScore struct {
	RuleID                  string
	Planted, Found, ByOther int
	FalsePositives          int
	Recall, Precision       float64
}

// Result is what Score computed.
type Result struct {
	Planted, Found, Findings, FalsePositives int
	// Duplicates counts findings of a planted secret's encoded form on the
	// line the decoded secret was also planted at (not false positives).
	Duplicates        int
	Recall, Precision float64
	Rules             []RuleScore
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
		if !hit {
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
	for _, s := range per {
		s.Recall = ratio(s.Found, s.Planted)
		s.Precision = ratio(s.Found, s.Found+s.FalsePositives)
		res.Rules = append(res.Rules, *s)
	}
	slices.SortFunc(res.Rules, func(a, b RuleScore) int { return strings.Compare(a.RuleID, b.RuleID) })
	return res
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// Table formats the per-rule scores.
func (r Result) Table() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-45s %7s %5s %8s %3s %6s %9s\n", "rule", "planted", "found", "by-other", "fp", "recall", "precision")
	for _, s := range r.Rules {
		fmt.Fprintf(&sb, "%-45s %7d %5d %8d %3d %6.3f %9.3f\n", s.RuleID, s.Planted, s.Found, s.ByOther, s.FalsePositives, s.Recall, s.Precision)
	}
	fmt.Fprintf(&sb, "overall: planted %d, found %d, findings %d (%d of encoded forms), false positives %d, recall %.4f, precision %.4f\n",
		r.Planted, r.Found, r.Findings, r.Duplicates, r.FalsePositives, r.Recall, r.Precision)
	return sb.String()
}
