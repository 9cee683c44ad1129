// Command gitopsctl-engine is gitopsctl with everything in it (Helm, the
// Kubernetes types, git): the gitopsctl front runs it for every command it
// cannot answer from a replay record. Run by hand, it is the whole tool.
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
