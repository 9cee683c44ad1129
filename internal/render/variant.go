package render

import (
	"context"

	"github.com/gitopsctl/gitopsctl/internal/argo"
)

// RenderVariant renders app as if its sources were srcs, everything else
// (name, project, destination, repositories and revisions) unchanged. The
// result is not cached, so the app's own render is unaffected. seal uses it
// to ask the chart where a SealedSecret would go before any key is sealed.
func (ws *Workspace) RenderVariant(ctx context.Context, app *App, srcs []argo.ApplicationSource) Result {
	if err := ctx.Err(); err != nil {
		return Result{App: app, Err: appError(app, err)}
	}
	v := *app
	v.Sources = srcs
	return ws.renderApp(&v)
}
