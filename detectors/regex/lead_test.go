package regex

import "testing"

func TestLeadKeyed(t *testing.T) {
	for _, c := range []struct {
		expr     string
		keywords []string
		keyed    bool
		at       map[string]bool
	}{
		{`\b(st\.[a-f0-9]{8}-[a-f0-9]{4})\b`, []string{"st."}, true,
			map[string]bool{"st.0123abcd-9f9f": true, "st.Foo(x)": false, "ST.0123abcd-9f9f": false, "st.0123abcd": false}},
		// A factored alternation: c[ks]_.
		{`\b((?:ck|cs)_[a-f0-9]{4})\b`, []string{"ck_", "cs_"}, true,
			map[string]bool{"ck_00ff": true, "cs_00ff": true, "cx_00ff": false, "ck_zz": false}},
		{`\b(EAAA[A-Za-z0-9_-]{6}|sq0atp-[0-9A-Za-z_-]{4})`, []string{"eaaa", "sq0atp-"}, true,
			map[string]bool{"EAAAbcdefg": true, "sq0atp-abcd": true, "EAAA(": false, "sq0atp-": false}},
		// (?i): either case.
		{`(?i)\bfn[ae][a-z0-9]{3}`, []string{"fna", "fne"}, true,
			map[string]bool{"FNA123": true, "fne1x2": true, "fnb123": false}},
		// (?i)k and s also match signs beyond ASCII: the lead stops before them.
		{`(?i)tok[a-z]{4}`, []string{"to"}, true, map[string]bool{"tox": true, "tQ": false}},
		// A match may start before the keyword: no lead.
		{`(?i)[\w.-]{0,20}twilio[a-z]{3}`, []string{"twilio"}, false, nil},
		{`\b(?:key|token)\s*=\s*\w+`, []string{"key"}, false, nil},
		// A class beyond ASCII ends the lead after it.
		{`x_[\p{L}]{3}`, []string{"x_"}, true, map[string]bool{"x_abc": true, "x_\u00e9": true, "x-abc": false}},
	} {
		l := LeadOf(c.expr)
		if got := l.Keyed(c.keywords); got != c.keyed {
			t.Errorf("LeadOf(%q).Keyed(%q) = %v, want %v", c.expr, c.keywords, got, c.keyed)
			continue
		}
		for text, want := range c.at {
			if got := l.At([]byte(text), 0); got != want {
				t.Errorf("LeadOf(%q).At(%q) = %v, want %v", c.expr, text, got, want)
			}
		}
	}
}
