package render

import (
	"maps"
	"path/filepath"
	"slices"
)

// ReplayTrees returns the directory of every repository the workspace
// opened, for a replay record (package replay): the gitopsctl front
// replays a render while nothing under these directories (and the config
// file) changed. It returns why not instead when the output depends on
// more: a remote chart (from the chart cache or the network), a volatile
// template function or an outside schema document (volatile.go).
func (ws *Workspace) ReplayTrees() ([]string, string) {
	if why := ws.replay.reason(); why != "" {
		return nil, why
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if len(ws.remote) > 0 || ws.cache != nil && len(ws.cache.Used()) > 0 {
		return nil, "a remote chart was used"
	}
	set := map[string]bool{}
	add := func(e *repoEntry) {
		if e != nil && e.dir != "" {
			set[filepath.Clean(e.dir)] = true
		}
	}
	add(ws.gitops)
	add(ws.configs)
	for _, e := range ws.repos {
		add(e)
	}
	for _, e := range ws.revEntries {
		add(e)
	}
	return slices.Sorted(maps.Keys(set)), ""
}
