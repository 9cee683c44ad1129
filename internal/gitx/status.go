package gitx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"golang.org/x/sync/errgroup"
)

// This file answers "what differs between HEAD, the index and the work
// tree" the way git status does it, which is much faster on large
// repositories than walking everything: unchanged subtrees are skipped with
// the index's cached tree hashes, and work-tree files whose size and
// modification time match their index entry are not read.

// cacheTree maps a directory ("" for the root) to its tree hash as recorded
// in the index's cached-tree extension, for directories whose record is valid.
func cacheTree(idx *index.Index) map[string]plumbing.Hash {
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
func (g *Reader) indexVsHead(idx *index.Index, set map[string]bool) error {
	entries := make(map[string]*index.Entry, len(idx.Entries))
	for _, e := range idx.Entries {
		entries[e.Name] = e
		if e.IntentToAdd || e.Stage != 0 { // stage 0: no merge conflict
			set[e.Name] = true
		}
	}
	ref, err := g.r.Head()
	if err != nil {
		// No commit yet: everything in the index is new.
		for n := range entries {
			set[n] = true
		}
		return nil
	}
	c, err := g.r.CommitObject(ref.Hash())
	if err != nil {
		return fmt.Errorf("%s: read HEAD: %w", g.Dir, err)
	}
	ct := cacheTree(idx)
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

// workTreeVsIndex adds to set every path whose work-tree state differs from
// the index: modified, deleted, or untracked and not ignored.
func (g *Reader) workTreeVsIndex(idx *index.Index, set map[string]bool) error {
	entries := make(map[string]*index.Entry, len(idx.Entries))
	trackedDirs := map[string]bool{"": true}
	for _, e := range idx.Entries {
		entries[e.Name] = e
		for d := path.Dir(e.Name); d != "."; d = path.Dir(d) {
			if trackedDirs[d] {
				break
			}
			trackedDirs[d] = true
		}
	}
	var patterns []gitignore.Pattern
	if b, err := os.ReadFile(filepath.Join(g.Dir, ".git", "info", "exclude")); err == nil {
		patterns = append(patterns, parseIgnore(b, nil)...)
	}
	var tracked []string
	var walk func(dir string, domain []string, patterns []gitignore.Pattern) error
	walk = func(dir string, domain []string, patterns []gitignore.Pattern) error {
		des, err := os.ReadDir(filepath.Join(g.Dir, filepath.FromSlash(dir)))
		if err != nil {
			return err
		}
		for _, de := range des {
			if de.Name() == ".gitignore" && de.Type().IsRegular() {
				if b, err := os.ReadFile(filepath.Join(g.Dir, filepath.FromSlash(dir), ".gitignore")); err == nil {
					patterns = append(append([]gitignore.Pattern(nil), patterns...), parseIgnore(b, domain)...)
				}
			}
		}
		m := gitignore.NewMatcher(patterns)
		for _, de := range des {
			name := de.Name()
			p := name
			if dir != "" {
				p = dir + "/" + name
			}
			parts := append(append([]string(nil), domain...), name)
			if de.IsDir() {
				if dir == "" && name == ".git" {
					continue
				}
				if e, ok := entries[p]; ok && e.Mode == filemode.Submodule {
					g.noteIgnored(p + "/") // its files are not compared either
					continue
				}
				if !trackedDirs[p] && m.Match(parts, true) {
					g.noteIgnored(p + "/")
					continue
				}
				if err := walk(p, parts, patterns); err != nil {
					return err
				}
				continue
			}
			if _, ok := entries[p]; ok {
				tracked = append(tracked, p)
				continue
			}
			if !m.Match(parts, false) {
				set[p] = true // untracked
			} else {
				g.noteIgnored(p)
			}
		}
		return nil
	}
	if err := walk("", nil, patterns); err != nil {
		return fmt.Errorf("%s: read work tree: %w", g.Dir, err)
	}
	seen := make(map[string]bool, len(tracked))
	for _, p := range tracked {
		seen[p] = true
	}
	for n, e := range entries {
		if !seen[n] && e.Mode != filemode.Submodule && !e.SkipWorktree {
			set[n] = true // deleted from the work tree
		}
	}
	// Compare tracked files with their entries, in parallel: on large
	// repositories the lstat calls dominate.
	changed := make([]bool, len(tracked))
	var eg errgroup.Group
	eg.SetLimit(max(2, runtime.GOMAXPROCS(0)*2))
	for i := range tracked {
		eg.Go(func() error {
			changed[i] = g.fileChanged(tracked[i], entries[tracked[i]], idx)
			return nil
		})
	}
	_ = eg.Wait() // the functions return no error
	for i, c := range changed {
		if c {
			set[tracked[i]] = true
		}
	}
	return nil
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

// fileChanged compares a work-tree file with its index entry: equal size,
// modification time and mode mean unchanged (unless the file may have been
// modified within the index's timestamp granularity), otherwise the
// content hash decides.
func (g *Reader) fileChanged(p string, e *index.Entry, idx *index.Index) bool {
	full := filepath.Join(g.Dir, filepath.FromSlash(p))
	fi, err := os.Lstat(full)
	if err != nil {
		return true
	}
	mode, err := filemode.NewFromOSFileMode(fi.Mode())
	if err != nil {
		return true
	}
	if mode == filemode.Deprecated {
		mode = filemode.Regular
	}
	if mode != e.Mode {
		return true
	}
	racy := !idx.ModTime.IsZero() && !fi.ModTime().Before(idx.ModTime)
	if !racy && uint32(fi.Size()) == e.Size && fi.ModTime().Equal(e.ModifiedAt) {
		return false
	}
	var data []byte
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(full)
		if err != nil {
			return true
		}
		data = []byte(filepath.ToSlash(target))
	} else {
		data, err = os.ReadFile(full)
		if err != nil {
			return true
		}
	}
	return plumbing.ComputeHash(plumbing.BlobObject, data) != e.Hash
}

// readIndex reads the index (the file set with SetIndexFile, else the
// repository's own), or an empty one in a repository without one.
func (g *Reader) readIndex() (*index.Index, error) {
	if g.indexFile != "" {
		return ReadIndexFile(g.indexFile)
	}
	idx, err := g.r.Storer.Index()
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return &index.Index{Version: 2}, nil
		}
		return nil, indexError(g.Dir+": read index", err)
	}
	if idx.ModTime.IsZero() {
		if gd, _, err := GitDirs(g.Dir); err == nil {
			if fi, err := os.Stat(filepath.Join(gd, "index")); err == nil {
				idx.ModTime = fi.ModTime()
			}
		}
	}
	return idx, nil
}
