package gitx

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// File is one file of a commit: its work-tree relative path (slashes) and
// the content already written to the work tree.
type File struct {
	Path    string
	Content []byte
}

// CommitOptions describe a commit of exactly Files on top of HEAD.
type CommitOptions struct {
	Files     []File
	Message   string
	Author    object.Signature
	Committer object.Signature
	// Signoff appends a Signed-off-by trailer with the committer.
	Signoff bool
}

// ErrNothingToCommit is returned when the files already match HEAD.
var ErrNothingToCommit = errors.New("nothing to commit")

// Commit records opts.Files (already written to the work tree) in a new
// commit on top of HEAD, moves the branch HEAD is on (or HEAD, when
// detached) to it, and updates only those files' index entries. It takes
// and releases index.lock itself; to keep the lock across writing the
// files, use Lock and Lock.Commit.
func (r *Repo) Commit(opts CommitOptions) (plumbing.Hash, error) {
	l, err := r.Lock()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	defer l.Release()
	return l.Commit(opts)
}

// Commit is Repo.Commit under a held lock: the objects are written and
// fsynced first, then the branch moves (compare-and-swap, with reflog
// entries), then the index is replaced, which releases the lock. On error
// the lock stays held; call Release.
func (l *Lock) Commit(opts CommitOptions) (plumbing.Hash, error) {
	r := l.r
	head, ref, err := r.Head()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	h, msg, err := r.commitOn(head, opts)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	for _, f := range opts.Files {
		if err := r.setEntry(l.idx, f.Path, hashBytes(f.Content)); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	// The cached-tree extension no longer matches; git rebuilds it.
	l.idx.Cache = nil
	if err := r.updateRef(refUpdate{
		name: ref, old: head.Hash, new: h,
		who: opts.Committer, msg: "commit: " + reflogSubject(msg),
		alsoHEAD: ref != plumbing.HEAD,
	}); err != nil {
		return plumbing.ZeroHash, err
	}
	crashPoint("index")
	if err := l.writeIndex(); err != nil {
		return h, fmt.Errorf("commit %s created, but: %w", h.String()[:12], err)
	}
	return h, nil
}

// commitOn writes the blobs, trees and commit object for opts on parent
// and returns the commit and its message.
func (r *Repo) commitOn(parent *object.Commit, opts CommitOptions) (plumbing.Hash, string, error) {
	treeHash := parent.TreeHash
	for _, f := range opts.Files {
		blob, err := r.writeObject(plumbing.BlobObject, f.Content)
		if err != nil {
			return plumbing.ZeroHash, "", fmt.Errorf("write blob for %s: %w", f.Path, err)
		}
		treeHash, err = r.replaceInTree(treeHash, strings.Split(f.Path, "/"), blob)
		if err != nil {
			return plumbing.ZeroHash, "", fmt.Errorf("build tree for %s: %w", f.Path, err)
		}
	}
	if treeHash == parent.TreeHash {
		return plumbing.ZeroHash, "", ErrNothingToCommit
	}
	msg := strings.TrimRight(opts.Message, "\n") + "\n"
	if opts.Signoff {
		msg = addSignoff(msg, opts.Committer)
	}
	c := &object.Commit{
		Author:       opts.Author,
		Committer:    opts.Committer,
		Message:      msg,
		TreeHash:     treeHash,
		ParentHashes: []plumbing.Hash{parent.Hash},
	}
	data, err := encode(c, plumbing.CommitObject)
	if err != nil {
		return plumbing.ZeroHash, "", err
	}
	h, err := r.writeObject(plumbing.CommitObject, data)
	return h, msg, err
}

// addSignoff appends a Signed-off-by trailer unless the message already
// ends with that exact one.
func addSignoff(msg string, who object.Signature) string {
	line := fmt.Sprintf("Signed-off-by: %s <%s>", who.Name, who.Email)
	lines := strings.Split(strings.TrimRight(msg, "\n"), "\n")
	if lines[len(lines)-1] == line {
		return msg
	}
	last := lines[len(lines)-1]
	if len(lines) > 1 && isTrailer(last) {
		return strings.TrimRight(msg, "\n") + "\n" + line + "\n"
	}
	return strings.TrimRight(msg, "\n") + "\n\n" + line + "\n"
}

func isTrailer(l string) bool {
	i := strings.Index(l, ": ")
	return i > 0 && !strings.Contains(l[:i], " ")
}

// replaceInTree returns the hash of tree with the blob at parts set to
// blob; only the trees along parts are rewritten. A file keeps its mode
// (executable stays executable); a new file is a regular file.
func (r *Repo) replaceInTree(tree plumbing.Hash, parts []string, blob plumbing.Hash) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	if !tree.IsZero() {
		t, err := r.repo.TreeObject(tree)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entries = append(entries, t.Entries...)
	}
	pos := -1
	for j := range entries {
		if entries[j].Name == parts[0] {
			pos = j
			break
		}
	}
	if len(parts) == 1 {
		if pos >= 0 {
			if entries[pos].Mode == filemode.Dir || entries[pos].Mode == filemode.Submodule {
				return plumbing.ZeroHash, fmt.Errorf("%s is a directory in git", parts[0])
			}
			entries[pos].Hash = blob
			if entries[pos].Mode == filemode.Symlink {
				return plumbing.ZeroHash, fmt.Errorf("%s is a symbolic link in git", parts[0])
			}
		} else {
			entries = append(entries, object.TreeEntry{Name: parts[0], Mode: filemode.Regular, Hash: blob})
		}
	} else {
		sub := plumbing.ZeroHash
		if pos >= 0 {
			if entries[pos].Mode != filemode.Dir {
				return plumbing.ZeroHash, fmt.Errorf("%s is not a directory in git", parts[0])
			}
			sub = entries[pos].Hash
		}
		nh, err := r.replaceInTree(sub, parts[1:], blob)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if pos >= 0 {
			entries[pos].Hash = nh
		} else {
			entries = append(entries, object.TreeEntry{Name: parts[0], Mode: filemode.Dir, Hash: nh})
		}
	}
	sortTree(entries)
	data, err := encode(&object.Tree{Entries: entries}, plumbing.TreeObject)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return r.writeObject(plumbing.TreeObject, data)
}

// sortTree orders entries the way git does: by name, with directories
// compared as if their name ended in "/".
func sortTree(e []object.TreeEntry) {
	key := func(t object.TreeEntry) string {
		if t.Mode == filemode.Dir {
			return t.Name + "/"
		}
		return t.Name
	}
	sort.SliceStable(e, func(i, j int) bool { return key(e[i]) < key(e[j]) })
}

// setEntry records rel's current work-tree stat data and hash in idx.
func (r *Repo) setEntry(idx *index.Index, rel string, h plumbing.Hash) error {
	fi, err := os.Lstat(r.Abs(rel))
	if err != nil {
		return err
	}
	e, err := idx.Entry(rel)
	if err != nil {
		e = idx.Add(rel)
	}
	e.Hash = h
	e.Size = uint32(fi.Size())
	e.ModifiedAt = fi.ModTime()
	e.CreatedAt = fi.ModTime()
	e.Mode, err = filemode.NewFromOSFileMode(fi.Mode())
	if err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	e.IntentToAdd = false
	fillStat(e, fi)
	return nil
}

// removeEntry drops rel from idx.
func removeEntry(idx *index.Index, rel string) {
	_, _ = idx.Remove(rel)
}
