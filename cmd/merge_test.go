package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMergeDedupesAndKeepsTheWorstVerification(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secret := gitToken()
	rec := func(repo, fp, verification string) map[string]any {
		return map[string]any{"rule_id": "test-token", "secret": secret, "match": "TOKEN=" + secret, "file": "a.env", "line": 1,
			"repository": repo, "fingerprint": fp, "commit": strings.Repeat("a", 40), "verification": verification,
			"verification_detail": map[string]any{"identity": "bot"}}
	}
	write := func(name string, lines bool, recs ...map[string]any) string {
		p := filepath.Join(dir, name)
		var data []byte
		if lines {
			for _, r := range recs {
				b, _ := json.Marshal(r)
				data = append(append(data, b...), '\n')
			}
		} else {
			data, _ = json.Marshal(recs)
		}
		os.WriteFile(p, data, 0o600)
		return p
	}
	a := write("a.json", false, rec("acme/x", "fp1", "invalid"), rec("acme/y", "fp1", ""))
	b := write("b.jsonl", true, rec("acme/x", "fp1", "verified"), rec("acme/x", "fp2", "unknown"))
	empty := write("c.json", false)

	code, out, errOut := run(t, "", "merge", "--format", "json", a, b, empty)
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []struct {
		Repository, Fingerprint, Verification, Secret, Match string
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"acme/x fp1": "verified", "acme/y fp1": "", "acme/x fp2": "unknown"}
	if len(got) != len(want) {
		t.Fatalf("%d findings, want %d: %s", len(got), len(want), out)
	}
	for _, f := range got {
		if v, ok := want[f.Repository+" "+f.Fingerprint]; !ok || v != f.Verification {
			t.Errorf("finding %+v", f)
		}
		if strings.Contains(f.Secret+f.Match, secret) {
			t.Error("merge printed a secret without --reveal")
		}
	}
	if !strings.Contains(errOut, "1 duplicates left out") {
		t.Errorf("stderr: %s", errOut)
	}
	// Reports already redacted keep their redacted form.
	redacted := filepath.Join(dir, "redacted.json")
	_, out, _ = run(t, "", "merge", "--format", "json", a)
	os.WriteFile(redacted, []byte(out), 0o600)
	_, out2, _ := run(t, "", "merge", "--format", "json", redacted)
	if !strings.Contains(out2, `"secret": "tok_*****"`) {
		t.Errorf("redacted input redacted again: %s", out2)
	}

	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("not json\n"), 0o600)
	for _, args := range [][]string{{"merge", bad}, {"merge", filepath.Join(dir, "missing.json")}} {
		if code, _, errOut := run(t, "", args...); code != ExitUsage || !strings.Contains(errOut, "merge:") {
			t.Errorf("%v: exit %d: %s", args, code, errOut)
		}
	}
	if code, out, _ := run(t, "", "merge", "--format", "json", empty); code != ExitClean || strings.TrimSpace(out) != "[]" {
		t.Errorf("empty merge: exit %d %s", code, out)
	}
}
