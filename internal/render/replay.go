package render

import (
	"maps"
	"path/filepath"
	"slices"
)

// ReplayTrees returns the directory of every repository the workspace
// opened, and whether these directories are all the workspace read from
// the file system (besides the config file): false when it used a remote
// chart (from the chart cache or the network). The gitopsctl front replays
// a render while nothing under these directories changed (package replay).
func (ws *Workspace) ReplayTrees() ([]string, bool) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if len(ws.remote) > 0 || ws.cache != nil && len(ws.cache.Used()) > 0 {
		return nil, false
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
	return slices.Sorted(maps.Keys(set)), true
}
