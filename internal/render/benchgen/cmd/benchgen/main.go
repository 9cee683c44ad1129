// Command benchgen writes a gitops-repo + configs-repo pair with N services
// for benchmarks: benchgen -n 1000 [-git] DIR
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gitopsctl/gitopsctl/internal/render/benchgen"
)

func main() {
	n := flag.Int("n", 15, "number of services")
	g := flag.Bool("git", false, "make both directories git repositories with one commit")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: benchgen [-n N] [-git] DIR")
		os.Exit(2)
	}
	if err := benchgen.Generate(flag.Arg(0), benchgen.Options{Services: *n, Git: *g}); err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
}
