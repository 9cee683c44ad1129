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

// lineEdits returns an edit script turning a into b (Myers' O(ND) algorithm,
// after trimming the common prefix and suffix).
func lineEdits(a, b []string) []edit {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	out := make([]edit, 0, len(a)+len(b))
	for _, l := range a[:pre] {
		out = append(out, edit{opEqual, l})
	}
	out = append(out, myers(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, l := range a[len(a)-suf:] {
		out = append(out, edit{opEqual, l})
	}
	return out
}

func myers(a, b []string) []edit {
	n, m := len(a), len(b)
	if n == 0 && m == 0 {
		return nil
	}
	max := n + m
	off := max
	v := make([]int, 2*max+2)
	var trace [][]int
	var d int
search:
	for d = 0; d <= max; d++ {
		snap := make([]int, len(v))
		copy(snap, v)
		trace = append(trace, snap)
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				break search
			}
		}
	}
	// Walk the trace backwards to recover the path.
	var rev []edit
	x, y := n, m
	for ; d > 0; d-- {
		vp := trace[d]
		k := x - y
		var pk int
		if k == -d || (k != d && vp[off+k-1] < vp[off+k+1]) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := vp[off+pk]
		py := px - pk
		for x > px && y > py {
			x--
			y--
			rev = append(rev, edit{opEqual, a[x]})
		}
		if x == px {
			y--
			rev = append(rev, edit{opInsert, b[y]})
		} else {
			x--
			rev = append(rev, edit{opDelete, a[x]})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, edit{opEqual, a[x]})
	}
	out := make([]edit, len(rev))
	for i := range rev {
		out[i] = rev[len(rev)-1-i]
	}
	return out
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
	// Group edits into hunks separated by more than 2*context equal lines.
	i := 0
	for i < len(edits) {
		// find next change
		for i < len(edits) && edits[i].kind == opEqual {
			i++
		}
		if i >= len(edits) {
			break
		}
		start := i - contextLines
		if start < 0 {
			start = 0
		}
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
		writeHunk(&sb, edits, start, end)
		i = end
	}
	return sb.String()
}

func writeHunk(sb *strings.Builder, edits []edit, start, end int) {
	// line numbers (1-based) of the hunk start in each side
	aLine, bLine := 1, 1
	for _, e := range edits[:start] {
		if e.kind != opInsert {
			aLine++
		}
		if e.kind != opDelete {
			bLine++
		}
	}
	aCount, bCount := 0, 0
	for _, e := range edits[start:end] {
		if e.kind != opInsert {
			aCount++
		}
		if e.kind != opDelete {
			bCount++
		}
	}
	fmt.Fprintf(sb, "@@ -%s +%s @@\n", hunkRange(aLine, aCount), hunkRange(bLine, bCount))
	for _, e := range edits[start:end] {
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
