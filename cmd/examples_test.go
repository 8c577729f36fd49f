package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/leakhound/leakhound/scanner/source/org"
)

// The shipped examples (examples/kubernetes, examples/github-actions) are
// parsed and their leakhound command lines run through the real flag
// parsing, so a renamed flag or a shard count changed in one place only
// fails here. kubectl's client dry run needs a cluster to map kinds, so
// the manifests' fields that matter are checked here instead.

// parseOrgArgs parses args as `leakhound ARGS` with the org command's
// scan replaced, and returns the options it got.
func parseOrgArgs(t *testing.T, args []string) *OrgOptions {
	t.Helper()
	streams, _, _ := TestStreams("")
	g := &GlobalOptions{}
	var got *OrgOptions
	root := &cobra.Command{Use: "leakhound", SilenceErrors: true, SilenceUsage: true}
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	g.addFlags(root)
	root.AddCommand(NewCmdOrg(streams, g, func(o *OrgOptions) error { got = o; return nil }))
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		t.Fatalf("leakhound %s: %v", strings.Join(args, " "), err)
	}
	if got == nil {
		t.Fatalf("leakhound %s: not an org scan", strings.Join(args, " "))
	}
	return got
}

func readYAMLDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []map[string]any
	for {
		var d map[string]any
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		// A round trip must keep the document as it is.
		out, err := yaml.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var again map[string]any
		if err := yaml.Unmarshal(out, &again); err != nil || fmt.Sprint(again) != fmt.Sprint(d) {
			t.Fatalf("%s: YAML round trip changed a document: %v", path, err)
		}
		docs = append(docs, d)
	}
	return docs
}

// at walks a parsed YAML document: keys for maps, indexes for lists.
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: not a map at %q", path, k)
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("%v: no item %d", path, k)
			}
			v = l[k]
		}
	}
	return v
}

func TestKubernetesExample(t *testing.T) {
	t.Parallel()
	docs := readYAMLDocs(t, filepath.Join("..", "examples", "kubernetes", "org-scan.yaml"))
	var cron, pvc map[string]any
	for _, d := range docs {
		switch d["kind"] {
		case "CronJob":
			cron = d
		case "PersistentVolumeClaim":
			pvc = d
		}
	}
	if cron == nil || pvc == nil {
		t.Fatalf("want a CronJob and a PersistentVolumeClaim, got %d documents", len(docs))
	}
	if at(t, cron, "apiVersion") != "batch/v1" || len(strings.Fields(at(t, cron, "spec", "schedule").(string))) != 5 ||
		at(t, cron, "spec", "concurrencyPolicy") != "Forbid" {
		t.Errorf("CronJob spec: %v", at(t, cron, "spec"))
	}
	job := at(t, cron, "spec", "jobTemplate", "spec")
	n := at(t, job, "completions").(int)
	if at(t, job, "completionMode") != "Indexed" || at(t, job, "parallelism") != n || n < 2 {
		t.Errorf("Job: completionMode %v, completions %d, parallelism %v", at(t, job, "completionMode"), n, at(t, job, "parallelism"))
	}
	pod := at(t, job, "template", "spec")
	if at(t, pod, "restartPolicy") != "Never" {
		t.Error("an Indexed Job's pods must not restart in place")
	}
	c := at(t, pod, "containers", 0)
	env := map[string]map[string]any{}
	for _, e := range at(t, c, "env").([]any) {
		m := e.(map[string]any)
		if _, literal := m["value"]; literal {
			t.Errorf("env %v has a literal value: tokens come from a Secret", m["name"])
		}
		env[m["name"].(string)] = m["valueFrom"].(map[string]any)
	}
	if ref := at(t, env["JOB_COMPLETION_INDEX"], "fieldRef", "fieldPath"); ref != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("JOB_COMPLETION_INDEX from %v", ref)
	}
	for _, name := range []string{"GITHUB_TOKEN", "SLACK_WEBHOOK_URL"} {
		if at(t, env[name], "secretKeyRef", "name") != "leakhound-tokens" || at(t, env[name], "secretKeyRef", "key") != name {
			t.Errorf("%s does not come from the leakhound-tokens Secret: %v", name, env[name])
		}
	}
	if at(t, pod, "volumes", 0, "persistentVolumeClaim", "claimName") != at(t, pvc, "metadata", "name") {
		t.Error("the data volume is not the PersistentVolumeClaim")
	}
	if sub := at(t, c, "volumeMounts", 0, "subPathExpr"); sub != "shard-$(JOB_COMPLETION_INDEX)" {
		t.Errorf("shards share a directory: subPathExpr %v", sub)
	}

	// The container's command line, as Kubernetes expands it for each
	// index, is a valid org scan of shard K of N.
	var args []string
	for _, a := range at(t, c, "args").([]any) {
		args = append(args, fmt.Sprint(a))
	}
	for k := 0; k < n; k++ {
		expanded := make([]string, len(args))
		for i, a := range args {
			a = strings.ReplaceAll(a, "$(JOB_COMPLETION_INDEX)", strconv.Itoa(k))
			expanded[i] = strings.ReplaceAll(a, "$(SLACK_WEBHOOK_URL)", "https://hooks.slack.com/services/T/B/X")
		}
		o := parseOrgArgs(t, expanded)
		s, err := org.ParseShard(o.Shard)
		if err != nil || s != (org.Shard{K: k, N: n}) {
			t.Errorf("index %d: --shard %q (%v), want %d/%d", k, o.Shard, err, k, n)
		}
		if o.State == "" || !strings.HasPrefix(o.State, "/data/") || !strings.HasPrefix(o.CacheDir, "/data/") {
			t.Errorf("state %q and mirrors %q must be on the volume", o.State, o.CacheDir)
		}
	}
}

var ghExpr = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

func TestGitHubActionsExample(t *testing.T) {
	t.Parallel()
	docs := readYAMLDocs(t, filepath.Join("..", "examples", "github-actions", "org-scan.yml"))
	wf := docs[0]
	on := at(t, wf, "on").(map[string]any)
	if cron := at(t, on, "schedule", 0, "cron"); len(strings.Fields(fmt.Sprint(cron))) != 5 {
		t.Errorf("schedule: %v", cron)
	}
	scan := at(t, wf, "jobs", "scan")
	shards := at(t, scan, "strategy", "matrix", "shard").([]any)
	for i, s := range shards {
		if s != i {
			t.Errorf("matrix shard %d is %v: shards number from 0", i, s)
		}
	}
	if at(t, wf, "jobs", "merge", "needs") != "scan" {
		t.Error("merge does not wait for the shards")
	}
	var script string
	var stepEnv map[string]any
	for _, st := range at(t, scan, "steps").([]any) {
		m := st.(map[string]any)
		if r, ok := m["run"].(string); ok && strings.Contains(r, "leakhound org") {
			script, stepEnv = r, m["env"].(map[string]any)
		}
	}
	if script == "" {
		t.Fatal("no step runs leakhound org")
	}
	if stepEnv["GITHUB_TOKEN"] != "${{ secrets.ORG_SCAN_TOKEN }}" {
		t.Errorf("GITHUB_TOKEN = %v, want an organization token from the repository's secrets", stepEnv["GITHUB_TOKEN"])
	}
	if exec.Command("bash", "--version").Run() == nil {
		check := exec.Command("bash", "-n")
		check.Stdin = strings.NewReader(ghExpr.ReplaceAllString(script, "x"))
		if out, err := check.CombinedOutput(); err != nil {
			t.Errorf("the scan step is not valid bash: %v\n%s", err, out)
		}
	}
	// The leakhound command line, for each matrix entry, is a valid org
	// scan of that shard.
	line := strings.ReplaceAll(script, "\\\n", " ")
	var cmdline string
	for _, l := range strings.Split(line, "\n") {
		if strings.Contains(l, "leakhound org") {
			cmdline = l
		}
	}
	cmdline = strings.TrimSpace(cmdline[strings.Index(cmdline, "leakhound org")+len("leakhound "):])
	cmdline, _, _ = strings.Cut(cmdline, "||")
	for k := range shards {
		expanded := ghExpr.ReplaceAllStringFunc(cmdline, func(e string) string {
			switch ghExpr.FindStringSubmatch(e)[1] {
			case "matrix.shard":
				return strconv.Itoa(k)
			case "github.repository_owner":
				return "acme"
			}
			t.Fatalf("unexpected expression %s", e)
			return ""
		})
		var args []string
		for _, f := range strings.Fields(expanded) {
			if f == `"${notify[@]}"` {
				continue
			}
			args = append(args, strings.Trim(f, `"`))
		}
		o := parseOrgArgs(t, args)
		if s, err := org.ParseShard(o.Shard); err != nil || s != (org.Shard{K: k, N: len(shards)}) {
			t.Errorf("matrix %d: --shard %q (%v), want %d/%d", k, o.Shard, err, k, len(shards))
		}
		if o.State != fmt.Sprintf("state-%d.json", k) {
			t.Errorf("matrix %d: --state %q is not the cached one", k, o.State)
		}
	}
}
