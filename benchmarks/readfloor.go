//go:build ignore

// readfloor reads every regular file under a directory once, one file at a
// time, into one reused buffer: the floor the dir benchmark measures a scan
// against. It is what `find | xargs cat` measures, less cat's own cost per
// file: GNU cat maps and unmaps a fresh 128 KiB buffer for each file, which
// on a virtual machine where page faults are dear (this one) made cat take
// four times as long as the reading itself.
//
// usage: go run benchmarks/readfloor.go DIR   (dir_bench.sh builds it once)
package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: readfloor DIR")
		os.Exit(2)
	}
	buf := make([]byte, 1<<20)
	var files, bytes int64
	err := filepath.WalkDir(os.Args[1], func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		for {
			n, err := f.Read(buf)
			bytes += int64(n)
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
		}
		files++
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "readfloor:", err)
		os.Exit(1)
	}
	fmt.Printf("%d files, %d bytes\n", files, bytes)
}
