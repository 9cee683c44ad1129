package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"

	"github.com/gitopsctl/gitopsctl/internal/gitx"
)

// IndexRev is the revision that names a repository's index: Open(dir,
// IndexRev) is a view of what is staged (what the next commit holds),
// read from the index entries' blobs, whatever the working tree holds.
// It is not a valid git revision, so it never names a commit.
const IndexRev = ":index"

// IndexFileRev names the index stored in file (as GIT_INDEX_FILE names the
// temporary index of 'git commit -a' or 'git commit -- PATH'); file ""
// is the repository's own index (IndexRev).
func IndexFileRev(file string) string {
	if file == "" {
		return IndexRev
	}
	return IndexRev + "=" + file
}

// indexFileOf reports whether rev names an index and which file ("" for
// the repository's own).
func indexFileOf(rev string) (file string, ok bool) {
	if rev == IndexRev {
		return "", true
	}
	if f, ok := strings.CutPrefix(rev, IndexRev+"="); ok && f != "" {
		return f, true
	}
	return "", false
}

// IsIndex reports whether the view is of an index (what is staged).
func (r *Repo) IsIndex() bool {
	_, ok := indexFileOf(r.Rev)
	return ok
}

func openIndex(r *Repo, gr *git.Repository, file string) error {
	if file == "" {
		gd, _, err := gitx.GitDirs(r.Root)
		if err != nil {
			return err
		}
		file = filepath.Join(gd, "index")
	}
	idx, err := gitx.ReadIndexFile(file)
	if errors.Is(err, fs.ErrNotExist) && r.Rev == IndexRev {
		idx, err = &index.Index{Version: 2}, nil // a new repository: nothing staged yet
	}
	if err != nil {
		return fmt.Errorf("repository %s: %w", r.Root, err)
	}
	b := &indexBackend{gr: gr, dirs: map[string][]string{".": nil}, files: map[string]*index.Entry{}}
	if head, err := gr.Head(); err == nil {
		r.Commit = head.Hash().String()
		if c, err := gr.CommitObject(head.Hash()); err == nil {
			b.when = c.Committer.When
		}
	}
	var unmerged []string
	children := map[string]map[string]bool{".": {}}
	for _, e := range idx.Entries {
		if e.Stage != 0 { // stage 0: merged (go-git's index.Merged constant is 1)
			unmerged = append(unmerged, e.Name)
			continue
		}
		if e.IntentToAdd {
			continue // 'git add -N': not part of the next commit
		}
		b.files[e.Name] = e
		// Register the file in its directory and each directory in its parent.
		child := e.Name
		for {
			dir := path.Dir(child)
			if children[dir] == nil {
				children[dir] = map[string]bool{}
			}
			if children[dir][path.Base(child)] {
				break
			}
			children[dir][path.Base(child)] = true
			if dir == "." {
				break
			}
			child = dir
		}
	}
	if len(unmerged) > 0 {
		sort.Strings(unmerged)
		return fmt.Errorf("repository %s: the index has unmerged paths (resolve the merge conflict first): %s", r.Root, strings.Join(unique(unmerged), ", "))
	}
	for d, names := range children {
		list := make([]string, 0, len(names))
		for n := range names {
			list = append(list, n)
		}
		sort.Strings(list)
		b.dirs[d] = list
	}
	r.b = b
	return nil
}

func unique(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// indexBackend answers from the index entries: directories are implied by
// the entries' paths, contents are the entries' blobs.
type indexBackend struct {
	gr    *git.Repository
	when  time.Time
	dirs  map[string][]string // directory -> sorted child names
	files map[string]*index.Entry

	mu    sync.Mutex
	blobs map[plumbing.Hash][]byte
}

func (b *indexBackend) info(p string) (entryInfo, error) {
	if _, ok := b.dirs[p]; ok {
		return entryInfo{name: path.Base(p), mode: filemode.Dir, when: b.when}, nil
	}
	if e, ok := b.files[p]; ok {
		return entryInfo{name: path.Base(p), mode: e.Mode, when: b.when}, nil
	}
	// A path below a file is "not a directory"; anything else is missing.
	return entryInfo{}, &fs.PathError{Op: "lstat", Path: p, Err: fs.ErrNotExist}
}

func (b *indexBackend) lstat(p string) (fs.FileInfo, error) {
	ei, err := b.info(p)
	if err != nil {
		return nil, err
	}
	return ei, nil
}

func (b *indexBackend) blob(p string) ([]byte, error) {
	if _, ok := b.dirs[p]; ok {
		return nil, fmt.Errorf("%s: is a directory", p)
	}
	e, ok := b.files[p]
	if !ok {
		return nil, &fs.PathError{Op: "read", Path: p, Err: fs.ErrNotExist}
	}
	if e.Mode == filemode.Submodule {
		return nil, fmt.Errorf("%s: is a git submodule (not available offline)", p)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if data, ok := b.blobs[e.Hash]; ok {
		return bytes.Clone(data), nil
	}
	o, err := b.gr.BlobObject(e.Hash)
	if err != nil {
		return nil, fmt.Errorf("%s: read staged blob %s: %w", p, e.Hash, err)
	}
	rd, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	if err != nil {
		return nil, err
	}
	if b.blobs == nil {
		b.blobs = map[plumbing.Hash][]byte{}
	}
	b.blobs[e.Hash] = data
	return bytes.Clone(data), nil
}

func (b *indexBackend) readlink(p string) (string, error) {
	data, err := b.blob(p)
	return string(data), err
}

func (b *indexBackend) readFile(p string) ([]byte, error) { return b.blob(p) }

func (b *indexBackend) readDir(p string) ([]fs.DirEntry, error) {
	names, ok := b.dirs[p]
	if !ok {
		if _, isFile := b.files[p]; isFile {
			return nil, fmt.Errorf("%s: not a directory", p)
		}
		return nil, &fs.PathError{Op: "readdir", Path: p, Err: fs.ErrNotExist}
	}
	out := make([]fs.DirEntry, 0, len(names))
	for _, n := range names {
		cp := n
		if p != "." {
			cp = p + "/" + n
		}
		ei, err := b.info(cp)
		if err != nil {
			return nil, err
		}
		out = append(out, ei)
	}
	return out, nil
}
