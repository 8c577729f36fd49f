package verify

import (
	"context"
	"net/http"
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
