package rules

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"sync"

	"github.com/BurntSushi/toml"
)

// Remediation says how to revoke or rotate a kind of credential.
type Remediation struct {
	// Name is the provider's name as people write it ("GitHub").
	Name string `toml:"name"`
	// Revoke is how to revoke or rotate the credential, in a sentence or
	// two: where in the provider's console or API, and what else to do
	// (check audit logs, reissue).
	Revoke string `toml:"revoke"`
	// URL is the provider's own documentation of it.
	URL string `toml:"url"`
}

//go:embed remediation/*.toml
var remediationFS embed.FS

var (
	remediationOnce sync.Once
	remediations    map[string]Remediation
	remediationErr  error
)

// Remediations returns the built-in remediation table, keyed by provider
// tag (a rule's first tag names its provider: "github", "aws").
func Remediations() (map[string]Remediation, error) {
	remediationOnce.Do(func() {
		remediations = map[string]Remediation{}
		names, err := fs.Glob(remediationFS, "remediation/*.toml")
		if err != nil {
			remediationErr = err
			return
		}
		sort.Strings(names)
		for _, name := range names {
			data, err := remediationFS.ReadFile(name)
			if err != nil {
				remediationErr = err
				return
			}
			var m map[string]Remediation
			md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&m)
			if err != nil {
				remediationErr = fmt.Errorf("rules/%s: %w", name, err)
				return
			}
			if und := md.Undecoded(); len(und) > 0 {
				remediationErr = fmt.Errorf("rules/%s: unknown key %q", name, und[0].String())
				return
			}
			for k, v := range m {
				if _, dup := remediations[k]; dup {
					remediationErr = fmt.Errorf("rules/%s: %s listed twice", name, k)
					return
				}
				remediations[k] = v
			}
		}
	})
	return remediations, remediationErr
}

// genericRemediation is the advice for a credential no table entry names.
var genericRemediation = Remediation{
	Revoke: "Revoke or rotate it where it was issued (the service's console, API or the system that created it), then check that service's access logs for use you don't recognise.",
}

// Remediation returns how to revoke or rotate r's credentials: the rule's
// own remediation if it has one, else the table entry of its first tag
// that has one, else general advice (URL empty).
func (r *Rule) Remediation() Remediation {
	if r.RemediationText != "" {
		return Remediation{Revoke: r.RemediationText, URL: r.RemediationURL}
	}
	if table, err := Remediations(); err == nil {
		for _, t := range r.Tags {
			if rem, ok := table[t]; ok {
				return rem
			}
		}
	}
	return genericRemediation
}
