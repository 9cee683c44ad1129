package render

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard selects one part of a stable split of the apps, for CI runs spread
// over several runners: shard I of N (1-based) owns the apps whose name
// hashes (FNV-1a, 32 bits) to I-1 modulo N. An Application's name is its
// identity everywhere in gitopsctl (Argo CD keys apps by name in its
// namespace, and a diff pairs the two sides by name), so an app lands on
// the same shard on every run, at every revision, whatever else changes.
// The zero Shard is no sharding: it owns every app.
type Shard struct {
	Index int `json:"index"`
	Total int `json:"total"`
}

// ParseShard reads "I/N" with 1 <= I <= N.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Shard{}, fmt.Errorf("%q is not I/N (shard I of N, e.g. 1/4)", s)
	}
	idx, err1 := strconv.Atoi(i)
	total, err2 := strconv.Atoi(n)
	switch {
	case err1 != nil || err2 != nil:
		return Shard{}, fmt.Errorf("%q is not I/N (shard I of N, e.g. 1/4): I and N are whole numbers", s)
	case total < 1:
		return Shard{}, fmt.Errorf("%q: the number of shards N must be at least 1", s)
	case idx < 1 || idx > total:
		return Shard{}, fmt.Errorf("%q: the shard I must be between 1 and N=%d (shards count from 1)", s, total)
	}
	return Shard{Index: idx, Total: total}, nil
}

// String is "I/N", or "" for the zero Shard.
func (s Shard) String() string {
	if s.Total == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Total)
}

// Sharded reports whether s selects a part (N > 1 or given as 1/1).
func (s Shard) Sharded() bool { return s.Total > 0 }

// ShardOf returns the 1-based shard of n that owns the app.
func ShardOf(app string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(app))
	return int(h.Sum32()%uint32(n)) + 1
}

// Owns reports whether the app belongs to this shard.
func (s Shard) Owns(app string) bool {
	return s.Total == 0 || ShardOf(app, s.Total) == s.Index
}

// Filter returns the apps of names this shard owns, in order.
func (s Shard) Filter(names []string) []string {
	if s.Total == 0 {
		return names
	}
	out := make([]string, 0, len(names)/s.Total+1)
	for _, n := range names {
		if s.Owns(n) {
			out = append(out, n)
		}
	}
	return out
}

// ShardValue is a pflag.Value for --shard I/N.
type ShardValue struct{ S *Shard }

func (v ShardValue) String() string {
	if v.S == nil {
		return ""
	}
	return v.S.String()
}

func (v ShardValue) Type() string { return "I/N" }
func (v ShardValue) Set(s string) error {
	sh, err := ParseShard(s)
	if err != nil {
		return err
	}
	*v.S = sh
	return nil
}
