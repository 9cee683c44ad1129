// Command standins serves stand-ins of the upstream charts that the
// platform wrapper charts of init --platform depend on (same names and
// versions, from a Helm repository and an OCI registry on 127.0.0.1), prints
// the GITOPSCTL_CHART_MIRRORS value that points gitopsctl at them as one
// line on stdout, and serves until its standard input closes or it gets
// SIGINT or SIGTERM. For running the demo offline:
//
//	standins < fifo > mirrors
//
// A chart cache filled through these mirrors holds stand-ins under the
// upstream names: use a cache directory of its own (GITOPSCTL_CACHE_DIR).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gitopsctl/gitopsctl/internal/charts/chartstest"
	"github.com/gitopsctl/gitopsctl/internal/scaffold"
)

func main() {
	if len(os.Args) > 1 {
		fmt.Fprintln(os.Stderr, "usage: standins (no arguments; serves until stdin closes)")
		os.Exit(2)
	}
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "standins:", err)
		os.Exit(1)
	}
}

func run(stdin io.Reader, stdout io.Writer) error {
	// The same list the end-to-end tests serve: the dependencies that the
	// embedded wrapper chart templates are written from.
	var standIns []chartstest.StandIn
	for _, c := range scaffold.Platform {
		standIns = append(standIns, chartstest.StandIn{Repository: c.Dependency.Repository, Name: c.Dependency.Name, Version: c.Dependency.Version})
	}
	var p chartstest.Proc
	defer p.Close()
	var mirrors map[string]string
	if err := p.Do(func(t chartstest.TB) { mirrors = chartstest.ServeStandIns(t, standIns) }); err != nil {
		return err
	}
	if _, err := fmt.Fprintln(stdout, chartstest.MirrorsSpec(mirrors)); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	eof := make(chan struct{})
	go func() {
		io.Copy(io.Discard, stdin)
		close(eof)
	}()
	select {
	case <-ctx.Done():
	case <-eof:
	}
	return nil
}
