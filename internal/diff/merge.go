package diff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ShardFile is one shard's 'diff --shard I/N -o json' output, read from
// Name (a file name, for errors).
type ShardFile struct {
	Name string
	Data []byte
}

// Merge joins the results of the shards of one sharded diff into the
// result the unsharded run gives. It refuses a file that is not a sharded
// diff's JSON, shards of different splits or revisions, a shard given
// twice, a missing shard and an app reported by two files.
func Merge(files []ShardFile) (*Result, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("no shard results given")
	}
	type shard struct {
		name string
		res  *Result
	}
	shards := make([]shard, 0, len(files))
	for _, f := range files {
		r, err := decodeShard(f)
		if err != nil {
			return nil, err
		}
		shards = append(shards, shard{f.Name, r})
	}
	first := shards[0]
	total := first.res.Shard.Total
	byIndex := map[int]string{}
	for _, s := range shards {
		sh := s.res.Shard
		if sh.Total != total {
			return nil, fmt.Errorf("%s is shard %s but %s is shard %s: all shards must come from one split into %d", s.name, sh, first.name, first.res.Shard, total)
		}
		if prev, ok := byIndex[sh.Index]; ok {
			return nil, fmt.Errorf("shard %s given twice: %s and %s", sh, prev, s.name)
		}
		byIndex[sh.Index] = s.name
		if a, b := sidesString(first.res.Sides), sidesString(s.res.Sides); a != b {
			return nil, fmt.Errorf("%s and %s compare different revisions (%s; %s): merge shards of one run only", first.name, s.name, a, b)
		}
	}
	var missing []string
	for i := 1; i <= total; i++ {
		if _, ok := byIndex[i]; !ok {
			missing = append(missing, fmt.Sprintf("%d/%d", i, total))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s %s missing: merge needs the results of all %d shards", plural(len(missing), "shard", "shards"), strings.Join(missing, ", "), total)
	}
	sort.Slice(shards, func(i, j int) bool { return shards[i].res.Shard.Index < shards[j].res.Shard.Index })

	out := &Result{Sides: first.res.Sides, Apps: []AppDiff{}, Unchanged: []string{}, Skipped: []string{}}
	owner := map[string]string{}
	claim := func(app, file string) error {
		if prev, ok := owner[app]; ok && prev != file {
			return fmt.Errorf("app %s is in both %s and %s: the shards overlap", app, prev, file)
		}
		owner[app] = file
		return nil
	}
	seen := map[string]bool{}
	for _, s := range shards {
		r := s.res
		for _, a := range r.Apps {
			if err := claim(a.App, s.name); err != nil {
				return nil, err
			}
		}
		for _, lists := range [][]string{r.Unchanged, r.Skipped} {
			for _, a := range lists {
				if err := claim(a, s.name); err != nil {
					return nil, err
				}
			}
		}
		out.Apps = append(out.Apps, r.Apps...)
		out.Unchanged = append(out.Unchanged, r.Unchanged...)
		out.Skipped = append(out.Skipped, r.Skipped...)
		for _, n := range r.Notes {
			if !seen["n"+n] {
				seen["n"+n] = true
				out.Notes = append(out.Notes, n)
			}
		}
		for _, w := range r.Warnings {
			if !seen["w"+w] {
				seen["w"+w] = true
				out.Warnings = append(out.Warnings, w)
			}
		}
		for _, e := range r.AppSetErrors {
			if !seen["e"+e] {
				seen["e"+e] = true
				out.AppSetErrors = append(out.AppSetErrors, e)
			}
		}
	}
	sort.SliceStable(out.Apps, func(i, j int) bool { return out.Apps[i].App < out.Apps[j].App })
	sort.Strings(out.Unchanged)
	sort.Strings(out.Skipped)
	return out, nil
}

// decodeShard reads one shard's JSON.
func decodeShard(f ShardFile) (*Result, error) {
	var r Result
	dec := json.NewDecoder(bytes.NewReader(f.Data))
	if err := dec.Decode(&r); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count(f.Data[:min(int(se.Offset), len(f.Data))], []byte("\n"))
			return nil, fmt.Errorf("%s:%d: not diff -o json output: %v", f.Name, line, err)
		}
		return nil, fmt.Errorf("%s: not diff -o json output: %v", f.Name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: more than one JSON document: give each shard's output in its own file", f.Name)
	}
	switch {
	case r.Apps == nil || r.Sides == nil:
		return nil, fmt.Errorf("%s: not diff -o json output (no apps or sides)", f.Name)
	case r.Shard == nil:
		return nil, fmt.Errorf("%s: not a sharded diff: run each shard as gitopsctl diff --shard I/N -o json", f.Name)
	case r.Shard.Total < 1 || r.Shard.Index < 1 || r.Shard.Index > r.Shard.Total:
		return nil, fmt.Errorf("%s: shard %d/%d is not a shard I/N with 1 <= I <= N", f.Name, r.Shard.Index, r.Shard.Total)
	}
	return &r, nil
}

// sidesString describes the revisions compared, commits included.
func sidesString(s *Sides) string {
	rev := func(name, commit string) string {
		if commit == "" {
			return name
		}
		if len(commit) > 12 {
			commit = commit[:12]
		}
		return name + " (" + commit + ")"
	}
	return fmt.Sprintf("base %s, head %s, configs base %s, configs head %s",
		rev(s.Base, s.BaseCommit), rev(s.Head, s.HeadCommit), rev(s.ConfigsBase, s.ConfigsBaseCommit), rev(s.ConfigsHead, s.ConfigsHeadCommit))
}
