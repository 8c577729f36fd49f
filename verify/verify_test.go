package verify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

// provider is an httptest server standing in for a provider's API: its
// handler answers like the provider, and every request is counted.
type provider struct {
	*httptest.Server
	hits atomic.Int64
}

func newProvider(t *testing.T, h http.HandlerFunc) *provider {
	t.Helper()
	p := &provider{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// verifyOne runs the stage for one finding of rule with secret, against
// endpoint, with the other findings given as its neighbours.
func verifyOne(t *testing.T, v *Verifier, endpoint, rule, secret string, others ...finding.Finding) finding.Verification {
	t.Helper()
	return verifyFinding(t, v, endpoint, mkFinding(rule, secret), others...)
}

// verifyFinding is verifyOne for a finding built by the test (one with
// named groups). Its request timeout is generous: a test server under
// -race on a loaded two-core machine may take a while to answer, and a
// timeout would turn a verified answer into an unknown one.
func verifyFinding(t *testing.T, v *Verifier, endpoint string, f finding.Finding, others ...finding.Finding) finding.Verification {
	t.Helper()
	return verifyWithin(t, 10*time.Second, v, endpoint, f, others...)
}

// verifyWithin is verifyFinding with the given request timeout.
func verifyWithin(t *testing.T, requestTimeout time.Duration, v *Verifier, endpoint string, f finding.Finding, others ...finding.Finding) finding.Verification {
	t.Helper()
	fs := append([]finding.Finding{f}, others...)
	_, err := Run(context.Background(), fs, Options{
		Verifiers:      []*Verifier{v},
		Endpoints:      map[string]string{v.Provider: endpoint},
		RequestTimeout: requestTimeout,
		Timeout:        10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return fs[0].Verification
}

func mkFinding(rule, secret string) finding.Finding {
	f := finding.Finding{RuleID: rule, Secret: secret, SecretHash: finding.HashSecret(secret)}
	f.Location.Path = "config/app.env"
	return f
}

// safetySamples give TestEveryVerifierIsSafe a finding the verifier acts
// on, for verifiers that rightly ask nothing about a made-up secret (a
// private key that must parse, a named group that must be there).
var safetySamples = map[string]func(*testing.T) finding.Finding{
	"bitbucket": bitbucketSample,
	"dockerhub": dockerHubSample,
	"gcp":       gcpSample,
	"newrelic":  func(*testing.T) finding.Finding { return mkFinding("newrelic-key", "NRAK-SAFETY0123456789ABCDEFGHIJ") },
}

// safetyParts give TestEveryVerifierIsSafe the parts a verifier checks
// before it asks (a tenant id must be a GUID, an email an address), for
// verifiers that ask nothing with made-up ones.
var safetyParts = map[string][]finding.Finding{
	"azuread":   {mkFinding("azure-ad-tenant-id", "3f6c1a2e-9b4d-4e8f-a1c7-5d2b8e0f6a94"), mkFinding("azure-ad-client-id", "8d3b6f1e-4c2a-4e9d-b7f5-1a0c9e3d2b68")},
	"atlassian": {mkFinding("atlassian-site", "acme"), mkFinding("atlassian-email", "ops@acme.test")},
}

// TestEveryVerifierIsSafe runs every built-in verifier against answers no
// verifier may call live: server errors, slowness, a redirect to another
// host, rate limiting without end. None may say verified, and the other
// host must never see a request.
func TestEveryVerifierIsSafe(t *testing.T) {
	t.Parallel()
	other := newProvider(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"ok":true,"login":"x"}`)) })
	cases := map[string]http.HandlerFunc{
		"500": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) },
		"slow": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		},
		"redirect": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
		},
		"429 forever": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		},
	}
	for _, v := range All() {
		for name, h := range cases {
			t.Run(v.Provider+"/"+name, func(t *testing.T) {
				t.Parallel()
				p := newProvider(t, h)
				f := mkFinding(v.Rules[0], "sekrit-"+v.Provider+"-0123456789abcdef0123456789")
				if sample := safetySamples[v.Provider]; sample != nil {
					f = sample(t)
				}
				secret := f.Secret
				var others []finding.Finding
				for _, part := range v.Parts {
					others = append(others, mkFinding(part, "part-"+part+"-0123456789abcdef"))
				}
				if parts := safetyParts[v.Provider]; parts != nil {
					others = parts
				}
				// A short timeout: the slow server answers only when the
				// request gives up.
				got := verifyWithin(t, 700*time.Millisecond, v, p.URL, f, others...)
				if got.Status == finding.Verified {
					t.Errorf("%s answer called live: %+v", name, got)
				}
				if strings.Contains(got.Reason, secret) {
					t.Errorf("reason carries the secret: %q", got.Reason)
				}
				if p.hits.Load() == 0 {
					t.Errorf("no request made")
				}
			})
		}
	}
	if n := other.hits.Load(); n != 0 {
		t.Errorf("the redirect target got %d requests", n)
	}
}

// TestVerifierRulesExist: a verifier naming a rule id that no built-in rule
// has would never run.
func TestVerifierRulesExist(t *testing.T) {
	t.Parallel()
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, v := range All() {
		if !strings.HasPrefix(v.Endpoint, "https://") {
			t.Errorf("%s: endpoint %q is not https", v.Provider, v.Endpoint)
		}
		for _, id := range append(append([]string(nil), v.Rules...), v.Parts...) {
			if cfg.Rule(id) == nil {
				t.Errorf("%s: rule %q does not exist", v.Provider, id)
			}
		}
		for _, id := range v.Rules {
			if p, dup := seen[id]; dup {
				t.Errorf("rule %s verified by %s and %s", id, p, v.Provider)
			}
			seen[id] = v.Provider
		}
	}
}

// TestOfficialEndpointsRefusePrivateAddresses: without an override, a
// verifier can't be made to connect inside the network, whatever its
// endpoint resolves to.
func TestOfficialEndpointsRefusePrivateAddresses(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) })
	v := &Verifier{Provider: "internal", Rules: []string{"r"}, Endpoint: strings.Replace(p.URL, "http://", "https://", 1),
		Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
			resp, err := call.Get(ctx, "/", nil)
			if err != nil {
				return failed(err)
			}
			v, _ := byStatus(resp, true)
			return v
		}}
	fs := []finding.Finding{mkFinding("r", "s3cret-value")}
	if _, err := Run(context.Background(), fs, Options{Verifiers: []*Verifier{v}}); err != nil {
		t.Fatal(err)
	}
	if got := fs[0].Verification; got.Status != finding.Unknown || !strings.Contains(got.Reason, "not allowed") {
		t.Errorf("loopback endpoint: %+v", got)
	}
	if p.hits.Load() != 0 {
		t.Error("loopback server was contacted")
	}
	for _, a := range []string{"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.100.100.200", "::1", "fd00:ec2::254", "fe80::1", "100.64.0.1", "0.0.0.0"} {
		if !forbidden(netip.MustParseAddr(a)) {
			t.Errorf("%s allowed", a)
		}
	}
	for _, a := range []string{"140.82.112.6", "2606:4700::6810:84e5"} {
		if forbidden(netip.MustParseAddr(a)) {
			t.Errorf("%s refused", a)
		}
	}
}

// TestPartsOfPartOnlyRules: a verifier's parts come from the other
// findings at the same place and from the secrets part-only rules found
// there (Finding.Parts), each once; other places' parts stay out.
func TestPartsOfPartOnlyRules(t *testing.T) {
	t.Parallel()
	v := &Verifier{Provider: "pair", Rules: []string{"key"}, Parts: []string{"id", "tenant"}, Endpoint: "https://api.example.com",
		Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
			return finding.Verification{Status: finding.Verified, Identity: strings.Join(req.Part("id", "tenant"), ",")}
		}}
	key, other := mkFinding("key", "k1"), mkFinding("key", "k2")
	key.Parts = map[string][]string{"tenant": {"t1", "t2"}}
	id := mkFinding("id", "i1")
	id.Parts = map[string][]string{"tenant": {"t2", "t3"}}
	other.Location.Path = "elsewhere.env"
	other.Parts = map[string][]string{"tenant": {"t9"}}
	fs := []finding.Finding{key, id, other}
	if _, err := Run(context.Background(), fs, Options{Verifiers: []*Verifier{v}}); err != nil {
		t.Fatal(err)
	}
	if got := fs[0].Verification.Identity; got != "i1,t1,t2,t3" {
		t.Errorf("parts %q, want i1,t1,t2,t3", got)
	}
	if got := fs[2].Verification.Identity; got != "t9" {
		t.Errorf("parts elsewhere %q, want t9", got)
	}
}

// TestEachSecretAskedOnce: many findings of one secret make one request.
func TestEachSecretAskedOnce(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"login":"octo"}`)) })
	var fs []finding.Finding
	for i := 0; i < 50; i++ {
		f := mkFinding("github-pat", "ghp_same")
		f.Location.Path = strings.Repeat("d/", i) + "f"
		fs = append(fs, f)
	}
	fs = append(fs, mkFinding("github-pat", "ghp_other"), mkFinding("generic-secret-assignment", "x"))
	st, err := Run(context.Background(), fs, Options{Verifiers: []*Verifier{gitHub}, Endpoints: map[string]string{"github": p.URL}})
	if err != nil {
		t.Fatal(err)
	}
	if p.hits.Load() != 2 || st.Requests != 2 || st.ByStatus[finding.Verified] != 51 || fs[51].Verification.Status != finding.Unverifiable {
		t.Errorf("hits %d, stats %+v", p.hits.Load(), st)
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte(`{"login":"octo"}`))
	})
	start := time.Now()
	got := verifyOne(t, gitHub, p.URL, "github-pat", "ghp_x")
	if got.Status != finding.Verified || n.Load() != 2 || time.Since(start) < time.Second {
		t.Errorf("%+v after %d requests in %v", got, n.Load(), time.Since(start))
	}
	if d, ok := retryAfter("Wed, 21 Oct 2015 07:28:00 GMT", time.Date(2015, 10, 21, 7, 27, 0, 0, time.UTC)); !ok || d != time.Minute {
		t.Errorf("HTTP-date Retry-After: %v %v", d, ok)
	}
}

func TestCache(t *testing.T) {
	t.Parallel()
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "token ghp_dead" {
			w.WriteHeader(401)
			return
		}
		w.Write([]byte(`{"login":"octo"}`))
	})
	path := t.TempDir() + "/cache.json"
	run := func() Stats {
		c, err := OpenCache(path, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		fs := []finding.Finding{mkFinding("github-pat", "ghp_live"), mkFinding("github-pat", "ghp_dead")}
		st, err := Run(context.Background(), fs, Options{Verifiers: []*Verifier{gitHub}, Endpoints: map[string]string{"github": p.URL}, Cache: c})
		if err != nil {
			t.Fatal(err)
		}
		if fs[0].Verification.Status != finding.Verified || fs[0].Verification.Identity != "octo" || fs[1].Verification.Status != finding.Invalid {
			t.Fatalf("%+v", fs)
		}
		if err := c.Save(); err != nil {
			t.Fatal(err)
		}
		return st
	}
	if st := run(); st.Requests != 2 {
		t.Errorf("first run: %+v", st)
	}
	if st := run(); st.Requests != 0 || st.Cached != 2 || p.hits.Load() != 2 {
		t.Errorf("second run: %+v, %d hits", st, p.hits.Load())
	}
	data, _ := readFile(path)
	if strings.Contains(data, "ghp_live") || strings.Contains(data, "ghp_dead") {
		t.Errorf("cache holds a secret: %s", data)
	}
}

func TestUnknownEndpointOverride(t *testing.T) {
	t.Parallel()
	if _, err := Run(context.Background(), nil, Options{Endpoints: map[string]string{"nosuch": "https://x"}}); err == nil {
		t.Error("override of an unknown provider accepted")
	}
	if _, err := Run(context.Background(), nil, Options{Endpoints: map[string]string{"github": "ftp://x"}}); err == nil {
		t.Error("ftp endpoint accepted")
	}
}

func TestTenant(t *testing.T) {
	t.Parallel()
	c, err := newCallers([]*Verifier{{Provider: "shop", Endpoint: "https://{tenant}.myshopify.com"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	call := c["shop"].call("s")
	if _, err := call.resolve("/admin"); err == nil {
		t.Error("a tenant endpoint was used without a tenant")
	}
	for _, bad := range []string{"evil.com/x", "a.b", "127.0.0.1", "", "-x", "x_y", "a:80"} {
		if _, err := call.Tenant(bad); err == nil {
			t.Errorf("tenant %q accepted", bad)
		}
	}
	tc, err := call.Tenant("Acme-Store")
	if err != nil {
		t.Fatal(err)
	}
	u, err := tc.resolve("/admin/api/shop.json")
	if err != nil || u.String() != "https://acme-store.myshopify.com/admin/api/shop.json" {
		t.Errorf("%v %v", u, err)
	}
}
