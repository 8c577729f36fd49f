package rules_test

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/rules"
)

// kindTags are the table keys that name a kind of credential (a private key,
// a password hash, a credential file) rather than a provider: their entries
// have no name, since "revoke it at <name>" has no one to name.
var kindTags = map[string]bool{
	"generic": true, "cli": true, "http": true, "curl": true, "kubernetes": true,
	"credential-file": true, "hash": true, "gradle": true, "helm": true, "maven": true,
	"php": true, "phpmailer": true, "powershell": true, "psexec": true, "react": true,
	"yarn": true, "private-key": true, "jwt": true, "crypto-wallet": true,
	"wireguard": true, "age": true, "database": true, "odbc": true,
}

// maxRevokeLen keeps revoke text to the one to three sentences SARIF help
// and 'rules show' print inline.
const maxRevokeLen = 500

// remediationProblems lists what is wrong with rs's remediation against
// table: a rule without its own remediation must find an entry under its
// first tag (its provider), so a rule for a new provider fails here until
// the table names that provider; a rule's own remediation needs a URL; every
// entry must be some rule's and carry revoke text, an https URL and a name
// (kind entries none).
func remediationProblems(rs []rules.Rule, table map[string]rules.Remediation) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	used := map[string]bool{}
	for i := range rs {
		r := &rs[i]
		if r.RemediationText == "" {
			if len(r.Tags) == 0 {
				add("rule %s: no tags, so no provider to look remediation up by", r.ID)
			} else if _, ok := table[r.Tags[0]]; !ok {
				add("rule %s: no remediation entry for its provider tag %q: add one to rules/remediation/<family>.toml", r.ID, r.Tags[0])
			} else {
				used[r.Tags[0]] = true
			}
			continue
		}
		if len(r.RemediationText) > maxRevokeLen {
			add("rule %s: remediation is %d characters, over %d", r.ID, len(r.RemediationText), maxRevokeLen)
		}
		if err := checkDocURL(r.RemediationURL); err != nil {
			add("rule %s: remediation_url: %v", r.ID, err)
		}
	}
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e := table[k]
		if !used[k] {
			add("entry %s: no rule has %q as its provider tag (dead entry)", k, k)
		}
		switch {
		case kindTags[k] && e.Name != "":
			add("entry %s: a kind entry has no provider name, got %q", k, e.Name)
		case !kindTags[k] && e.Name == "":
			add("entry %s: no name", k)
		}
		if strings.TrimSpace(e.Revoke) == "" {
			add("entry %s: no revoke text", k)
		}
		if len(e.Revoke) > maxRevokeLen {
			add("entry %s: revoke text is %d characters, over %d", k, len(e.Revoke), maxRevokeLen)
		}
		if err := checkDocURL(e.URL); err != nil {
			add("entry %s: %v", k, err)
		}
	}
	return problems
}

// firstTag is a rule's provider tag ("" without tags).
func firstTag(r *rules.Rule) string {
	if len(r.Tags) == 0 {
		return ""
	}
	return r.Tags[0]
}

// checkDocURL reports a documentation URL that is not an absolute https
// URL of a named host.
func checkDocURL(s string) error {
	if !strings.HasPrefix(s, "https://") {
		return fmt.Errorf("%q does not start with https://", s)
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q: %w", s, err)
	}
	if !strings.Contains(u.Host, ".") || strings.ContainsAny(s, " \t\n") {
		return fmt.Errorf("%q is not a web address", s)
	}
	return nil
}

// TestBuiltinRemediation checks every built-in rule against the built-in
// table: each says how to revoke what it finds, with a documentation link,
// and each table entry serves a rule.
func TestBuiltinRemediation(t *testing.T) {
	t.Parallel()
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	table, err := rules.Remediations()
	if err != nil {
		t.Fatal(err)
	}
	if len(table) == 0 {
		t.Fatal("the remediation table is empty")
	}
	for _, p := range remediationProblems(cfg.Rules, table) {
		t.Error(p)
	}
	// What was checked is what SARIF help and 'rules show' get: the rule's
	// own remediation, else its provider's entry.
	for i := range cfg.Rules {
		r := &cfg.Rules[i]
		want := rules.Remediation{Revoke: r.RemediationText, URL: r.RemediationURL}
		if r.RemediationText == "" {
			entry, ok := table[firstTag(r)]
			if !ok {
				continue // reported above
			}
			want = entry
		}
		got := r.Remediation()
		if got != want {
			t.Errorf("rule %s: Remediation() = %+v, want %+v", r.ID, got, want)
		}
		if got.Revoke == "" || !strings.HasPrefix(got.URL, "https://") {
			t.Errorf("rule %s: Remediation() = %+v, want revoke text and an https URL", r.ID, got)
		}
	}
}

// TestRemediationProblems shows that the check above fails for what it is
// meant to catch: a rule for a provider the table doesn't know, a rule's own
// remediation without a link, dead and incomplete entries.
func TestRemediationProblems(t *testing.T) {
	t.Parallel()
	acme := rules.Remediation{Name: "Acme", Revoke: "Delete the key in Acme's console.", URL: "https://docs.acme.example/keys"}
	kind := rules.Remediation{Revoke: "Change the password.", URL: "https://cheatsheetseries.owasp.org/"}
	tests := []struct {
		name  string
		rules []rules.Rule
		table map[string]rules.Remediation
		want  []string // substrings, one per expected problem
	}{
		{
			name: "covered",
			rules: []rules.Rule{
				{ID: "acme-key", Tags: []string{"acme", "saas"}},
				{ID: "acme-hook", Tags: []string{"acme"}, RemediationText: "Delete the webhook.", RemediationURL: "https://docs.acme.example/hooks"},
				{ID: "pw", Tags: []string{"generic"}},
			},
			table: map[string]rules.Remediation{"acme": acme, "generic": kind},
		},
		{
			name:  "new provider without an entry",
			rules: []rules.Rule{{ID: "acme-key", Tags: []string{"acme"}}, {ID: "newco-token", Tags: []string{"newco", "saas"}}},
			table: map[string]rules.Remediation{"acme": acme},
			want:  []string{`rule newco-token: no remediation entry for its provider tag "newco"`},
		},
		{
			name:  "family tag does not stand in for the provider",
			rules: []rules.Rule{{ID: "newco-token", Tags: []string{"newco", "generic"}}, {ID: "pw", Tags: []string{"generic"}}},
			table: map[string]rules.Remediation{"generic": kind},
			want:  []string{`rule newco-token: no remediation entry for its provider tag "newco"`},
		},
		{
			name:  "no tags",
			rules: []rules.Rule{{ID: "acme-key", Tags: []string{"acme"}}, {ID: "bare"}},
			table: map[string]rules.Remediation{"acme": acme},
			want:  []string{"rule bare: no tags"},
		},
		{
			name: "own remediation without a link",
			rules: []rules.Rule{
				{ID: "acme-key", Tags: []string{"acme"}},
				{ID: "acme-hook", Tags: []string{"acme"}, RemediationText: "Delete the webhook."},
				{ID: "acme-old", Tags: []string{"acme"}, RemediationText: "Rotate it.", RemediationURL: "http://acme.example/"},
			},
			table: map[string]rules.Remediation{"acme": acme},
			want:  []string{"rule acme-hook: remediation_url", "rule acme-old: remediation_url"},
		},
		{
			name:  "dead entry",
			rules: []rules.Rule{{ID: "acme-key", Tags: []string{"acme"}}},
			table: map[string]rules.Remediation{"acme": acme, "gone": {Name: "Gone", Revoke: "x.", URL: "https://gone.example/"}},
			want:  []string{"entry gone: no rule has"},
		},
		{
			name:  "incomplete entry",
			rules: []rules.Rule{{ID: "acme-key", Tags: []string{"acme"}}, {ID: "pw", Tags: []string{"generic"}}},
			table: map[string]rules.Remediation{
				"acme":    {URL: "docs.acme.example"},
				"generic": {Name: "Generic", Revoke: strings.Repeat("x", maxRevokeLen+1), URL: "https://owasp.org/"},
			},
			want: []string{
				"entry acme: no name", "entry acme: no revoke text",
				`entry acme: "docs.acme.example" does not start with https://`,
				"entry generic: a kind entry has no provider name", "entry generic: revoke text is",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := remediationProblems(tt.rules, tt.table)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for _, w := range tt.want {
				found := false
				for _, g := range got {
					found = found || strings.Contains(g, w)
				}
				if !found {
					t.Errorf("no problem mentions %q; got:\n%s", w, strings.Join(got, "\n"))
				}
			}
		})
	}
}
