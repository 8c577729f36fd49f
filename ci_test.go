package main

// Tests of what puts leakhound in CI: the GitHub Action (action.yml and
// the script it runs, end to end on real repositories with the real
// binary), the container image's Dockerfile, the GitLab CI template and
// the workflow files. Docker can't build here, so the Dockerfile is
// checked by reading it and by building the same static binary.

import (
	"debug/elf"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/leakhound/leakhound/detectors/detectortest"
	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/report"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
	buildTime time.Duration
)

// staticBinary builds leakhound as the Dockerfile and the action do:
// CGO_ENABLED=0, -trimpath.
func staticBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "leakhound-ci-test-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "leakhound")
		start := time.Now()
		c := exec.Command("go", "build", "-trimpath", "-o", builtBin, ".")
		c.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := c.CombinedOutput()
		buildTime = time.Since(start)
		if err != nil {
			buildErr = &buildError{err: err, out: string(out)}
		}
	})
	if buildErr != nil {
		t.Fatalf("build: %v", buildErr)
	}
	return builtBin
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

func TestStaticBinary(t *testing.T) {
	t.Parallel()
	bin := staticBinary(t)
	t.Logf("CGO_ENABLED=0 go build -trimpath: %s", buildTime.Round(time.Millisecond))
	f, err := elf.Open(bin)
	if err != nil {
		t.Skipf("not an ELF platform: %v", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary asks for a dynamic loader: not static")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary links %v", libs)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "leakhound ") {
		t.Errorf("version: %v %s", err, out)
	}
}

// dockerInstruction is one instruction of a Dockerfile.
type dockerInstruction struct {
	cmd, args string
}

// parseDockerfile reads instructions, joining continued lines and
// dropping comments, as docker does.
func parseDockerfile(t *testing.T, path string) []dockerInstruction {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []dockerInstruction
	var cur strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		cur.WriteString(trimmed)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, dockerInstruction{strings.ToUpper(cmd), strings.TrimSpace(args)})
		cur.Reset()
	}
	return out
}

func TestDockerfile(t *testing.T) {
	t.Parallel()
	ins := parseDockerfile(t, "Dockerfile")
	var stages [][]dockerInstruction
	for _, in := range ins {
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				t.Fatalf("%s before the first FROM", in.cmd)
			}
			continue
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], in)
	}
	if len(stages) < 2 {
		t.Fatalf("%d stages: want a builder and a final image", len(stages))
	}
	find := func(st []dockerInstruction, cmd string) []string {
		var args []string
		for _, in := range st {
			if in.cmd == cmd {
				args = append(args, in.args)
			}
		}
		return args
	}
	build, final := stages[0], stages[len(stages)-1]
	from := build[0].args
	if !strings.HasPrefix(from, "golang:") || !strings.HasSuffix(from, " AS build") {
		t.Errorf("builder stage FROM %q: want golang:... AS build", from)
	}
	// The builder's Go must be the one go.mod asks for.
	gomod, _ := os.ReadFile("go.mod")
	goVer := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	if goVer == nil || !strings.HasPrefix(from, "golang:"+string(goVer[1])) {
		t.Errorf("builder %q does not match go.mod's go %s", from, goVer[1])
	}
	runs := strings.Join(find(build, "RUN"), "\n")
	for _, want := range []string{"CGO_ENABLED=0", "go build", "-trimpath", "-o /out/leakhound"} {
		if !strings.Contains(runs, want) {
			t.Errorf("builder RUN lacks %q", want)
		}
	}
	if f := final[0].args; strings.HasPrefix(f, "golang") {
		t.Errorf("final image FROM %q carries the Go toolchain", f)
	}
	runs = strings.Join(find(final, "RUN"), "\n")
	for _, want := range []string{"git", "ca-certificates"} {
		if !strings.Contains(runs, want) {
			t.Errorf("final image does not install %s", want)
		}
	}
	if cp := find(final, "COPY"); len(cp) != 1 || !strings.HasPrefix(cp[0], "--from=build /out/leakhound ") {
		t.Errorf("final COPY %q: want the binary from the builder only", cp)
	}
	users := find(final, "USER")
	if len(users) == 0 {
		t.Fatal("the final image runs as root: no USER")
	}
	user := strings.Split(users[len(users)-1], ":")[0]
	if user == "root" || user == "0" || user == "" {
		t.Errorf("USER %q is root", users[len(users)-1])
	}
	if wd := find(final, "WORKDIR"); len(wd) == 0 || wd[len(wd)-1] != "/src" {
		t.Errorf("WORKDIR %q, want /src (docker run -v \"$PWD:/src\" IMAGE git /src)", wd)
	}
	ep := find(final, "ENTRYPOINT")
	var exec []string
	if len(ep) != 1 || json.Unmarshal([]byte(ep[0]), &exec) != nil || !slices.Equal(exec, []string{"leakhound"}) {
		t.Errorf("ENTRYPOINT %q, want the exec form [\"leakhound\"]", ep)
	}
	// What the builder copies must not drag in the repository's .git or
	// build output.
	ignore, err := os.ReadFile(".dockerignore")
	if err != nil || !strings.Contains(string(ignore), ".git") {
		t.Errorf(".dockerignore should leave out .git: %v", err)
	}
}

func readYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc
}

func TestActionYAML(t *testing.T) {
	t.Parallel()
	doc := readYAML(t, "action.yml")
	for _, k := range []string{"name", "description", "inputs", "outputs", "runs"} {
		if doc[k] == nil {
			t.Errorf("action.yml has no %s", k)
		}
	}
	inputs, _ := doc["inputs"].(map[string]any)
	for _, want := range []string{"config", "format", "verify", "fail-on", "args"} {
		if _, ok := inputs[want]; !ok {
			t.Errorf("input %q not declared", want)
		}
	}
	for name, v := range inputs {
		in, _ := v.(map[string]any)
		if in["description"] == nil {
			t.Errorf("input %s has no description", name)
		}
		if strings.Contains(strings.ToLower(name), "licen") {
			t.Errorf("input %s: no licence key", name)
		}
	}
	runs, _ := doc["runs"].(map[string]any)
	if runs["using"] != "composite" {
		t.Fatalf("runs.using %v, want composite", runs["using"])
	}
	steps, _ := runs["steps"].([]any)
	if len(steps) == 0 {
		t.Fatal("no steps")
	}
	ids := map[string]bool{}
	for i, s := range steps {
		step, _ := s.(map[string]any)
		if step["run"] != nil && step["shell"] == nil {
			t.Errorf("step %d runs a command without a shell (composite actions need one)", i)
		}
		if step["run"] == nil && step["uses"] == nil {
			t.Errorf("step %d neither runs nor uses anything", i)
		}
		if id, ok := step["id"].(string); ok {
			ids[id] = true
		}
	}

	// Every input used is declared, every declared input is used, and
	// every output names a step that exists.
	data, _ := os.ReadFile("action.yml")
	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}`).FindAllStringSubmatch(string(data), -1) {
		used[m[1]] = true
		if _, ok := inputs[m[1]]; !ok {
			t.Errorf("inputs.%s is used but not declared", m[1])
		}
	}
	for name := range inputs {
		if !used[name] {
			t.Errorf("input %s is declared but never used", name)
		}
	}
	for _, m := range regexp.MustCompile(`steps\.([A-Za-z0-9_-]+)\.outputs`).FindAllStringSubmatch(string(data), -1) {
		if !ids[m[1]] {
			t.Errorf("outputs refer to step %q, which has no such id", m[1])
		}
	}

	// The script reads only the INPUT_* variables the step sets.
	script, err := os.ReadFile("ci/github/scan.sh")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"$GITHUB_ACTION_PATH/ci/github/scan.sh"`) {
		t.Error("action.yml does not run ci/github/scan.sh")
	}
	for _, m := range regexp.MustCompile(`INPUT_[A-Z_]+`).FindAllString(string(script), -1) {
		if !strings.Contains(string(data), m+":") {
			t.Errorf("scan.sh reads %s, which action.yml does not set", m)
		}
	}
}

func TestWorkflowFiles(t *testing.T) {
	t.Parallel()
	for _, path := range []string{".github/workflows/ci.yml", "examples/github-workflow.yml", "examples/github-scheduled.yml"} {
		doc := readYAML(t, path)
		if doc["on"] == nil || doc["jobs"] == nil {
			t.Errorf("%s: no on or jobs", path)
		}
		data, _ := os.ReadFile(path)
		if path != ".github/workflows/ci.yml" && !strings.Contains(string(data), "security-events: write") {
			t.Errorf("%s: the upload needs security-events: write", path)
		}
		if strings.Contains(string(data), "leakhound/leakhound@") && !strings.Contains(string(data), "fetch-depth: 0") {
			t.Errorf("%s: the action needs the history (fetch-depth: 0)", path)
		}
	}
	ci, _ := os.ReadFile(".github/workflows/ci.yml")
	if !strings.Contains(string(ci), ".ci/run") {
		t.Error("ci.yml does not run .ci/run (make test)")
	}
	if sched := readYAML(t, "examples/github-scheduled.yml"); sched["on"].(map[string]any)["schedule"] == nil {
		t.Error("the scheduled example has no schedule")
	}

	gl := readYAML(t, "ci/gitlab/leakhound.gitlab-ci.yml")
	job, _ := gl["leakhound_secret_detection"].(map[string]any)
	if job == nil {
		t.Fatal("GitLab template has no leakhound_secret_detection job")
	}
	reports, _ := job["artifacts"].(map[string]any)["reports"].(map[string]any)
	if reports["secret_detection"] != "gl-secret-detection-report.json" {
		t.Errorf("artifacts:reports:secret_detection = %v", reports["secret_detection"])
	}
	if img, _ := job["image"].(map[string]any); img == nil || img["entrypoint"] == nil {
		t.Error("the image's ENTRYPOINT must be reset for GitLab's shell")
	}
	script, _ := job["script"].([]any)
	if len(script) == 0 || !strings.Contains(script[0].(string), "--format gitlab --output gl-secret-detection-report.json") ||
		!strings.Contains(script[0].(string), "--no-repo-config") {
		t.Errorf("GitLab script does not write the report with the trusted config: %v", script)
	}
}

// gitCmd runs git in dir with no user or system config.
func gitCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	c := exec.Command("git", append([]string{"-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"}, args...)...)
	c.Dir = dir
	c.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=Jane Doe", "GIT_AUTHOR_EMAIL=jane@example.com",
		"GIT_COMMITTER_NAME=Jane Doe", "GIT_COMMITTER_EMAIL=jane@example.com")
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fakeUploads answers upload-sarif as GitHub does and keeps what it got.
type fakeUploads struct {
	mu      sync.Mutex
	results []int    // results in each uploaded SARIF
	refs    []string // ref of each upload
}

func (f *fakeUploads) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer ghs_actionTESTtoken" {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	if r.Method == http.MethodGet {
		io.WriteString(w, `{"processing_status":"complete"}`)
		return
	}
	var body struct {
		Ref   string `json:"ref"`
		SARIF string `json:"sarif"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.SARIF == "" {
		http.Error(w, `{"message":"bad upload"}`, http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.refs = append(f.refs, body.Ref)
	f.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"id":"u1"}`)
}

// TestActionScript runs the action's script as a GitHub Actions run would,
// for each kind of event, on a real repository, with the real binary and
// a fake code scanning API.
func TestActionScript(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"git", "bash", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found", tool)
		}
	}
	bin := staticBinary(t)
	script, err := filepath.Abs("ci/github/scan.sh")
	if err != nil {
		t.Fatal(err)
	}

	// main: the trusted config and an old secret. feature: a config whose
	// allowlist hides everything (the bypass a pull request would try),
	// and a new secret.
	src, base, head, oldTok, newTok := bypassRepo(t, "config/old.env", "deploy/new.env")
	zero := strings.Repeat("0", 40)

	pr := func(fork bool) map[string]any {
		headRepo := "acme/app"
		if fork {
			headRepo = "mallory/app"
		}
		return map[string]any{"pull_request": map[string]any{
			"base": map[string]any{"sha": base, "repo": map[string]any{"full_name": "acme/app"}},
			"head": map[string]any{"sha": head, "repo": map[string]any{"full_name": headRepo}},
		}}
	}
	tests := []struct {
		name, event, branch string
		payload             map[string]any
		inputs              map[string]string
		wantCode            int
		wantUploads         int
		wantResults         []string // secrets the SARIF holds
		wantLog             []string
	}{
		{"pull request from a fork", "pull_request", "feature", pr(true), nil, 1, 0, []string{newTok},
			[]string{"rules: .leakhound.toml as of " + base, "scanning " + base + ".." + head, "not uploaded"}},
		{"pull request", "pull_request", "feature", pr(false), nil, 1, 1, []string{newTok}, []string{"test-token"}},
		{"push", "push", "feature", map[string]any{"before": base, "after": head, "ref": "refs/heads/feature"},
			map[string]string{"INPUT_FORMAT": "markdown"}, 1, 1, []string{newTok}, []string{"## leakhound: 1 secret found"}},
		{"push of a new branch", "push", "feature", map[string]any{"before": zero, "after": head, "ref": "refs/heads/feature",
			"repository": map[string]any{"default_branch": "main"}}, nil, 1, 1, []string{newTok}, []string{"scanning refs/remotes/origin/main.." + head}},
		{"branch deleted", "push", "main", map[string]any{"before": head, "after": zero, "ref": "refs/heads/feature"}, nil, 0, 0, nil,
			[]string{"deleted refs/heads/feature: nothing to scan"}},
		{"findings that don't fail", "pull_request", "feature", pr(false), map[string]string{"INPUT_FAIL_ON": "never", "INPUT_FORMAT": "sarif"}, 0, 1, []string{newTok}, nil},
		{"schedule", "schedule", "main", map[string]any{}, nil, 1, 1, []string{newTok, oldTok}, []string{"scanning every ref"}},
		{"fail-on verified without verify", "push", "feature", map[string]any{"before": base, "after": head}, map[string]string{"INPUT_FAIL_ON": "verified"}, 2, 0, nil,
			[]string{"fail-on: verified needs verify: true"}},
		{"no upload", "pull_request", "feature", pr(false), map[string]string{"INPUT_UPLOAD": "false"}, 1, 0, []string{newTok}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := filepath.Join(t.TempDir(), "ws")
			gitCmd(t, filepath.Dir(ws), "clone", "-q", "-b", tt.branch, src, ws)
			tmp := t.TempDir()
			evPath := filepath.Join(tmp, "event.json")
			ev, _ := json.Marshal(tt.payload)
			os.WriteFile(evPath, ev, 0o644)
			fake := &fakeUploads{}
			srv := httptest.NewServer(fake)
			defer srv.Close()

			c := exec.Command("bash", script)
			c.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
				"LEAKHOUND="+bin, "RUNNER_TEMP="+tmp, "GITHUB_WORKSPACE="+ws,
				"GITHUB_EVENT_NAME="+tt.event, "GITHUB_EVENT_PATH="+evPath,
				"GITHUB_OUTPUT="+filepath.Join(tmp, "output"), "GITHUB_STEP_SUMMARY="+filepath.Join(tmp, "summary.md"),
				"GITHUB_REPOSITORY=acme/app", "GITHUB_REF=refs/pull/7/merge", "GITHUB_SHA="+head,
				"GITHUB_API_URL="+srv.URL, "INPUT_TOKEN=ghs_actionTESTtoken", "GITHUB_TOKEN=")
			for k, v := range tt.inputs {
				c.Env = append(c.Env, k+"="+v)
			}
			out, err := c.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			log := string(out)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d:\n%s", code, tt.wantCode, log)
			}
			for _, s := range []string{oldTok, newTok, "ghs_actionTESTtoken"} {
				if strings.Contains(log, s) {
					t.Errorf("the log shows a secret or the token:\n%s", log)
				}
			}
			if summary, _ := os.ReadFile(filepath.Join(tmp, "summary.md")); len(summary) > 0 {
				log += string(summary)
			}
			for _, want := range tt.wantLog {
				if !strings.Contains(log, want) {
					t.Errorf("log lacks %q:\n%s", want, log)
				}
			}
			fake.mu.Lock()
			uploads := len(fake.refs)
			fake.mu.Unlock()
			if uploads != tt.wantUploads {
				t.Errorf("%d uploads, want %d:\n%s", uploads, tt.wantUploads, log)
			}
			if tt.wantResults == nil {
				return
			}
			// Which secrets the SARIF holds, by their hashes: it has no
			// secret in clear.
			data, err := os.ReadFile(filepath.Join(tmp, "leakhound.sarif"))
			if err != nil {
				t.Fatal(err)
			}
			var sarif struct {
				Runs []struct {
					Results []struct {
						Properties map[string]string `json:"properties"`
					} `json:"results"`
				} `json:"runs"`
			}
			if err := json.Unmarshal(data, &sarif); err != nil || len(sarif.Runs) != 1 {
				t.Fatalf("SARIF: %v", err)
			}
			var got, want []string
			for _, r := range sarif.Runs[0].Results {
				got = append(got, r.Properties["secret_hash"])
			}
			for _, s := range tt.wantResults {
				want = append(want, finding.HashSecret(s))
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("SARIF holds %d results %v, want %d", len(got), got, len(want))
			}
			outputs, _ := os.ReadFile(filepath.Join(tmp, "output"))
			if !strings.Contains(string(outputs), "sarif="+filepath.Join(tmp, "leakhound.sarif")) {
				t.Errorf("step outputs: %s", outputs)
			}
		})
	}
}

// TestGitLabTemplateScript runs the GitLab template's script as a runner
// would (sh, the CI_* variables, leakhound on PATH) and checks the report
// it leaves against GitLab's schema.
func TestGitLabTemplateScript(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"git", "sh"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found", tool)
		}
	}
	bin := staticBinary(t)
	gl := readYAML(t, "ci/gitlab/leakhound.gitlab-ci.yml")
	script := gl["leakhound_secret_detection"].(map[string]any)["script"].([]any)[0].(string)
	vars := gl["variables"].(map[string]any)

	src, base, head, oldTok, newTok := bypassRepo(t, "old.env", "new.env")

	binDir := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(binDir, "leakhound")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		env      []string
		wantCode int
		want     []string // secrets in the report
	}{
		{"merge request", []string{"CI_MERGE_REQUEST_DIFF_BASE_SHA=" + base, "CI_PIPELINE_SOURCE=merge_request_event"}, 1, []string{newTok}},
		{"push", []string{"CI_COMMIT_BEFORE_SHA=" + base, "CI_PIPELINE_SOURCE=push", "CI_COMMIT_BRANCH=feature"}, 1, []string{newTok}},
		{"new branch", []string{"CI_COMMIT_BEFORE_SHA=" + strings.Repeat("0", 40), "CI_PIPELINE_SOURCE=push", "CI_COMMIT_BRANCH=feature"}, 1, []string{newTok}},
		{"report only", []string{"CI_MERGE_REQUEST_DIFF_BASE_SHA=" + base, "CI_PIPELINE_SOURCE=merge_request_event", "LEAKHOUND_FAIL=false"}, 0, []string{newTok}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := filepath.Join(t.TempDir(), "ws")
			gitCmd(t, filepath.Dir(ws), "clone", "-q", "-b", "feature", src, ws)
			c := exec.Command("sh", "-c", script)
			c.Dir = ws
			c.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
				"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
				"CI_COMMIT_SHA="+head, "CI_DEFAULT_BRANCH=main")
			for k, v := range vars {
				c.Env = append(c.Env, k+"="+v.(string))
			}
			c.Env = append(c.Env, tt.env...)
			out, err := c.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d:\n%s", code, tt.wantCode, out)
			}
			if strings.Contains(string(out), newTok) || strings.Contains(string(out), oldTok) {
				t.Errorf("the log shows a secret:\n%s", out)
			}
			data, err := os.ReadFile(filepath.Join(ws, "gl-secret-detection-report.json"))
			if err != nil {
				t.Fatalf("no report: %v\n%s", err, out)
			}
			validateGitLabReport(t, data)
			var rep struct {
				Vulnerabilities []struct {
					Details map[string]struct{ Value string } `json:"details"`
				} `json:"vulnerabilities"`
			}
			json.Unmarshal(data, &rep)
			var got, want []string
			for _, v := range rep.Vulnerabilities {
				got = append(got, v.Details["secret_hash"].Value)
			}
			for _, s := range tt.want {
				want = append(want, finding.HashSecret(s))
			}
			if !slices.Equal(got, want) {
				t.Errorf("report holds %v, want %v:\n%s", got, want, out)
			}
		})
	}
}

func validateGitLabReport(t *testing.T, data []byte) {
	t.Helper()
	schema, err := jsonschema.NewCompiler().Compile("testdata/gitlab-secret-detection-report-format-" + report.GitLabSchemaVersion + ".json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("GitLab would refuse the report: %v", err)
	}
}

// bypassRepo makes a repository whose main branch holds the trusted config
// and an old token (at oldPath), and whose feature branch adds a config
// that allowlists every path (the bypass a pull request would try) and a
// new token (at newPath). main is checked out.
func bypassRepo(t *testing.T, oldPath, newPath string) (src, base, head, oldTok, newTok string) {
	t.Helper()
	src = t.TempDir()
	gitCmd(t, src, "init", "-q")
	oldTok, newTok = detectortest.Token(), detectortest.Token()
	writeFile(t, src, ".leakhound.toml", detectortest.TokenRuleTOML)
	writeFile(t, src, oldPath, "TOKEN="+oldTok+"\n")
	gitCmd(t, src, "add", "-A")
	gitCmd(t, src, "commit", "-q", "-m", "base")
	base = gitCmd(t, src, "rev-parse", "HEAD")
	gitCmd(t, src, "checkout", "-q", "-b", "feature")
	writeFile(t, src, ".leakhound.toml", detectortest.TokenRuleTOML+"\n[[allowlists]]\ndescription = \"nothing to see\"\npaths = ['''.*''']\n")
	writeFile(t, src, newPath, "TOKEN="+newTok+"\n")
	gitCmd(t, src, "add", "-A")
	gitCmd(t, src, "commit", "-q", "-m", "add a token, allowlist it")
	head = gitCmd(t, src, "rev-parse", "HEAD")
	gitCmd(t, src, "checkout", "-q", "main")
	return src, base, head, oldTok, newTok
}
