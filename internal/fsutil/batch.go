package fsutil

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Temporary and backup files that gitopsctl's writers leave in a directory
// only while they run are named
//
//	.<name>.tmp-<digits>[<suffix>]    the new content, before its rename
//	.<name>.bak-<digits>[<suffix>]    the old content, until every rename of a Batch succeeded
//
// where <suffix> is one of the batch's KeepSuffixes that the target's name
// ends with (e.g. ".local.env"), moved to the end so that a git-ignore
// pattern on that ending covers the temporary file too: the temp file of
// secrets.local.env is .secrets.tmp-123.local.env. After a crash the next
// run removes them with CleanTemp.
// Compiled on first use: the gitopsctl front links this package, and
// none of its runs asks.
var tempRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\..+\.(tmp|bak)-[0-9]+(\..+)?$`) })

// IsTemp reports whether a base name is a temporary or backup file of a
// gitopsctl writer.
func IsTemp(name string) bool { return tempRE().MatchString(name) }

// TempName returns the temporary (kind "tmp") or backup (kind "bak") name
// pattern for the file base, with "*" where the digits go.
func TempName(base, kind string, keep []string) string {
	for _, s := range keep {
		if stem, ok := strings.CutSuffix(base, s); ok && stem != "" {
			return "." + stem + "." + kind + "-*" + s
		}
	}
	return "." + base + "." + kind + "-*"
}

// CleanTemp removes the temporary and backup files of earlier, interrupted
// runs from dir and returns their names. The caller must hold the lock that
// keeps other writers out of dir. A missing dir has none.
func CleanTemp(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !IsTemp(e.Name()) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("remove leftover temporary file: %w", err)
		}
		removed = append(removed, e.Name())
	}
	return removed, nil
}

// File is one file of a Batch.
type File struct {
	Path string
	Data []byte
	// Perm is the mode of a new file. An existing file keeps its mode
	// unless ForcePerm is set.
	Perm      fs.FileMode
	ForcePerm bool
}

// Batch writes several files all or nothing, as far as a file system
// allows: every new content is first written and synced to a temporary file
// next to its target; only when all are written are they renamed into
// place, each target's old content kept as a backup (a hard link) until
// every rename succeeded. A failure before the renames leaves every file as
// it was; a failure during them puts the old contents back.
type Batch struct {
	// KeepSuffixes are name endings kept at the end of temporary and
	// backup names (see TempName), e.g. the git-ignored ".local.env".
	KeepSuffixes []string
	// OtherSuffix is appended to the temporary and backup names of files
	// that end in none of KeepSuffixes, e.g. a git-ignored ending, so that
	// no temporary file of the batch is ever picked up by "git add -A".
	OtherSuffix string
	files       []File
}

// TempNameFor is the temporary (kind "tmp") or backup (kind "bak") name
// pattern the batch uses for a file named base, with "*" for the digits.
func (b *Batch) TempNameFor(base, kind string) string {
	name := TempName(base, kind, b.KeepSuffixes)
	for _, s := range b.KeepSuffixes {
		if strings.HasSuffix(base, s) && base != s {
			return name
		}
	}
	return name + b.OtherSuffix
}

// Add queues a file; a later Add of the same path replaces it.
func (b *Batch) Add(f File) {
	for i := range b.files {
		if b.files[i].Path == f.Path {
			b.files[i] = f
			return
		}
	}
	b.files = append(b.files, f)
}

// Test hooks.
var (
	rename = os.Rename
	link   = os.Link
)

// Commit writes the batch's files in the order they were added.
func (b *Batch) Commit() (err error) {
	tmps := make([]string, len(b.files))
	defer func() {
		for _, t := range tmps {
			if t != "" {
				os.Remove(t)
			}
		}
	}()
	for i, f := range b.files {
		if tmps[i], err = b.stage(f); err != nil {
			return err
		}
	}
	type done struct {
		path, backup string
	}
	var moved []done
	undo := func() {
		for i := len(moved) - 1; i >= 0; i-- {
			d := moved[i]
			if d.backup != "" {
				rename(d.backup, d.path)
			} else {
				os.Remove(d.path)
			}
		}
	}
	for i, f := range b.files {
		bak, err := b.backup(f.Path)
		if err != nil {
			undo()
			return err
		}
		if err := rename(tmps[i], f.Path); err != nil {
			if bak != "" {
				os.Remove(bak)
			}
			undo()
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
		tmps[i] = ""
		moved = append(moved, done{f.Path, bak})
	}
	for _, d := range moved {
		if d.backup != "" {
			os.Remove(d.backup)
		}
	}
	syncDirs(b.files)
	return nil
}

// stage writes f's content to a temporary file next to it.
func (b *Batch) stage(f File) (name string, err error) {
	dir, base := filepath.Split(f.Path)
	if dir == "" {
		dir = "."
	}
	perm := f.Perm
	if fi, statErr := os.Stat(f.Path); statErr == nil && !f.ForcePerm {
		perm = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, b.TempNameFor(base, "tmp"))
	if err != nil {
		return "", fmt.Errorf("write %s: %w", f.Path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// Restrict first, so content is never readable more widely than meant.
	if err = tmp.Chmod(perm); err != nil {
		return "", fmt.Errorf("write %s: %w", f.Path, err)
	}
	if _, err = tmp.Write(f.Data); err != nil {
		return "", fmt.Errorf("write %s: %w", f.Path, err)
	}
	if err = tmp.Sync(); err != nil {
		return "", fmt.Errorf("write %s: %w", f.Path, err)
	}
	if err = tmp.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", f.Path, err)
	}
	return tmp.Name(), nil
}

// backup hard-links an existing file to a backup name ("" when there is no
// file to keep).
func (b *Batch) backup(path string) (string, error) {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	dir, base := filepath.Split(path)
	pattern := b.TempNameFor(base, "bak")
	for try := 0; try < 100; try++ {
		var n [4]byte
		if _, err := io.ReadFull(rand.Reader, n[:]); err != nil {
			return "", err
		}
		name := filepath.Join(dir, strings.Replace(pattern, "*", strconv.FormatUint(uint64(binary.BigEndian.Uint32(n[:])), 10), 1))
		err := link(path, name)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			// No hard links on this file system: copy.
			err = copyFile(path, name)
		}
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("back up %s: %w", path, err)
		}
	}
	return "", fmt.Errorf("back up %s: no free backup name", path)
}

func copyFile(src, dst string) error {
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := out.Write(data); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	return out.Close()
}

// syncDirs makes the renames durable (best effort).
func syncDirs(files []File) {
	seen := map[string]bool{}
	for _, f := range files {
		d := filepath.Dir(f.Path)
		if seen[d] {
			continue
		}
		seen[d] = true
		if h, err := os.Open(d); err == nil {
			h.Sync()
			h.Close()
		}
	}
}
