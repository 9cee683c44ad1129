// Package earlygc sets the garbage collector's pace for gitopsctl before
// the other packages initialise: their initialisation (Kubernetes API
// schemes, JSON schema meta-schemas, ...) allocates several megabytes, and
// under the default pace that costs a few collections, each scanning the
// large global data of the binary, on every start of a short-lived
// process. The command imports it first; since Go initialises a ready
// package in import-path order, it runs before the heavy ones, which all
// sort after it or wait on packages that do.
package earlygc

import (
	"os"
	"runtime/debug"
)

// GCPercent is the pace of a process that allocates a lot while reading and
// rendering (see cmd/gitopsctl): collecting less often saves a quarter of
// its CPU time for a bounded amount of memory.
const GCPercent = 400

func init() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
}
