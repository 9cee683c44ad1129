package render

import (
	"sort"

	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
)

// renderOrder is the order to start rendering apps in: the biggest first
// (by the number of chart files discovery listed for their sources), so
// that the last app to finish is a small one and every core stays busy
// until the end. Apps of equal weight keep their order.
func (ws *Workspace) renderOrder(apps []*App) []int {
	order := make([]int, len(apps))
	weight := make([]int, len(apps))
	for i, a := range apps {
		order[i] = i
		weight[i] = ws.renderWeight(a)
	}
	sort.SliceStable(order, func(x, y int) bool { return weight[order[x]] > weight[order[y]] })
	return order
}

// renderWeight estimates an app's render cost from the chart listings
// discovery already made (without reading anything): the number of files
// of its chart sources, 1 for a source not listed.
func (ws *Workspace) renderWeight(a *App) int {
	w := 0
	for _, s := range a.Sources {
		if s.Path == "" {
			continue
		}
		w++
		_, r, err := ws.sourceRepo(s)
		if err != nil {
			continue
		}
		ws.mu.Lock()
		se := ws.scans[chartKey{r, "scan\x00" + gitrepo.Clean(s.Path)}]
		ws.mu.Unlock()
		if se == nil {
			continue
		}
		select {
		case <-se.done:
			if se.scan != nil {
				w += len(se.scan.list)
			}
		default:
		}
	}
	return w
}
