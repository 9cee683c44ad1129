package diff

import (
	"sort"

	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

type hookPair struct{ base, head manifest.Key }

// maxRandom is the longest name part treated as random (randAlphaNum 5..16
// in chart hooks; generateName adds 5).
const maxRandom = 16

// matchHooks pairs hook objects present on one side only whose names differ
// only by a random part: same group, kind and namespace, the same
// helm.sh/hook annotation, and names that agree except for a middle (or
// trailing) part of equal length of at most maxRandom characters.
// Candidates are paired greedily, most similar first.
func matchHooks(onlyBase, onlyHead []manifest.Key, bm, hm map[manifest.Key]manifest.Object) []hookPair {
	type cand struct {
		b, h  manifest.Key
		score int
	}
	var cands []cand
	for _, b := range onlyBase {
		bo := bm[b]
		bh, ok := bo.Object.GetAnnotations()[hookAnnotation]
		if !ok {
			continue
		}
		for _, h := range onlyHead {
			if h.Group != b.Group || h.Kind != b.Kind || h.Namespace != b.Namespace {
				continue
			}
			hh, ok := hm[h].Object.GetAnnotations()[hookAnnotation]
			if !ok || hh != bh {
				continue
			}
			if s, ok := randomNameScore(b.Name, h.Name); ok {
				cands = append(cands, cand{b, h, s})
			}
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	usedB, usedH := map[manifest.Key]bool{}, map[manifest.Key]bool{}
	var out []hookPair
	for _, c := range cands {
		if usedB[c.b] || usedH[c.h] {
			continue
		}
		usedB[c.b], usedH[c.h] = true, true
		out = append(out, hookPair{c.b, c.h})
	}
	return out
}

// randomNameScore reports whether two names plausibly differ only by a
// random part, and how much they share.
func randomNameScore(a, b string) (int, bool) {
	if len(a) != len(b) || a == b {
		return 0, false
	}
	p := commonPrefix(a, b)
	s := commonSuffix(a[p:], b[p:])
	diff := len(a) - p - s
	if p == 0 || diff > maxRandom {
		return 0, false
	}
	return p + s, true
}
