package diff

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/manifest"
	"github.com/gitopsctl/gitopsctl/internal/render"
)

// shardSides builds two sides of n apps from the golden fixtures: every 7th
// app changed (the configs-value case), every 11th failing to render on the
// head side, every 13th added, every 17th removed, and changes listed for
// every 3rd app only (the rest skipped).
func shardSides(t *testing.T, n int) (base, head *memSide, changes render.Changes) {
	t.Helper()
	b := parseObjects(t, "x", filepath.Join("testdata", "configs-value", "base.yaml"))
	h := parseObjects(t, "x", filepath.Join("testdata", "configs-value", "head.yaml"))
	base = &memSide{objects: map[string][]manifest.Object{}, inputs: map[string][]render.RepoInput{}, errs: map[string]error{}}
	head = &memSide{objects: map[string][]manifest.Object{}, inputs: map[string][]render.RepoInput{}, errs: map[string]error{}}
	changes = render.Changes{render.RepoConfigs: {}, render.RepoGitops: {}}
	for i := 0; i < n; i++ {
		app := fmt.Sprintf("svc-%04d", i)
		in := []render.RepoInput{{Repo: render.RepoConfigs, Path: app + "/config.yaml"}}
		if i%3 == 0 {
			changes[render.RepoConfigs] = append(changes[render.RepoConfigs], app+"/config.yaml")
		}
		if i%13 != 5 {
			base.objects[app], base.inputs[app] = b, in
		}
		if i%17 != 4 {
			head.objects[app], head.inputs[app] = b, in
			if i%7 == 0 {
				head.objects[app] = h
			}
			if i%11 == 0 {
				head.errs[app] = errors.New("template: boom")
			}
		}
	}
	return base, head, changes
}

func encodeJSON(t *testing.T, v any) []byte {
	t.Helper()
	var jb bytes.Buffer
	enc := json.NewEncoder(&jb)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return jb.Bytes()
}

var testSetErrs = []string{"argo-apps/appset.yaml:1: ApplicationSet tenants: git generator: no such directory"}

var testSides = &Sides{Base: "main", Head: "work tree", ConfigsBase: "HEAD", ConfigsHead: "work tree", BaseCommit: strings.Repeat("a", 40), HeadCommit: strings.Repeat("b", 40)}

// shardFiles runs Compute once per shard and returns the shards' JSON.
func shardFiles(t *testing.T, base, head Side, changes render.Changes, n int) []ShardFile {
	t.Helper()
	var files []ShardFile
	for i := 1; i <= n; i++ {
		res, err := Compute(context.Background(), base, head, Options{Changes: changes, Shard: render.Shard{Index: i, Total: n}})
		if err != nil {
			t.Fatal(err)
		}
		res.Sides = testSides
		res.AppSetErrors = testSetErrs // every shard discovers the whole repository
		files = append(files, ShardFile{Name: fmt.Sprintf("diff-%d.json", i), Data: encodeJSON(t, res)})
	}
	return files
}

// TestMergeEqualsUnsharded: the shards' results joined are the unsharded
// result, in every format.
func TestMergeEqualsUnsharded(t *testing.T) {
	base, head, changes := shardSides(t, 300)
	whole, err := Compute(context.Background(), base, head, Options{Changes: changes})
	if err != nil {
		t.Fatal(err)
	}
	whole.Sides = testSides
	whole.AppSetErrors = testSetErrs
	if len(whole.Apps) < 50 || len(whole.Skipped) < 150 || len(whole.Unchanged) < 10 || len(whole.Errors()) < 5 {
		t.Fatalf("fixture too thin: %d apps, %d skipped, %d unchanged, %d errors", len(whole.Apps), len(whole.Skipped), len(whole.Unchanged), len(whole.Errors()))
	}
	for _, n := range []int{1, 2, 4, 7} {
		files := shardFiles(t, base, head, changes, n)
		// Order of the files does not matter.
		for i, j := 0, len(files)-1; i < j; i, j = i+1, j-1 {
			files[i], files[j] = files[j], files[i]
		}
		merged, err := Merge(files)
		if err != nil {
			t.Fatalf("%d shards: %v", n, err)
		}
		if got, want := encodeJSON(t, merged), encodeJSON(t, whole); !bytes.Equal(got, want) {
			t.Fatalf("%d shards: merged JSON differs from the unsharded run:\n%s", n, Unified("unsharded", "merged", string(want), string(got)))
		}
		var mt, wt, mm, wm bytes.Buffer
		_ = WriteText(&mt, merged, false)
		_ = WriteText(&wt, whole, false)
		_ = WriteMarkdown(&mm, merged)
		_ = WriteMarkdown(&wm, whole)
		if mt.String() != wt.String() || mm.String() != wm.String() {
			t.Fatalf("%d shards: merged text or markdown differs", n)
		}
		if merged.Changed() != whole.Changed() || len(merged.Errors()) != len(whole.Errors()) {
			t.Fatalf("%d shards: changed/errors differ", n)
		}
	}
}

func TestMergeRefuses(t *testing.T) {
	base, head, changes := shardSides(t, 60)
	files := shardFiles(t, base, head, changes, 3)
	other := shardFiles(t, base, head, changes, 2)

	res, _ := Compute(context.Background(), base, head, Options{Changes: changes, Shard: render.Shard{Index: 2, Total: 3}})
	res.Sides = &Sides{Base: "main", Head: "work tree", ConfigsBase: "HEAD", ConfigsHead: "work tree", BaseCommit: strings.Repeat("c", 40), HeadCommit: strings.Repeat("b", 40)}
	otherRev := ShardFile{Name: "old-2.json", Data: encodeJSON(t, res)}

	unsharded, _ := Compute(context.Background(), base, head, Options{Changes: changes})
	unsharded.Sides = testSides
	plain := ShardFile{Name: "plain.json", Data: encodeJSON(t, unsharded)}

	// Shard 2's result relabelled 3/3: its apps overlap nothing, but shard
	// 3's apps are then missing from the report; relabel shard 1 as 2
	// instead to make two files report the same apps.
	var r1 Result
	_ = json.Unmarshal(files[0].Data, &r1)
	r1.Shard = &render.Shard{Index: 2, Total: 3}
	relabelled := ShardFile{Name: "relabelled.json", Data: encodeJSON(t, r1)}
	r1.Shard = &render.Shard{Index: 3, Total: 3}
	overlapping := ShardFile{Name: "overlap.json", Data: encodeJSON(t, r1)}

	for _, c := range []struct {
		name  string
		files []ShardFile
		want  string
	}{
		{"missing", files[:2], "shard 3/3 missing: merge needs the results of all 3 shards"},
		{"missing two", files[:1], "shards 2/3, 3/3 missing"},
		{"twice", []ShardFile{files[0], files[1], files[1], files[2]}, "shard 2/3 given twice: diff-2.json and diff-2.json"},
		{"other split", []ShardFile{files[0], other[1], files[2]}, "diff-2.json is shard 2/2 but diff-1.json is shard 1/3"},
		{"other revisions", []ShardFile{files[0], otherRev, files[2]}, "diff-1.json and old-2.json compare different revisions (base main (aaaaaaaaaaaa)"},
		{"not sharded", []ShardFile{plain}, "plain.json: not a sharded diff"},
		{"overlap", []ShardFile{files[0], relabelled, overlapping}, "is in both diff-1.json and relabelled.json: the shards overlap"},
		{"not json", []ShardFile{{Name: "x.json", Data: []byte("{\n\"apps\": [\n}")}}, "x.json:3: not diff -o json output"},
		{"render json", []ShardFile{{Name: "r.json", Data: []byte(`{"objects": []}`)}}, "r.json: not diff -o json output (no apps or sides)"},
		{"two documents", []ShardFile{{Name: "t.json", Data: append(append([]byte{}, files[0].Data...), files[1].Data...)}}, "t.json: more than one JSON document"},
		{"none", nil, "no shard results given"},
	} {
		_, err := Merge(c.files)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error with %q", c.name, err, c.want)
		}
	}
}
