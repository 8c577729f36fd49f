// Package verify asks a credential's provider whether it is live, and what
// a live one reaches. It is the only package that sends secrets over the
// network, and it does so only:
//
//   - when the user asked (--verify); a scan without it makes no request;
//   - to the provider's fixed official endpoint over HTTPS, never to a host
//     taken from scanned content, or to the endpoint the user set for that
//     provider (--verify-endpoint, e.g. GitHub Enterprise Server);
//   - never to private, loopback, link-local or metadata addresses, checked
//     on the address dialled, unless the user set the endpoint;
//   - once per unique secret and provider in a run, with per-host
//     concurrency and rate limits, timeouts, and backoff on 429.
//
// Verification runs as its own stage after detection (scanner calls Run on
// the finished findings), never inside a source's walk.
package verify

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/leakhound/leakhound/finding"
)

// Request is one credential to verify.
type Request struct {
	RuleID string
	Secret string
	// Parts are the secrets other rules found beside this one (the same
	// file, commit and layer), by rule id: the access key id that goes
	// with an AWS secret key, the account SID with a Twilio auth token.
	Parts map[string][]string
	// Groups are the finding's named groups besides the secret (a
	// service account's client_email, a Shopify shop name).
	Groups map[string]string
}

// Part returns the candidates for a part, nearest rules first.
func (r Request) Part(ruleIDs ...string) []string {
	var out []string
	for _, id := range ruleIDs {
		out = append(out, r.Parts[id]...)
	}
	return out
}

// Verifier asks one provider about the credentials of some rules.
type Verifier struct {
	// Provider names the provider in flags (--verify-endpoint github=URL)
	// and reports.
	Provider string
	// Rules are the rule ids whose secrets this verifier checks.
	Rules []string
	// Parts are the rule ids of the other secrets Check needs (an AWS
	// secret key's access key id); Request.Parts holds only these.
	Parts []string
	// Endpoint is the provider's official API base URL: HTTPS on a fixed
	// host. Check's requests go only under it (or the user's override).
	// A provider whose API host holds the customer's name (a Shopify shop,
	// a Mailchimp data center) writes it as {tenant}, and Check names the
	// tenant with Call.Tenant: one DNS label under the official domain,
	// never a host from the scanned content.
	Endpoint string
	// Sites are the provider's other official endpoints, by name, for
	// credentials that live on one regional API (a Datadog key on the EU
	// site, a New Relic key on the EU API); Check reaches them with
	// Call.Site. They follow Endpoint's rules; the user overrides one with
	// --verify-endpoint provider/site=URL, or all with provider=URL.
	Sites map[string]string
	// Check asks the provider about req. It returns Verified with what
	// the provider said of the credential, Invalid when the provider
	// rejected it, or Unknown with a reason.
	Check func(ctx context.Context, call *Call, req Request) finding.Verification
}

// Options configure the verification stage.
type Options struct {
	// Endpoints replace providers' official endpoints (provider -> base
	// URL). An override may be plain http and may be a private address:
	// the user chose it.
	Endpoints map[string]string
	// Timeout bounds the whole stage; what is not done by then is
	// Unknown ("verification timed out"). Default 2 minutes.
	Timeout time.Duration
	// RequestTimeout bounds one request. Default 15 seconds.
	RequestTimeout time.Duration
	// PerHost is how many requests run at once against one host (default
	// 8); Rate, when positive, caps requests per second per host.
	PerHost int
	Rate    float64
	// Cache keeps results between runs; nil keeps none.
	Cache *Cache
	// Verifiers replaces the built-in registry (tests).
	Verifiers []*Verifier
}

// Stats say what the stage did.
type Stats struct {
	Secrets  int // unique (provider, secret) pairs asked about, cache hits included
	Requests int // of those, how many were not answered from the cache
	Cached   int
	ByStatus map[string]int // findings by status
}

// Stage is a configured verification stage.
type Stage struct {
	opts   Options
	byRule map[string]*Verifier
	calls  map[string]*caller
}

// New checks opts (endpoints must be https URLs of known providers) and
// returns the stage; it makes no request.
func New(opts Options) (*Stage, error) {
	verifiers := opts.Verifiers
	if verifiers == nil {
		verifiers = All()
	}
	byRule := map[string]*Verifier{}
	for _, v := range verifiers {
		for _, id := range v.Rules {
			byRule[id] = v
		}
	}
	calls, err := newCallers(verifiers, opts)
	if err != nil {
		return nil, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Minute
	}
	return &Stage{opts: opts, byRule: byRule, calls: calls}, nil
}

// Run is New then Stage.Run.
func Run(ctx context.Context, fs []finding.Finding, opts Options) (Stats, error) {
	s, err := New(opts)
	if err != nil {
		return Stats{}, err
	}
	return s.Run(ctx, fs), nil
}

// Run verifies every finding whose rule has a verifier and sets its
// Verification; findings of other rules become Unverifiable. Each unique
// secret is asked about once per verifier, however many findings share it.
// What is not answered within the stage's timeout is Unknown.
func (s *Stage) Run(ctx context.Context, fs []finding.Finding) Stats {
	opts, byRule, calls := s.opts, s.byRule, s.calls
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()

	// One job per (verifier, secret, parts): findings that share all
	// three share the answer.
	type job struct {
		v      *Verifier
		req    Request
		key    string // cache key: provider and secret hash
		result finding.Verification
		idx    []int
	}
	jobs := map[string]*job{}
	var order []*job
	parts := partsByPlace(fs)
	for i := range fs {
		f := &fs[i]
		v := byRule[f.RuleID]
		if v == nil || f.Secret == "" {
			f.Verification = finding.Verification{Status: finding.Unverifiable}
			continue
		}
		req := Request{RuleID: f.RuleID, Secret: f.Secret, Groups: f.Groups}
		for _, id := range v.Parts {
			if ss := parts[placeOf(f)][id]; len(ss) > 0 {
				if req.Parts == nil {
					req.Parts = map[string][]string{}
				}
				req.Parts[id] = ss
			}
		}
		extra := partsKey(req.Parts) + groupsKey(req.Groups)
		k := v.Provider + "\x00" + f.SecretHash + "\x00" + extra
		j := jobs[k]
		if j == nil {
			j = &job{v: v, req: req, key: v.Provider + ":" + f.SecretHash}
			if extra != "" {
				j.key += ":" + finding.HashSecret(extra)
			}
			jobs[k] = j
			order = append(order, j)
		}
		j.idx = append(j.idx, i)
	}

	st := Stats{ByStatus: map[string]int{}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, j := range order {
		st.Secrets++
		if r, ok := opts.Cache.get(j.key); ok {
			j.result = r
			st.Cached++
			continue
		}
		st.Requests++
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Concurrency is bounded per host inside the Call; these
			// goroutines mostly wait there.
			r := check(ctx, calls[j.v.Provider], j.v, j.req)
			mu.Lock()
			j.result = r
			mu.Unlock()
			opts.Cache.put(j.key, r)
		}()
	}
	wg.Wait()
	for _, j := range order {
		for _, i := range j.idx {
			fs[i].Verification = j.result
		}
	}
	for i := range fs {
		st.ByStatus[fs[i].Verification.Status]++
	}
	return st
}

// check runs one verifier, turning a stage that ran out of time into
// Unknown.
func check(ctx context.Context, c *caller, v *Verifier, req Request) finding.Verification {
	if ctx.Err() != nil {
		return finding.Verification{Status: finding.Unknown, Reason: "verification timed out"}
	}
	call := c.call(req.Secret)
	r := v.Check(ctx, call, req)
	if r.Status == "" {
		r.Status = finding.Unknown
	}
	if r.Status == finding.Unknown && ctx.Err() != nil && r.Reason == "" {
		r.Reason = "verification timed out"
	}
	// A verifier's reason must not carry the secret (some errors quote
	// the request).
	r.Reason = strings.ReplaceAll(r.Reason, req.Secret, finding.Redact(req.Secret))
	return r
}

// caller holds one provider's HTTP client and endpoints.
type caller struct {
	base       *url.URL
	client     *http.Client
	limits     *hostLimits
	overridden bool
	sites      map[string]*caller
}

func (c *caller) call(secret string) *Call {
	call := &Call{client: c.client, base: c.base, limits: c.limits, secret: secret, overridden: c.overridden}
	for name, s := range c.sites {
		if call.sites == nil {
			call.sites = map[string]*Call{}
		}
		call.sites[name] = s.call(secret)
	}
	return call
}

func newCallers(vs []*Verifier, opts Options) (map[string]*caller, error) {
	rt := opts.RequestTimeout
	if rt <= 0 {
		rt = 15 * time.Second
	}
	limits := &hostLimits{perHost: opts.PerHost, rate: opts.Rate, sem: map[string]chan struct{}{}, limiters: map[string]*rate.Limiter{}}
	if limits.perHost <= 0 {
		limits.perHost = 8
	}
	official := newHTTPClient(rt, false)
	override := newHTTPClient(rt, true)
	known := map[string]bool{}
	out := map[string]*caller{}
	// newCaller is the caller of one endpoint: the user's override if
	// there is one (for the site, else for the provider), else raw.
	newCaller := func(name, raw string, keys ...string) (*caller, error) {
		overridden := false
		for _, k := range keys {
			if o, ok := opts.Endpoints[k]; ok {
				raw, overridden = o, true
				break
			}
		}
		u, err := url.Parse(strings.Replace(raw, "{tenant}", tenantPlaceholder, 1))
		if err != nil || u.Host == "" || (u.Scheme != "https" && !(overridden && u.Scheme == "http")) {
			return nil, fmt.Errorf("verify endpoint for %s: %q is not an https:// URL", name, raw)
		}
		u.RawQuery, u.Fragment = "", ""
		c := &caller{base: u, client: official, limits: limits, overridden: overridden}
		if overridden {
			c.client = override
		}
		return c, nil
	}
	for _, v := range vs {
		known[v.Provider] = true
		c, err := newCaller(v.Provider, v.Endpoint, v.Provider)
		if err != nil {
			return nil, err
		}
		for name, raw := range v.Sites {
			key := v.Provider + "/" + name
			known[key] = true
			s, err := newCaller(key, raw, key, v.Provider)
			if err != nil {
				return nil, err
			}
			if c.sites == nil {
				c.sites = map[string]*caller{}
			}
			c.sites[name] = s
		}
		out[v.Provider] = c
	}
	for p := range opts.Endpoints {
		if !known[p] {
			return nil, fmt.Errorf("--verify-endpoint %s: no verifier for that provider (known: %s)", p, strings.Join(providerNames(vs), ", "))
		}
	}
	return out, nil
}

func providerNames(vs []*Verifier) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Provider)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// place is where a finding sits, for pairing it with its parts.
type place struct{ path, commit, layer, image string }

func placeOf(f *finding.Finding) place {
	l := &f.Location
	return place{l.DisplayPath(), l.Commit, l.Layer, l.Image}
}

// partsByPlace collects, for each place, the secrets found there by rule:
// the findings' own, and the parts part-only rules found beside them
// (Finding.Parts).
func partsByPlace(fs []finding.Finding) map[place]map[string][]string {
	out := map[place]map[string][]string{}
	for i := range fs {
		f := &fs[i]
		if f.Secret == "" {
			continue
		}
		p := placeOf(f)
		m := out[p]
		if m == nil {
			m = map[string][]string{}
			out[p] = m
		}
		add := func(id, s string) {
			if s != "" && !slices.Contains(m[id], s) {
				m[id] = append(m[id], s)
			}
		}
		add(f.RuleID, f.Secret)
		for id, ss := range f.Parts {
			for _, s := range ss {
				add(id, s)
			}
		}
	}
	return out
}

func partsKey(parts map[string][]string) string {
	keys := make([]string, 0, len(parts))
	for k := range parts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		for _, s := range parts[k] {
			b.WriteString("\x00" + s)
		}
		b.WriteString("\x01")
	}
	return b.String()
}

func groupsKey(g map[string]string) string {
	keys := make([]string, 0, len(g))
	for k := range g {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + g[k] + "\x01")
	}
	return b.String()
}
