// Command gendefault writes rules/default.gob from rules/default/*.toml:
// the built-in rules in the form rules.Default decodes at start-up. Run it
// with `go generate ./rules` after changing a rule file.
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/leakhound/leakhound/rules"
)

func main() {
	c, err := rules.DefaultFromTOML()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendefault:", err)
		os.Exit(1)
	}
	var buf bytes.Buffer
	if err := rules.EncodeDefault(&buf, c); err != nil {
		fmt.Fprintln(os.Stderr, "gendefault:", err)
		os.Exit(1)
	}
	// Run by go generate in the rules directory.
	if err := os.WriteFile("default.gob", buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gendefault:", err)
		os.Exit(1)
	}
	fmt.Printf("rules/default.gob: %d rules, %d bytes\n", len(c.Rules), buf.Len())
}
