package rules

import (
	"bytes"
	"encoding/gob"
	"reflect"
	"testing"
)

// TestDefaultGobIsCurrent: the rules a scan runs (default.gob) are the
// rules in rules/default/*.toml.
func TestDefaultGobIsCurrent(t *testing.T) {
	t.Parallel()
	want, err := DefaultFromTOML()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	// Compare what the TOML decodes to after the same gob round trip (gob
	// does not tell an empty slice from a nil one).
	var buf bytes.Buffer
	if err := EncodeDefault(&buf, want); err != nil {
		t.Fatal(err)
	}
	want = &Config{}
	if err := gob.NewDecoder(&buf).Decode(want); err != nil {
		t.Fatal(err)
	}
	if len(got.Rules) != len(want.Rules) {
		t.Fatalf("default.gob has %d rules, the TOML files %d: run go generate ./rules", len(got.Rules), len(want.Rules))
	}
	for i := range want.Rules {
		if !reflect.DeepEqual(got.Rules[i], want.Rules[i]) {
			t.Fatalf("rule %s differs from its TOML: run go generate ./rules", want.Rules[i].ID)
		}
	}
	if !reflect.DeepEqual(got.Allowlists, want.Allowlists) {
		t.Fatal("global allowlists differ: run go generate ./rules")
	}
}
