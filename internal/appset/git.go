package appset

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// git: directories (each directory of the repository a pattern matches
// and no exclude pattern does) or files (each file a pattern matches, one
// parameter set per object in it) (applicationset/generators/git.go).
func (g *gen) git(gg *gitGen) ([]paramSet, error) {
	if g.o.Git == nil {
		return nil, errors.New("no git repositories to read")
	}
	var run func(Repo) ([]paramSet, error)
	switch {
	case len(gg.Directories) > 0:
		run = func(r Repo) ([]paramSet, error) { return g.gitDirectories(gg, r) }
	case len(gg.Files) > 0:
		run = func(r Repo) ([]paramSet, error) { return g.gitFiles(gg, r) }
	default:
		return nil, errors.New("neither directories nor files are given")
	}
	r, err := g.o.Git(gg.RepoURL, gg.Revision)
	if err != nil {
		return nil, err
	}
	return run(r)
}

// directories lists every directory of the repository except the root and
// hidden ones (names starting with "."; reposerver's GetGitDirectories),
// in lexical order. A directory with no file below it is left out: a git
// checkout cannot hold one.
func directories(fsys fs.FS) ([]string, error) {
	var dirs []string
	hasFile := map[string]bool{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			for dir := path.Dir(p); dir != "." && !hasFile[dir]; dir = path.Dir(dir) {
				hasFile[dir] = true
			}
			return nil
		}
		if p == "." {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		dirs = append(dirs, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := dirs[:0]
	for _, d := range dirs {
		if hasFile[d] {
			out = append(out, d)
		}
	}
	return out, nil
}

// listRepo returns the directories or files of a repository, once per
// repoURL and revision.
func (g *gen) listRepo(gg *gitGen, r Repo, kind string, ls func(fs.FS) ([]string, error)) ([]string, error) {
	k := [3]string{gg.RepoURL, gg.Revision, kind}
	if out, ok := g.listed[k]; ok {
		return out, nil
	}
	out, err := ls(r.FS)
	if err != nil {
		return nil, err
	}
	if g.listed == nil {
		g.listed = map[[3]string][]string{}
	}
	g.listed[k] = out
	return out, nil
}

func (g *gen) gitDirectories(gg *gitGen, r Repo) ([]paramSet, error) {
	all, err := g.listRepo(gg, r, "dirs", directories)
	if err != nil {
		return nil, fmt.Errorf("list directories of %s: %w", gg.RepoURL, err)
	}
	for _, it := range gg.Directories {
		if _, err := path.Match(it.Path, ""); err != nil {
			return nil, fmt.Errorf("directories: path %q: %w", it.Path, err)
		}
	}
	var out []paramSet
	for _, dir := range all {
		include, exclude := false, false
		for _, it := range gg.Directories {
			if ok, _ := path.Match(it.Path, dir); ok {
				if it.Exclude {
					exclude = true
				} else {
					include = true
				}
			}
		}
		if !include || exclude {
			continue
		}
		p := g.pathParams(gg.PathParamPrefix, dir, "")
		if err := g.appendValues(gg.Values, p); err != nil {
			return nil, err
		}
		out = append(out, paramSet{values: p})
	}
	return out, nil
}

// pathParams are the path parameters of a directory (file "") or of a
// file in directory dir: path, path.basename, path.basenameNormalized,
// path[N] (non-empty segments) without goTemplate; path.path,
// path.basename, path.basenameNormalized, path.segments with it; files add
// filename and filenameNormalized. pathParamPrefix P puts them under P.path.
func (g *gen) pathParams(prefix, dir, file string) map[string]any {
	p := map[string]any{}
	if g.goTemplate {
		pp := map[string]any{
			"path":               dir,
			"basename":           path.Base(dir),
			"basenameNormalized": SanitizeName(path.Base(dir)),
		}
		segs := strings.Split(dir, "/")
		seg := make([]any, len(segs))
		for i, s := range segs {
			seg[i] = s
		}
		pp["segments"] = seg
		if file != "" {
			pp["filename"] = path.Base(file)
			pp["filenameNormalized"] = SanitizeName(path.Base(file))
		}
		if prefix != "" {
			p[prefix] = map[string]any{"path": pp}
		} else {
			p["path"] = pp
		}
		return p
	}
	name := "path"
	if prefix != "" {
		name = prefix + ".path"
	}
	p[name] = dir
	p[name+".basename"] = path.Base(dir)
	if file != "" {
		p[name+".filename"] = path.Base(file)
		p[name+".filenameNormalized"] = SanitizeName(path.Base(file))
	}
	p[name+".basenameNormalized"] = SanitizeName(path.Base(dir))
	for i, s := range strings.Split(dir, "/") {
		if s != "" {
			p[name+"["+strconv.Itoa(i)+"]"] = s
		}
	}
	return p
}

// repoFiles lists every file of the repository (.git left out), in
// lexical order.
func repoFiles(fsys fs.FS) ([]string, error) {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == ".git" {
				return fs.SkipDir
			}
			return nil
		}
		files = append(files, p)
		return nil
	})
	return files, err
}

func (g *gen) gitFiles(gg *gitGen, r Repo) ([]paramSet, error) {
	all, err := g.listRepo(gg, r, "files", repoFiles)
	if err != nil {
		return nil, fmt.Errorf("list files of %s: %w", gg.RepoURL, err)
	}
	picked := map[string]bool{}
	for _, exclude := range []bool{false, true} {
		for _, it := range gg.Files {
			if it.Exclude != exclude {
				continue
			}
			m, err := compilePathspec(it.Path)
			if err != nil {
				return nil, fmt.Errorf("files: path %q: %w", it.Path, err)
			}
			for _, f := range all {
				if m(f) {
					picked[f] = !exclude
				}
			}
		}
	}
	var files []string
	for f, ok := range picked {
		if ok {
			files = append(files, f)
		}
	}
	sort.Strings(files)
	var out []paramSet
	for _, f := range files {
		data, err := fs.ReadFile(r.FS, f)
		if err != nil {
			return nil, fmt.Errorf("unable to read file %q from repository %q: %w", f, gg.RepoURL, err)
		}
		sets, err := g.fileParams(f, data, gg)
		if err != nil {
			return nil, fmt.Errorf("unable to process file %q from repository %q: %w", f, gg.RepoURL, err)
		}
		for _, s := range sets {
			out = append(out, paramSet{values: s, files: []File{{Repo: r.ID, Path: f}}})
		}
	}
	return out, nil
}

// fileParams reads a YAML or JSON file as one object, else as a list of
// objects (an empty file is one empty object), and gives one parameter set
// per object: the object (flattened to "a.b" / "a.0" keys of strings
// without goTemplate) and the path parameters.
func (g *gen) fileParams(file string, data []byte, gg *gitGen) ([]map[string]any, error) {
	var objs []map[string]any
	single := map[string]any{}
	if err := yaml.Unmarshal(data, &single); err == nil {
		objs = append(objs, single)
	} else if err := yaml.Unmarshal(data, &objs); err != nil {
		return nil, fmt.Errorf("unable to parse file: %w", err)
	}
	var out []map[string]any
	for _, obj := range objs {
		var p map[string]any
		if g.goTemplate {
			p = map[string]any{}
			maps.Copy(p, obj)
		} else {
			p = map[string]any{}
			for k, v := range flatten(obj) {
				p[k] = v
			}
		}
		maps.Copy(p, g.pathParams(gg.PathParamPrefix, path.Dir(file), file))
		if err := g.appendValues(gg.Values, p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// flatten turns nested maps and lists into "a.b" and "a.0" keys with
// values printed as %v (jeremywohl/flatten's DotStyle, as Argo CD flattens
// files without goTemplate and parameters for the selector).
func flatten(in map[string]any) map[string]string {
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		key := func(k string) string {
			if prefix == "" {
				return k
			}
			return prefix + "." + k
		}
		switch t := v.(type) {
		case map[string]any:
			if len(t) == 0 && prefix != "" {
				out[prefix] = fmt.Sprintf("%v", t)
				return
			}
			for k, x := range t {
				walk(key(k), x)
			}
		case []any:
			if len(t) == 0 && prefix != "" {
				out[prefix] = fmt.Sprintf("%v", t)
				return
			}
			for i, x := range t {
				walk(key(strconv.Itoa(i)), x)
			}
		case map[string]string:
			for k, x := range t {
				out[key(k)] = x
			}
		default:
			out[prefix] = fmt.Sprintf("%v", v)
		}
	}
	walk("", in)
	return out
}

// compilePathspec matches paths as `git ls-files -- PATTERN` does (Argo CD
// lists a git files generator's files so unless the controller enables
// its newer doublestar globbing): the pattern itself, or a directory it
// names literally, matches; else it is a wildmatch without WM_PATHNAME,
// where "*" and "?" match "/" too and "**/" may match no directory.
func compilePathspec(pattern string) (func(string) bool, error) {
	pattern = strings.TrimPrefix(pattern, "./")
	if pattern == "" || pattern == "." {
		return func(string) bool { return true }, nil
	}
	var b strings.Builder
	b.WriteString(`(?s)^`)
	wild := false
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch c {
		case '\\':
			wild = true // git compares a pattern with an escape by wildmatch
			if i+1 < len(pattern) {
				i++
				b.WriteString(regexp.QuoteMeta(string(pattern[i])))
			}
		case '?':
			wild = true
			b.WriteString(`.`)
		case '*':
			wild = true
			j := i
			for j+1 < len(pattern) && pattern[j+1] == '*' {
				j++
			}
			double := j > i
			atStart := i == 0 || pattern[i-1] == '/'
			i = j
			switch {
			case double && atStart && i+1 < len(pattern) && pattern[i+1] == '/':
				b.WriteString(`(?:.*/)?`)
				i++ // the slash is part of the group
			case double && atStart && i+1 == len(pattern):
				b.WriteString(`.*`)
			case double:
				b.WriteString(`[^/]*`)
			default:
				b.WriteString(`.*`)
			}
		case '[':
			end := bracketEnd(pattern, i)
			if end < 0 {
				b.WriteString(regexp.QuoteMeta("["))
				continue
			}
			wild = true
			class := pattern[i+1 : end]
			if strings.HasPrefix(class, "!") || strings.HasPrefix(class, "^") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i = end
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`$`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("invalid pattern: %w", err)
	}
	literal := strings.TrimSuffix(pattern, "/")
	return func(p string) bool {
		if p == literal || strings.HasPrefix(p, literal+"/") {
			return true
		}
		return wild && re.MatchString(p)
	}, nil
}

// bracketEnd is the index of the "]" closing the class opened at i, or -1.
func bracketEnd(p string, i int) int {
	j := i + 1
	if j < len(p) && (p[j] == '!' || p[j] == '^') {
		j++
	}
	if j < len(p) && p[j] == ']' {
		j++
	}
	for ; j < len(p); j++ {
		if p[j] == '[' && j+1 < len(p) && p[j+1] == ':' {
			if k := strings.Index(p[j+2:], ":]"); k >= 0 {
				j += k + 3
				continue
			}
		}
		if p[j] == ']' {
			return j
		}
	}
	return -1
}
