package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/time/rate"
)

// maxBody caps what is read of a provider's answer.
const maxBody = 1 << 20

// maxRetries is how many times a request that got 429 or 503 is retried.
const maxRetries = 2

// maxRetryWait caps how long a Retry-After is honoured before the answer
// counts as "rate limited".
const maxRetryWait = 30 * time.Second

// ErrForbiddenAddress is a connection refused because the host resolved to
// a private, loopback, link-local or cloud metadata address.
var ErrForbiddenAddress = errors.New("address not allowed for verification")

// hostLimits are the per-host concurrency and rate limits shared by every
// verifier that talks to one host.
type hostLimits struct {
	mu       sync.Mutex
	perHost  int
	rate     float64
	sem      map[string]chan struct{}
	limiters map[string]*rate.Limiter
}

func (h *hostLimits) acquire(ctx context.Context, host string) (release func(), err error) {
	h.mu.Lock()
	sem := h.sem[host]
	if sem == nil {
		sem = make(chan struct{}, max(1, h.perHost))
		h.sem[host] = sem
	}
	lim := h.limiters[host]
	if lim == nil && h.rate > 0 {
		lim = rate.NewLimiter(rate.Limit(h.rate), max(1, int(h.rate)))
		h.limiters[host] = lim
	}
	h.mu.Unlock()
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if lim != nil {
		if err := lim.Wait(ctx); err != nil {
			<-sem
			return nil, err
		}
	}
	return func() { <-sem }, nil
}

// Call makes one verifier's requests: only to its provider's endpoint,
// with its secret kept out of every error.
type Call struct {
	client     *http.Client
	base       *url.URL
	limits     *hostLimits
	secret     string
	overridden bool
	sites      map[string]*Call
}

// tenantLabel is what may stand for {tenant}: one DNS label.
var tenantLabel = lazyRegexp(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// lazyRegexp compiles expr on first use: a counted repetition such as
// {0,251} makes a large program, and compiling a few at start-up cost
// every run (a pre-commit hook that verifies nothing) milliseconds.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// Tenant returns a Call whose requests go to the provider's host for one
// customer (the {tenant} of its endpoint). label must be a single DNS
// label; it is lowercased. Where the user overrode the endpoint, the
// override is used as it is.
func (c *Call) Tenant(label string) (*Call, error) {
	if !strings.Contains(c.base.Host, tenantPlaceholder) {
		if c.overridden {
			return c, nil
		}
		return nil, fmt.Errorf("endpoint %s has no tenant", c.base.Host)
	}
	label = strings.ToLower(label)
	if !tenantLabel().MatchString(label) {
		return nil, fmt.Errorf("%q is not a valid tenant name", label)
	}
	t := *c
	base := *c.base
	base.Host = strings.Replace(base.Host, tenantPlaceholder, label, 1)
	t.base = &base
	return &t, nil
}

// Site returns a Call whose requests go to one of the provider's other
// official endpoints (Verifier.Sites), by name.
func (c *Call) Site(name string) (*Call, error) {
	s, ok := c.sites[name]
	if !ok {
		return nil, fmt.Errorf("no site %q", name)
	}
	return s, nil
}

// tenantPlaceholder stands for {tenant} in a parsed endpoint (url.Parse
// refuses braces in a host). resolve refuses a host that still holds it.
const tenantPlaceholder = "leakhound-tenant-placeholder"

// Response is a provider's answer, its body read (up to maxBody).
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Get requests path (relative to the provider's endpoint) with headers.
func (c *Call) Get(ctx context.Context, path string, header http.Header) (*Response, error) {
	return c.Do(ctx, http.MethodGet, path, header, nil)
}

// Do requests path (relative to the endpoint; a query may follow it) with
// the method, headers and body. A 429 or 503 with Retry-After is retried
// after the wait (capped), up to maxRetries times.
func (c *Call) Do(ctx context.Context, method, path string, header http.Header, body []byte) (*Response, error) {
	u, err := c.resolve(path)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		resp, err := c.once(ctx, method, u, header, body)
		if err != nil {
			return nil, err
		}
		if (resp.Status != http.StatusTooManyRequests && resp.Status != http.StatusServiceUnavailable) || attempt == maxRetries {
			return resp, nil
		}
		wait, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if !ok {
			wait = time.Duration(1<<attempt) * time.Second
		}
		if wait > maxRetryWait {
			return resp, nil
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// resolve puts path under the endpoint: the host can't change, whatever
// the path holds.
func (c *Call) resolve(path string) (*url.URL, error) {
	if strings.Contains(c.base.Host, tenantPlaceholder) {
		return nil, fmt.Errorf("endpoint %s needs a tenant (Call.Tenant)", c.base.Host)
	}
	rel, err := url.Parse(path)
	if err != nil || rel.IsAbs() || rel.Host != "" || strings.HasPrefix(path, "//") {
		return nil, fmt.Errorf("verifier path %q is not relative", path)
	}
	u := *c.base
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + strings.TrimPrefix(rel.Path, "/")
	u.RawQuery = rel.RawQuery
	return &u, nil
}

func (c *Call) once(ctx context.Context, method string, u *url.URL, header http.Header, body []byte) (*Response, error) {
	release, err := c.limits.acquire(ctx, u.Host)
	if err != nil {
		return nil, err
	}
	defer release()
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(string(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, c.scrub(err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "leakhound-verify")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, c.scrub(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, c.scrub(fmt.Errorf("read answer: %w", err))
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// scrub keeps the secret and the request's query (where some providers
// take keys) out of an error: errors end up in reports and logs.
func (c *Call) scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery, u.User = "", nil
			err = fmt.Errorf("%s %s: %w", ue.Op, u.Redacted(), ue.Err)
		}
	}
	msg := err.Error()
	if c.secret != "" && strings.Contains(msg, c.secret) {
		return errors.New(strings.ReplaceAll(msg, c.secret, "[secret]"))
	}
	return err
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d, true
		}
		return 0, true
	}
	return 0, false
}

// newHTTPClient returns the client for one provider. With allowPrivate
// unset (the provider's official endpoint), connections to private,
// loopback, link-local, CGNAT and metadata addresses are refused at dial
// time, on the address actually dialled (so DNS can't be used to point an
// official-looking name inside the network). Redirects are followed only
// on the same host and scheme.
func newHTTPClient(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if !allowPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip, err := netip.ParseAddr(host)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrForbiddenAddress, host)
			}
			if forbidden(ip) {
				return fmt.Errorf("%w: %s", ErrForbiddenAddress, ip)
			}
			return nil
		}
	}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy from the environment would see every secret
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			first := via[0].URL
			if req.URL.Host != first.Host || req.URL.Scheme != first.Scheme {
				return fmt.Errorf("redirect to another host (%s) refused", req.URL.Host)
			}
			if len(via) >= 3 {
				return errors.New("too many redirects")
			}
			return nil
		},
	}
}

// metadata are the cloud instance-metadata addresses that are not in a
// private range already.
var metadata = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"), // AWS, GCP, Azure, OpenStack (link-local anyway)
	netip.MustParseAddr("fd00:ec2::254"),   // AWS IPv6
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
	netip.MustParseAddr("192.0.0.192"),     // Oracle Cloud
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// forbidden reports whether ip may not be dialled for an official
// endpoint.
func forbidden(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() || cgnat.Contains(ip) {
		return true
	}
	for _, m := range metadata {
		if ip == m {
			return true
		}
	}
	return false
}
