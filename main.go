// Command leakhound finds leaked credentials. See README.md.
package main

import (
	"os"

	"github.com/leakhound/leakhound/cmd"
	"github.com/leakhound/leakhound/internal/hugeheap"
)

func main() {
	hugeheap.Reserve()
	os.Exit(cmd.Main())
}
