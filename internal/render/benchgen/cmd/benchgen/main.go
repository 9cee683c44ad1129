// Command benchgen writes a gitops-repo + configs-repo pair with N services
// for benchmarks: benchgen -n 1000 [-git] DIR; or, with -heavy, 10 heavy
// charts (umbrellas with vendored subcharts, CRDs, big values) into
// DIR/<chart>: benchgen -heavy DIR
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
	heavy := flag.Bool("heavy", false, "write 10 heavy charts (dependencies vendored) into DIR/<chart> instead")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: benchgen [-n N] [-git] DIR | benchgen -heavy DIR")
		os.Exit(2)
	}
	var err error
	if *heavy {
		err = benchgen.GenerateHeavy(flag.Arg(0))
	} else {
		err = benchgen.Generate(flag.Arg(0), benchgen.Options{Services: *n, Git: *g})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
}
