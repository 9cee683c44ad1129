package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/fsutil"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

// OutManifestFile is the file render --out keeps in its directory, listing
// the files it wrote per app. The next render into the directory removes
// the files of objects that no longer render, and only files listed there.
const OutManifestFile = ".gitopsctl-render.json"

// outManifest is the content of OutManifestFile.
type outManifest struct {
	// Comment says what the file is to whoever finds it.
	Comment string `json:"comment"`
	// Apps maps an app's name to the files written for it, slash paths
	// relative to the directory, sorted.
	Apps map[string][]string `json:"apps"`
}

// OutDirOptions say what a render into a directory covers.
type OutDirOptions struct {
	WriteOptions
	// Rendered are the apps rendered without error this time: their files
	// replace those the previous render wrote for them.
	Rendered []string
	// Gone tells whether an app of the previous render no longer exists
	// (every app was rendered and it was not discovered): its files are
	// removed. Nil means none is gone (only some apps were rendered).
	Gone func(app string) bool
}

// OutDirResult says what WriteOutDir did.
type OutDirResult struct {
	// Wrote are the files written, slash paths relative to the directory.
	Wrote []string `json:"wrote"`
	// Removed are the stale files removed.
	Removed []string `json:"removed"`
}

// WriteOutDir writes one file per object under dir (as WriteDir does), then
// removes the files an earlier render wrote for objects that no longer
// render: files the previous OutManifestFile lists for an app rendered this
// time (or gone) that were not written this time. A listed file is removed
// only when it is still a regular file named as render names them, below
// the app's directory and with no symbolic link on the way, and it starts
// with the "# Source: <app>/" line render writes; any other file in dir is
// never touched. An app that failed to render keeps its files.
func WriteOutDir(dir string, objs []manifest.Object, o OutDirOptions) (*OutDirResult, error) {
	prev, err := readOutManifest(dir)
	if err != nil {
		return nil, err
	}
	wrote, err := WriteDir(dir, objs, o.WriteOptions)
	if err != nil {
		return nil, err
	}
	res := &OutDirResult{Wrote: wrote, Removed: []string{}}
	next := outManifest{Comment: "files 'gitopsctl render --out' wrote here, per app; it removes the listed files of objects that no longer render", Apps: map[string][]string{}}
	for app, files := range prev.Apps {
		next.Apps[app] = files
	}
	byDir := map[string][]string{}
	for _, p := range wrote {
		d, _, _ := strings.Cut(p, "/")
		byDir[d] = append(byDir[d], p)
	}
	stale := map[string][]string{} // app -> listed files to remove unless written now
	for _, app := range o.Rendered {
		stale[app] = prev.Apps[app]
		if files := byDir[FileNameComponent(app)]; len(files) > 0 {
			next.Apps[app] = files
		} else {
			delete(next.Apps, app)
		}
	}
	if o.Gone != nil {
		for app := range prev.Apps {
			if _, rendered := stale[app]; !rendered && o.Gone(app) {
				stale[app] = prev.Apps[app]
				delete(next.Apps, app)
			}
		}
	}
	written := map[string]bool{}
	for _, p := range wrote {
		written[p] = true
	}
	apps := make([]string, 0, len(stale))
	for app := range stale {
		apps = append(apps, app)
	}
	sort.Strings(apps)
	for _, app := range apps {
		for _, p := range stale[app] {
			if written[p] {
				continue
			}
			removed, err := removeRendered(dir, app, p)
			if err != nil {
				return res, err
			}
			if removed {
				res.Removed = append(res.Removed, p)
			}
		}
	}
	data, err := json.MarshalIndent(next, "", "  ")
	if err != nil {
		return res, err
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(dir, OutManifestFile), append(data, '\n'), 0o644); err != nil {
		return res, err
	}
	return res, nil
}

// readOutManifest reads dir's OutManifestFile (empty when there is none).
func readOutManifest(dir string) (outManifest, error) {
	var m outManifest
	p := filepath.Join(dir, OutManifestFile)
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return m, err
	}
	if !fi.Mode().IsRegular() {
		return m, fmt.Errorf("%s is not a regular file: remove it (render --out lists the files it wrote there)", p)
	}
	if fi.Size() > 64<<20 {
		return m, fmt.Errorf("%s: larger than 64 MiB: remove it (render --out lists the files it wrote there)", p)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("%s: %w (render --out lists the files it wrote there; remove it to start afresh)", p, err)
	}
	return m, nil
}

// removeRendered removes the listed file p of app below dir when it is one
// render wrote (see WriteOutDir), and its app directory when that is then
// empty. It reports whether it removed the file.
func removeRendered(dir, app, p string) (bool, error) {
	d, name, ok := strings.Cut(p, "/")
	if !ok || d != FileNameComponent(app) || strings.Contains(name, "/") || !strings.HasSuffix(name, ".yaml") ||
		!filepath.IsLocal(filepath.FromSlash(p)) {
		return false, nil // not a name render gives: not ours
	}
	if err := noLinkBelow(dir, p); err != nil {
		return false, nil
	}
	full := filepath.Join(dir, filepath.FromSlash(p))
	fi, err := os.Lstat(full)
	if err != nil || !fi.Mode().IsRegular() {
		return false, nil // gone already, or not a plain file
	}
	f, err := os.Open(full)
	if err != nil {
		return false, err
	}
	head := make([]byte, len("# Source: ")+len(app)+1)
	n, _ := io.ReadFull(f, head)
	f.Close()
	if !bytes.Equal(head[:n], []byte("# Source: "+app+"/")) {
		return false, nil // not written by render for this app
	}
	if err := os.Remove(full); err != nil {
		return false, err
	}
	_ = os.Remove(filepath.Dir(full)) // only succeeds when empty
	return true, nil
}
