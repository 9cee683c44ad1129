// Command gitopsctl manages Argo CD GitOps repositories: scaffolding, env
// vars and sealed secrets, image bumps, and offline rendering of what Argo CD
// will apply.
package main

import (
	"os"

	"github.com/gitopsctl/gitopsctl/internal/cli"
	"github.com/gitopsctl/gitopsctl/internal/iostreams"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], iostreams.System()))
}
