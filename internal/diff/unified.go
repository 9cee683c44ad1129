package diff

import (
	"fmt"
	"strings"
)

// contextLines is the number of unchanged lines shown around each change.
const contextLines = 3

type opKind byte

const (
	opEqual opKind = iota
	opDelete
	opInsert
)

type edit struct {
	kind opKind
	line string
}

// splitLines splits text into lines without their newline; a final newline
// does not produce an empty last line.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}

// lineEdits returns a minimal edit script turning a into b. Lines are
// interned to integers, then compared with Myers' O(ND) algorithm in its
// linear-space form (divide and conquer on the middle snake), so memory
// stays proportional to len(a)+len(b) however many lines differ.
func lineEdits(a, b []string) []edit {
	ids := make(map[string]int32, len(a))
	intern := func(ls []string) []int32 {
		out := make([]int32, len(ls))
		for i, l := range ls {
			id, ok := ids[l]
			if !ok {
				id = int32(len(ids))
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	s := &lsMyers{a: intern(a), b: intern(b)}
	size := 2*(len(a)+len(b)) + 4
	s.vf, s.vb = make([]int, size), make([]int, size)
	s.ops = make([]opKind, 0, len(a)+len(b))
	s.compare(0, len(a), 0, len(b))
	// Within each run of changes, deletions come before insertions (as
	// diff(1) prints them); the order inside a run is free.
	out := make([]edit, 0, len(s.ops))
	x, y := 0, 0
	for i := 0; i < len(s.ops); {
		if s.ops[i] == opEqual {
			out = append(out, edit{opEqual, a[x]})
			x, y, i = x+1, y+1, i+1
			continue
		}
		dels, ins := 0, 0
		for ; i < len(s.ops) && s.ops[i] != opEqual; i++ {
			if s.ops[i] == opDelete {
				dels++
			} else {
				ins++
			}
		}
		for _, l := range a[x : x+dels] {
			out = append(out, edit{opDelete, l})
		}
		for _, l := range b[y : y+ins] {
			out = append(out, edit{opInsert, l})
		}
		x, y = x+dels, y+ins
	}
	return out
}

// lsMyers holds the state of one linear-space Myers comparison: the two
// sequences, the forward and backward furthest-reaching vectors (reused by
// every step of the recursion) and the edit operations found, in order.
type lsMyers struct {
	a, b   []int32
	vf, vb []int
	ops    []opKind
}

func (s *lsMyers) emit(op opKind, n int) {
	for ; n > 0; n-- {
		s.ops = append(s.ops, op)
	}
}

// compare appends the edits turning a[a0:a1] into b[b0:b1].
func (s *lsMyers) compare(a0, a1, b0, b1 int) {
	pre := 0
	for a0+pre < a1 && b0+pre < b1 && s.a[a0+pre] == s.b[b0+pre] {
		pre++
	}
	s.emit(opEqual, pre)
	a0, b0 = a0+pre, b0+pre
	suf := 0
	for a1-suf > a0 && b1-suf > b0 && s.a[a1-1-suf] == s.b[b1-1-suf] {
		suf++
	}
	a1, b1 = a1-suf, b1-suf
	switch {
	case a0 == a1:
		s.emit(opInsert, b1-b0)
	case b0 == b1:
		s.emit(opDelete, a1-a0)
	default:
		// Both parts non-empty, first and last lines differ: at least two
		// edits, and the middle snake splits them into two smaller problems.
		x, y, u, v := s.middleSnake(a0, a1, b0, b1)
		s.compare(a0, x, b0, y)
		s.emit(opEqual, u-x)
		s.compare(u, a1, v, b1)
	}
	s.emit(opEqual, suf)
}

// middleSnake finds the middle snake of a shortest edit path from (a0,b0)
// to (a1,b1): it runs the greedy search forwards from the start and
// backwards from the end until the two meet, and returns the snake's start
// (x,y) and end (u,v) in absolute coordinates (Myers 1986, section 4b).
func (s *lsMyers) middleSnake(a0, a1, b0, b1 int) (x, y, u, v int) {
	n, m := a1-a0, b1-b0
	delta := n - m
	odd := delta&1 != 0
	off := n + m + 1
	// vf[off+k]: furthest x on diagonal k = x-y, going forwards.
	// vb[off+c]: furthest x' on diagonal c = x'-y' of the reversed
	// sequences (x' = n-x, y' = m-y), going backwards; c = delta-k.
	vf, vb := s.vf, s.vb
	vf[off+1], vb[off+1] = 0, 0
	for d := 0; d <= (n+m+1)/2; d++ {
		for k := -d; k <= d; k += 2 {
			var px int
			if k == -d || (k != d && vf[off+k-1] < vf[off+k+1]) {
				px = vf[off+k+1]
			} else {
				px = vf[off+k-1] + 1
			}
			py := px - k
			cx, cy := px, py
			for cx < n && cy < m && s.a[a0+cx] == s.b[b0+cy] {
				cx++
				cy++
			}
			vf[off+k] = cx
			if c := delta - k; odd && c >= -(d-1) && c <= d-1 && cx+vb[off+c] >= n {
				return a0 + px, b0 + py, a0 + cx, b0 + cy
			}
		}
		for c := -d; c <= d; c += 2 {
			var px int
			if c == -d || (c != d && vb[off+c-1] < vb[off+c+1]) {
				px = vb[off+c+1]
			} else {
				px = vb[off+c-1] + 1
			}
			py := px - c
			cx, cy := px, py
			for cx < n && cy < m && s.a[a1-1-cx] == s.b[b1-1-cy] {
				cx++
				cy++
			}
			vb[off+c] = cx
			if k := delta - c; !odd && k >= -d && k <= d && vf[off+k]+cx >= n {
				return a1 - cx, b1 - cy, a1 - px, b1 - py
			}
		}
	}
	panic("diff: no middle snake") // unreachable: the searches always meet
}

// Unified returns a unified diff of two texts with the given file labels,
// or "" when they are equal.
func Unified(fromLabel, toLabel, from, to string) string {
	if from == to {
		return ""
	}
	edits := lineEdits(splitLines(from), splitLines(to))
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", fromLabel, toLabel)
	// Group edits into hunks separated by more than 2*context equal lines;
	// aLine and bLine count the lines of each side before edits[pos].
	i, pos, aLine, bLine := 0, 0, 1, 1
	advance := func(to int) {
		for ; pos < to; pos++ {
			if edits[pos].kind != opInsert {
				aLine++
			}
			if edits[pos].kind != opDelete {
				bLine++
			}
		}
	}
	for i < len(edits) {
		// find next change
		for i < len(edits) && edits[i].kind == opEqual {
			i++
		}
		if i >= len(edits) {
			break
		}
		start := max(i-contextLines, 0)
		end := i
		for end < len(edits) {
			if edits[end].kind != opEqual {
				end++
				continue
			}
			// count run of equals
			j := end
			for j < len(edits) && edits[j].kind == opEqual {
				j++
			}
			if j >= len(edits) || j-end > 2*contextLines {
				end += min(contextLines, j-end)
				break
			}
			end = j
		}
		advance(start)
		writeHunk(&sb, edits[start:end], aLine, bLine)
		i = end
	}
	return sb.String()
}

// writeHunk writes one hunk whose first line is line aLine of the old text
// and bLine of the new (1-based).
func writeHunk(sb *strings.Builder, edits []edit, aLine, bLine int) {
	aCount, bCount := 0, 0
	for _, e := range edits {
		if e.kind != opInsert {
			aCount++
		}
		if e.kind != opDelete {
			bCount++
		}
	}
	fmt.Fprintf(sb, "@@ -%s +%s @@\n", hunkRange(aLine, aCount), hunkRange(bLine, bCount))
	for _, e := range edits {
		switch e.kind {
		case opEqual:
			sb.WriteString(" ")
		case opDelete:
			sb.WriteString("-")
		case opInsert:
			sb.WriteString("+")
		}
		sb.WriteString(e.line)
		sb.WriteString("\n")
	}
}

func hunkRange(line, count int) string {
	if count == 0 {
		return fmt.Sprintf("%d,0", line-1)
	}
	if count == 1 {
		return fmt.Sprintf("%d", line)
	}
	return fmt.Sprintf("%d,%d", line, count)
}
