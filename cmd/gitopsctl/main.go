// Command gitopsctl manages Argo CD GitOps repositories: scaffolding, env
// vars and sealed secrets, image bumps, and offline rendering of what Argo CD
// will apply.
package main

import (
	"os"

	// First: sets the collector's pace before the heavy packages initialise.
	_ "github.com/gitopsctl/gitopsctl/internal/earlygc"

	"github.com/gitopsctl/gitopsctl/internal/cli"
	"github.com/gitopsctl/gitopsctl/internal/iostreams"
)

// exitHook runs before exiting (profiling builds stop their profile there).
var exitHook = func() {}

func main() {
	// gitopsctl is a short-lived process that allocates a lot while reading
	// and rendering: package earlygc makes the collector run less often
	// (from the start, package initialisation included) unless GOGC is set.
	code := cli.Main(os.Args[1:], iostreams.System())
	exitHook()
	os.Exit(code)
}
