package verify

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

// TestSites: a verifier reaches its named sites, each under its own
// endpoint; an override of the provider covers every site, an override of
// one site only that site.
func TestSites(t *testing.T) {
	t.Parallel()
	main := newProvider(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("main")) })
	eu := newProvider(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("eu")) })
	v := &Verifier{Provider: "multi", Rules: []string{"r"}, Endpoint: "https://api.example.com",
		Sites: map[string]string{"eu": "https://api.example.eu", "us3": "https://api.us3.example.com"},
		Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
			var seen []string
			for _, name := range []string{"eu", "us3"} {
				s, err := call.Site(name)
				if err != nil {
					return failed(err)
				}
				resp, err := s.Get(ctx, "/x", nil)
				if err != nil {
					return failed(err)
				}
				seen = append(seen, string(resp.Body))
			}
			if _, err := call.Site("nosuch"); err == nil {
				return unknown("unknown site accepted")
			}
			return finding.Verification{Status: finding.Verified, Identity: strings.Join(seen, ",")}
		}}
	for _, tc := range []struct {
		name      string
		endpoints map[string]string
		want      string
	}{
		{"provider override covers every site", map[string]string{"multi": main.URL}, "main,main"},
		{"site override covers that site", map[string]string{"multi": main.URL, "multi/eu": eu.URL}, "eu,main"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fs := []finding.Finding{mkFinding("r", "s3cret")}
			if _, err := Run(context.Background(), fs, Options{Verifiers: []*Verifier{v}, Endpoints: tc.endpoints}); err != nil {
				t.Fatal(err)
			}
			if got := fs[0].Verification; got.Status != finding.Verified || got.Identity != tc.want {
				t.Errorf("%+v, want sites answering %s", got, tc.want)
			}
		})
	}
	if _, err := Run(context.Background(), nil, Options{Verifiers: []*Verifier{v}, Endpoints: map[string]string{"multi/nosuch": eu.URL}}); err == nil {
		t.Error("override of an unknown site accepted")
	}
	bad := *v
	bad.Sites = map[string]string{"eu": "http://api.example.eu"}
	if _, err := Run(context.Background(), nil, Options{Verifiers: []*Verifier{&bad}}); err == nil {
		t.Error("plain http site accepted")
	}
}

// TestSitesAreOfficial: every built-in site is an https URL, like an
// endpoint.
func TestSitesAreOfficial(t *testing.T) {
	t.Parallel()
	for _, v := range All() {
		for name, s := range v.Sites {
			if !strings.HasPrefix(s, "https://") {
				t.Errorf("%s/%s: site %q is not https", v.Provider, name, s)
			}
		}
	}
}

// TestAcrossSites: the first site that accepts wins; a site that can't
// say keeps the answer unknown; only rejections everywhere are invalid;
// a site pointed at a URL already asked is not asked again.
func TestAcrossSites(t *testing.T) {
	t.Parallel()
	mk := func(host string) *Call {
		u, _ := url.Parse("https://" + host)
		return &Call{base: u}
	}
	for _, tc := range []struct {
		name     string
		answers  map[string]string // host -> status
		dup      bool              // site b points at the endpoint's URL
		want     string
		wantSite string
		asked    int
	}{
		{"endpoint accepts", map[string]string{"main": finding.Verified}, false, finding.Verified, "", 1},
		{"second site accepts", map[string]string{"main": finding.Invalid, "a": finding.Invalid, "b": finding.Verified}, false, finding.Verified, "b", 3},
		{"all reject", map[string]string{"main": finding.Invalid, "a": finding.Invalid, "b": finding.Invalid}, false, finding.Invalid, "", 3},
		{"one can't say", map[string]string{"main": finding.Invalid, "a": finding.Unknown, "b": finding.Invalid}, false, finding.Unknown, "", 3},
		{"duplicate skipped", map[string]string{"main": finding.Invalid, "a": finding.Invalid}, true, finding.Invalid, "", 2},
	} {
		call := mk("main")
		call.sites = map[string]*Call{"a": mk("a"), "b": mk("b")}
		if tc.dup {
			call.sites["b"] = mk("main")
		}
		asked := 0
		got, site := acrossSites(call, []string{"a", "b"}, func(c *Call) finding.Verification {
			asked++
			return finding.Verification{Status: tc.answers[c.base.Host]}
		})
		if got.Status != tc.want || site != tc.wantSite || asked != tc.asked {
			t.Errorf("%s: %s at %q after %d asks, want %s at %q after %d", tc.name, got.Status, site, asked, tc.want, tc.wantSite, tc.asked)
		}
	}
}
