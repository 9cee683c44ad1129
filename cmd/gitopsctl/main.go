// Command gitopsctl manages Argo CD GitOps repositories: scaffolding, env
// vars and sealed secrets, image bumps, and offline rendering of what Argo CD
// will apply.
//
// This binary is the front: it answers a repeated read-only command from
// its replay record when nothing it read has changed, and runs the
// gitopsctl-engine binary (installed next to it) for everything else.
package main

import (
	"os"

	"github.com/gitopsctl/gitopsctl/internal/front"
)

func main() {
	os.Exit(front.Main(os.Args[1:]))
}
