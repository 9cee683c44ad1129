//go:build gitopsctl_profile

package main

import (
	"os"
	"runtime/pprof"
)

// A profiling build (go build -tags gitopsctl_profile) writes a CPU profile
// of the command (package initialisation excluded) to
// $GITOPSCTL_CPUPROFILE when it is set.
func init() {
	p := os.Getenv("GITOPSCTL_CPUPROFILE")
	if p == "" {
		return
	}
	f, err := os.Create(p)
	if err != nil {
		return
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return
	}
	exitHook = func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
