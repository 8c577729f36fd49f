// Command leakhound finds leaked credentials. See README.md.
package main

import (
	"os"

	"github.com/leakhound/leakhound/cmd"
)

func main() { os.Exit(cmd.Main()) }
