package org

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

const testToken = "test-token-value-0123456789"

// githubServer serves /orgs/acme/repos in pages of two, linked by Link
// headers, and answers the first request of page 2 with a rate limit.
func githubServer(t *testing.T, repos []map[string]any, limited *atomic.Int32) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		if strings.Contains(r.URL.RawQuery, testToken) {
			t.Errorf("token in a URL: %s", r.URL)
		}
		if r.URL.Path != "/orgs/acme/repos" {
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
			return
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page == 0 {
			page = 1
		}
		if page == 2 && limited.Add(1) == 1 {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Unix(), 10))
			http.Error(w, `{"message":"API rate limit exceeded"}`, http.StatusForbidden)
			return
		}
		const per = 2
		lo, hi := (page-1)*per, min(page*per, len(repos))
		if hi < len(repos) {
			w.Header().Set("Link", fmt.Sprintf(`<%s/orgs/acme/repos?per_page=100&page=%d>; rel="next", <%s/orgs/acme/repos?page=9>; rel="last"`, srv.URL, page+1, srv.URL))
		}
		json.NewEncoder(w).Encode(repos[lo:hi])
	}))
	t.Cleanup(srv.Close)
	return srv
}

func ghRepo(name string, archived, fork bool) map[string]any {
	return map[string]any{"full_name": "acme/" + name, "clone_url": "https://github.example/acme/" + name + ".git",
		"html_url": "https://github.example/acme/" + name, "archived": archived, "fork": fork, "size": 3, "default_branch": "main"}
}

func names(rs []Repo) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.FullName)
	}
	return strings.Join(out, " ")
}

func TestListGitHub(t *testing.T) {
	t.Parallel()
	repos := []map[string]any{ghRepo("api", false, false), ghRepo("web", false, false), ghRepo("old", true, false),
		ghRepo("fork", false, true), ghRepo("api-archive", false, false)}
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"defaults leave out archived and forks", Options{}, "acme/api acme/api-archive acme/web"},
		{"archived and forks", Options{Archived: true, Forks: true}, "acme/api acme/api-archive acme/fork acme/old acme/web"},
		{"include", Options{Include: []string{"acme/a*"}}, "acme/api acme/api-archive"},
		{"exclude by name", Options{Exclude: []string{"*-archive"}}, "acme/api acme/web"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var limited atomic.Int32
			srv := githubServer(t, repos, &limited)
			o := tt.opts
			o.Platform, o.Owner, o.APIURL, o.Token = GitHub, "acme", srv.URL, testToken
			var logs []string
			o.Log = func(m string) { logs = append(logs, m) }
			got, err := List(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if names(got) != tt.want {
				t.Errorf("repos = %s, want %s", names(got), tt.want)
			}
			if limited.Load() < 2 || len(logs) == 0 || !strings.Contains(logs[0], "403") {
				t.Errorf("the rate limit was not waited out and retried: %d requests of page 2, log %q", limited.Load(), logs)
			}
			if got[0].Size != 3*1024 || got[0].WebURL == "" || got[0].CloneURL == "" {
				t.Errorf("repo = %+v", got[0])
			}
		})
	}
}

func TestListErrors(t *testing.T) {
	t.Parallel()
	var srvURL string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/orgs/elsewhere/repos":
			w.Header().Set("Link", `<https://attacker.example/steal?page=2>; rel="next"`)
			w.Write([]byte(`[{"full_name":"elsewhere/a"}]`))
		case "/orgs/slow/repos":
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/orgs/redirect/repos":
			http.Redirect(w, r, "http://127.0.0.2:1/x", http.StatusFound)
		default:
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	srvURL = srv.URL
	tests := []struct{ owner, want string }{
		{"elsewhere", "another host (attacker.example) refused"},
		{"slow", "rate limited by"},
		{"redirect", "redirect to another host"},
		{"nosuch", "404"},
	}
	for _, tt := range tests {
		t.Run(tt.owner, func(t *testing.T) {
			t.Parallel()
			_, err := List(context.Background(), Options{Platform: GitHub, Owner: tt.owner, APIURL: srvURL, Token: testToken, MaxWait: time.Second})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("token in error: %v", err)
			}
		})
	}
	if _, err := List(context.Background(), Options{Platform: GitHub, Owner: "x", APIURL: "https://tok@api.example"}); err == nil {
		t.Error("API URL with credentials accepted")
	}
	if _, err := List(context.Background(), Options{Platform: "bitbucket", Owner: "x"}); err == nil {
		t.Error("unknown platform accepted")
	}
}

func TestListGitLab(t *testing.T) {
	t.Parallel()
	var requests atomic.Int32
	projects := []map[string]any{
		{"path_with_namespace": "grp/a", "http_url_to_repo": "https://gitlab.example/grp/a.git", "web_url": "https://gitlab.example/grp/a"},
		{"path_with_namespace": "grp/sub/b", "http_url_to_repo": "https://gitlab.example/grp/sub/b.git", "web_url": "https://gitlab.example/grp/sub/b"},
		{"path_with_namespace": "grp/c", "forked_from_project": map[string]any{"id": 1}},
		{"path_with_namespace": "grp/d", "archived": true},
		{"path_with_namespace": "grp/e", "statistics": map[string]any{"repository_size": 12345}},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("PRIVATE-TOKEN") != testToken {
			http.Error(w, `{"message":"401 Unauthorized"}`, http.StatusUnauthorized)
			return
		}
		if r.URL.EscapedPath() != "/api/v4/groups/grp%2Fparent/projects" || r.URL.Query().Get("include_subgroups") != "true" {
			t.Errorf("request %s", r.URL)
			http.NotFound(w, r)
			return
		}
		if requests.Add(1) == 1 {
			w.Header().Set("RateLimit-Reset", strconv.FormatInt(time.Now().Unix(), 10))
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		lo, hi := (page-1)*2, min(page*2, len(projects))
		if hi < len(projects) {
			w.Header().Set("X-Next-Page", strconv.Itoa(page+1))
		} else {
			w.Header().Set("X-Next-Page", "")
		}
		json.NewEncoder(w).Encode(projects[lo:hi])
	}))
	t.Cleanup(srv.Close)
	got, err := List(context.Background(), Options{Platform: GitLab, Owner: "grp/parent", APIURL: srv.URL + "/api/v4", Token: testToken, Archived: true})
	if err != nil {
		t.Fatal(err)
	}
	if names(got) != "grp/a grp/d grp/e grp/sub/b" {
		t.Errorf("repos = %s", names(got))
	}
	if got[2].Size != 12345 || got[0].WebURL != "https://gitlab.example/grp/a" {
		t.Errorf("repos = %+v", got)
	}
	if requests.Load() != 4 {
		t.Errorf("%d requests, want 4 (one rate-limited, three pages)", requests.Load())
	}
}

func TestRateLimitWait(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		status  int
		header  map[string]string
		want    time.Duration
		limited bool
	}{
		{200, nil, 0, false},
		{403, nil, 0, false}, // a plain permission error
		{429, map[string]string{"Retry-After": "7"}, 7 * time.Second, true},
		{403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1700000030"}, 31 * time.Second, true},
		{429, map[string]string{"RateLimit-Reset": "1700000010"}, 11 * time.Second, true},
		{429, map[string]string{"Retry-After": now.Add(20 * time.Second).UTC().Format(http.TimeFormat)}, 20 * time.Second, true},
		{429, nil, time.Minute, true},
	}
	for _, tt := range tests {
		resp := &http.Response{StatusCode: tt.status, Header: http.Header{}}
		for k, v := range tt.header {
			resp.Header.Set(k, v)
		}
		got, limited := RateLimitWait(resp, now)
		if got != tt.want || limited != tt.limited {
			t.Errorf("%d %v: wait %s %v, want %s %v", tt.status, tt.header, got, limited, tt.want, tt.limited)
		}
	}
}

func TestCloneAuthOnlyToTheForge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		opts  Options
		clone string
		user  string // "" for no auth
	}{
		{Options{Platform: GitHub, Token: "t"}, "https://github.com/acme/a.git", "x-access-token"},
		{Options{Platform: GitHub, Token: "t"}, "https://evil.example/acme/a.git", ""},
		{Options{Platform: GitHub, Token: "t"}, "http://github.com/acme/a.git", ""},
		{Options{Platform: GitHub, Token: "t", APIURL: "https://ghe.example/api/v3"}, "https://ghe.example/acme/a.git", "x-access-token"},
		{Options{Platform: GitLab, Token: "t"}, "https://gitlab.com/g/a.git", "oauth2"},
		{Options{Platform: GitLab, Token: "t"}, "file:///srv/g/a.git", ""},
		{Options{Platform: GitLab}, "https://gitlab.com/g/a.git", ""},
	}
	for _, tt := range tests {
		a := CloneAuth(tt.opts, tt.clone)
		got := ""
		if b, ok := a.(*githttp.BasicAuth); ok {
			got = b.Username
			if b.Password != tt.opts.Token {
				t.Errorf("%s: password is not the token", tt.clone)
			}
		}
		if got != tt.user {
			t.Errorf("%s %s: auth user %q, want %q", tt.opts.Platform, tt.clone, got, tt.user)
		}
	}
}

func TestShardsCoverEachRepositoryOnce(t *testing.T) {
	t.Parallel()
	var repos []string
	for i := 0; i < 500; i++ {
		repos = append(repos, fmt.Sprintf("acme/repo-%03d", i))
	}
	for _, n := range []int{1, 2, 3, 7} {
		counts := make([]int, n)
		for _, r := range repos {
			owners := 0
			for k := 0; k < n; k++ {
				if (Shard{K: k, N: n}).Owns(r) {
					owners++
					counts[k]++
				}
			}
			if owners != 1 {
				t.Fatalf("n=%d: %s owned by %d shards", n, r, owners)
			}
		}
		for k, c := range counts {
			// Rendezvous hashing spreads evenly: within 40% of the mean.
			if mean := len(repos) / n; c < mean*6/10 || c > mean*14/10 {
				t.Errorf("n=%d: shard %d has %d repositories, mean %d", n, k, c, mean)
			}
		}
	}
	// Going from 3 to 4 shards moves only what the new shard takes.
	for _, r := range repos {
		if a, b := ShardOf(r, 3), ShardOf(r, 4); a != b && b != 3 {
			t.Errorf("%s moved from shard %d to %d, not to the new shard", r, a, b)
		}
	}
	for _, bad := range []string{"3/3", "-1/3", "1", "a/b", "0/0"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
	if s, err := ParseShard("2/5"); err != nil || s != (Shard{2, 5}) {
		t.Errorf("ParseShard(2/5) = %v, %v", s, err)
	}
}
