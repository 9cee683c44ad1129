package cli

import (
	"context"
	"errors"

	"github.com/gitopsctl/gitopsctl/internal/check"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/diff"
)

// errNoRenderer is returned until the renderer is wired in.
var errNoRenderer = errors.New("rendering is not available in this build")

// openDiffSide opens the two repositories at the given revisions ("" = the
// work tree) for diff.
func openDiffSide(ctx context.Context, cfg *config.Loaded, rev, configsRev string) (diff.Side, error) {
	return nil, errNoRenderer
}

// openCheckWorkspace opens the two work trees for check.
func openCheckWorkspace(ctx context.Context, cfg *config.Loaded) (check.Workspace, error) {
	return nil, errNoRenderer
}
