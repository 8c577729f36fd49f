// Command leakhound finds leaked credentials. See README.md.
package main

import (
	"os"

	"github.com/leakhound/leakhound/cmd"
	"github.com/leakhound/leakhound/internal/hugeheap"
)

func main() {
	// A scan's heap is put on huge pages; a server's is not: between
	// scans it gives memory back, which the kernel would gather into huge
	// pages again, keeping the server at its peak.
	if !cmd.LongRunning(os.Args[1:]) {
		hugeheap.Reserve()
	}
	os.Exit(cmd.Main())
}
