package render

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Shard
		err  string
	}{
		{"1/4", Shard{1, 4}, ""},
		{"4/4", Shard{4, 4}, ""},
		{"1/1", Shard{1, 1}, ""},
		{" 2/3 ", Shard{2, 3}, ""},
		{"0/4", Shard{}, "between 1 and N=4"},
		{"5/4", Shard{}, "between 1 and N=4"},
		{"-1/4", Shard{}, "between 1 and N=4"},
		{"1/0", Shard{}, "at least 1"},
		{"2", Shard{}, "not I/N"},
		{"a/b", Shard{}, "whole numbers"},
		{"1/4/2", Shard{}, "whole numbers"},
		{"", Shard{}, "not I/N"},
	} {
		got, err := ParseShard(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseShard(%q) = %v, %v; want error with %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
		if got.String() != strings.TrimSpace(c.in) {
			t.Errorf("String() = %q, want %q", got.String(), strings.TrimSpace(c.in))
		}
	}
}

// TestShardSplit: every app is owned by exactly one shard, the split is
// fixed (these assignments must not change between releases, or CI
// caches and comparisons across versions break), and it is reasonably even.
func TestShardSplit(t *testing.T) {
	var names []string
	for i := 0; i < 1000; i++ {
		names = append(names, fmt.Sprintf("svc-%04d", i))
	}
	const n = 4
	seen := map[string]int{}
	for i := 1; i <= n; i++ {
		part := Shard{i, n}.Filter(names)
		if len(part) < 200 || len(part) > 300 {
			t.Errorf("shard %d/%d owns %d of 1000 apps, want about 250", i, n, len(part))
		}
		for _, a := range part {
			seen[a]++
			if ShardOf(a, n) != i {
				t.Errorf("ShardOf(%s, %d) = %d, but shard %d owns it", a, n, ShardOf(a, n), i)
			}
		}
	}
	for _, a := range names {
		if seen[a] != 1 {
			t.Fatalf("%s owned by %d shards", a, seen[a])
		}
	}
	for app, want := range map[string]int{"backend": 4, "frontend": 2, "root-app": 4, "svc-0001": 4} {
		if got := ShardOf(app, 4); got != want {
			t.Errorf("ShardOf(%q, 4) = %d, want %d (the split changed)", app, got, want)
		}
	}
	if got := (Shard{}).Filter(names); len(got) != len(names) {
		t.Errorf("the zero Shard owns %d apps, want all", len(got))
	}
}
