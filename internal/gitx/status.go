package gitx

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// This file answers "what differs between HEAD, the index and the work
// tree" the way git status does it, which is much faster on large
// repositories than walking everything: unchanged subtrees are skipped with
// the index's cached tree hashes, and work-tree files whose size and
// modification time match their index entry are not read.

// cacheTree maps a directory ("" for the root) to its tree hash as recorded
// in the index's cached-tree extension, for directories whose record is valid.
func cacheTree(idx *gitIndex) map[string]plumbing.Hash {
	out := map[string]plumbing.Hash{}
	if idx.Cache == nil || len(idx.Cache.Entries) == 0 {
		return out
	}
	es := idx.Cache.Entries
	i := 0
	var walk func(dir string)
	walk = func(dir string) {
		e := es[i]
		i++
		p := dir
		if e.Path != "" {
			p = path.Join(dir, e.Path)
		}
		if e.Entries >= 0 {
			out[p] = e.Hash
		}
		for t := 0; t < e.Trees && i < len(es); t++ {
			walk(p)
		}
	}
	walk("")
	return out
}

// indexVsHead adds to set every path whose index entry differs from HEAD.
func (g *Reader) indexVsHead(idx *gitIndex, set map[string]bool) error {
	for i := range idx.Entries {
		if e := &idx.Entries[i]; e.IntentToAdd || e.Stage != 0 {
			set[e.Name] = true
		}
	}
	ref, err := g.r.Head()
	if err != nil {
		// No commit yet: everything in the index is new.
		for i := range idx.Entries {
			set[idx.Entries[i].Name] = true
		}
		return nil
	}
	c, err := g.r.CommitObject(ref.Hash())
	if err != nil {
		return fmt.Errorf("%s: read HEAD: %w", g.Dir, err)
	}
	ct := cacheTree(idx)
	if h, ok := ct[""]; ok && h == c.TreeHash {
		return nil // the index's tree is HEAD's
	}
	entries := make(map[string]*indexEntry, len(idx.Entries))
	for i := range idx.Entries {
		entries[idx.Entries[i].Name] = &idx.Entries[i]
	}
	same := map[string]bool{} // directories equal in HEAD and index
	seen := map[string]bool{}
	var walk func(h plumbing.Hash, dir string) error
	walk = func(h plumbing.Hash, dir string) error {
		if ch, ok := ct[dir]; ok && ch == h {
			same[dir] = true
			return nil
		}
		t, err := g.r.TreeObject(h)
		if err != nil {
			return fmt.Errorf("%s: read tree %s: %w", g.Dir, dir, err)
		}
		for _, te := range t.Entries {
			p := te.Name
			if dir != "" {
				p = dir + "/" + te.Name
			}
			if te.Mode == filemode.Dir {
				if err := walk(te.Hash, p); err != nil {
					return err
				}
				continue
			}
			seen[p] = true
			e, ok := entries[p]
			if !ok || e.Hash != te.Hash || e.Mode != te.Mode {
				set[p] = true
			}
		}
		return nil
	}
	if err := walk(c.TreeHash, ""); err != nil {
		return err
	}
	if same[""] {
		return nil
	}
	for n := range entries {
		if seen[n] || underAny(n, same) {
			continue
		}
		set[n] = true // added to the index
	}
	return nil
}

func underAny(p string, dirs map[string]bool) bool {
	for {
		d := path.Dir(p)
		if d == "." {
			return dirs[""]
		}
		if dirs[d] {
			return true
		}
		p = d
	}
}

func parseIgnore(b []byte, domain []string) []gitignore.Pattern {
	var out []gitignore.Pattern
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		out = append(out, gitignore.ParsePattern(line, domain))
	}
	return out
}

// readIndex reads the index (the file set with SetIndexFile, else the
// repository's own), or an empty one in a repository without one.
func (g *Reader) readIndex() (*gitIndex, error) {
	if g.indexFile != "" {
		idx, err := readIndexFast(g.indexFile)
		if err != nil {
			return nil, indexError("read index "+g.indexFile, err)
		}
		return idx, nil
	}
	gd, _, err := GitDirs(g.Dir)
	if err != nil {
		return nil, err
	}
	idx, err := readIndexFast(filepath.Join(gd, "index"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return &gitIndex{Version: 2}, nil
		}
		return nil, indexError(g.Dir+": read index", err)
	}
	return idx, nil
}
