package diff

import (
	"fmt"
	"io"
	"strings"
)

// maxSkippedListed caps how many skipped app names the text and markdown
// formats list (JSON lists all).
const maxSkippedListed = 20

// ANSI escapes used by the text format on a terminal.
const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiRed   = "\x1b[31m"
	ansiGreen = "\x1b[32m"
	ansiCyan  = "\x1b[36m"
	ansiYell  = "\x1b[33m"
)

var marks = map[Change]string{Added: "+", Removed: "-", Changed: "~", Resealed: "~"}

// summary is "1 changed, 2 added" for an app.
func summary(a AppDiff) string {
	if a.Error != "" {
		return "render error"
	}
	c := a.Counts()
	var parts []string
	for _, k := range []Change{Changed, Added, Removed, Resealed} {
		if c[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[k], k))
		}
	}
	s := strings.Join(parts, ", ")
	switch a.Status {
	case "added":
		s = "new app: " + s
	case "removed":
		s = "app removed: " + s
	}
	return s
}

// keyNote describes secret key changes without values.
func keyNote(d ObjectDiff) string {
	if d.Keys == nil {
		return ""
	}
	if d.Change == Resealed {
		return "keys " + strings.Join(d.Keys.Resealed, ", ") + " (same keys, new ciphertexts only)"
	}
	var parts []string
	add := func(label string, ks []string) {
		if len(ks) > 0 {
			parts = append(parts, label+" "+strings.Join(ks, ", "))
		}
	}
	add("keys added:", d.Keys.Added)
	add("keys removed:", d.Keys.Removed)
	add("values changed:", d.Keys.Changed)
	add("resealed:", d.Keys.Resealed)
	note := strings.Join(parts, "; ")
	if d.Kind == "Secret" {
		note += " (values hidden)"
	}
	return note
}

// objectLine is the one-line description of an object change.
func objectLine(d ObjectDiff) string {
	s := fmt.Sprintf("%s %s %s", marks[d.Change], d.Ref(), d.Change)
	if d.BaseName != "" {
		s += " (hook, was " + d.BaseName + ")"
	}
	if n := keyNote(d); n != "" {
		s += ": " + n
	}
	if d.MetadataOnly {
		s += ": " + metaNote(d)
	}
	return s
}

// metaNote describes a labels/annotations-only change on one line.
func metaNote(d ObjectDiff) string {
	var parts []string
	for _, g := range []struct {
		what string
		cs   []FieldChange
	}{{"label", d.Labels}, {"annotation", d.Annotations}} {
		for _, c := range g.cs {
			switch {
			case c.From == nil:
				parts = append(parts, fmt.Sprintf("%s %s=%s added", g.what, c.Key, *c.To))
			case c.To == nil:
				parts = append(parts, fmt.Sprintf("%s %s removed", g.what, c.Key))
			default:
				parts = append(parts, fmt.Sprintf("%s %s: %s -> %s", g.what, c.Key, *c.From, *c.To))
			}
		}
	}
	return strings.Join(parts, "; ")
}

func skippedLine(names []string) string {
	shown := names
	more := ""
	if len(names) > maxSkippedListed {
		shown = names[:maxSkippedListed]
		more = fmt.Sprintf(", and %d more", len(names)-maxSkippedListed)
	}
	return fmt.Sprintf("%d skipped (inputs unchanged): %s%s", len(names), strings.Join(shown, ", "), more)
}

// WriteText prints the diff for a terminal or a log. With color, diff lines
// are coloured (the caller decides: only on a TTY and without NO_COLOR).
func WriteText(w io.Writer, r *Result, color bool) error {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + ansiReset
	}
	var sb strings.Builder
	for i, a := range r.Apps {
		if i > 0 {
			sb.WriteString("\n")
		}
		sb.WriteString(paint(ansiBold, "app "+a.App) + ": " + summary(a) + "\n")
		if a.Error != "" {
			sb.WriteString(paint(ansiRed, "  "+a.Error) + "\n")
			continue
		}
		for _, d := range a.Objects {
			line := objectLine(d)
			switch d.Change {
			case Added:
				line = paint(ansiGreen, line)
			case Removed:
				line = paint(ansiRed, line)
			default:
				line = paint(ansiYell, line)
			}
			sb.WriteString(line + "\n")
			if d.MetadataOnly {
				continue
			}
			for _, l := range splitLines(d.Diff) {
				switch {
				case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
					l = paint(ansiBold, l)
				case strings.HasPrefix(l, "@@"):
					l = paint(ansiCyan, l)
				case strings.HasPrefix(l, "+"):
					l = paint(ansiGreen, l)
				case strings.HasPrefix(l, "-"):
					l = paint(ansiRed, l)
				}
				sb.WriteString("    " + l + "\n")
			}
		}
	}
	if len(r.Apps) > 0 {
		sb.WriteString("\n")
	}
	sb.WriteString(footer(r) + "\n")
	if len(r.Skipped) > 0 {
		sb.WriteString(skippedLine(r.Skipped) + "\n")
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

func footer(r *Result) string {
	changed := 0
	for _, a := range r.Apps {
		if a.Error == "" {
			changed++
		}
	}
	s := fmt.Sprintf("%d %s changed, %d unchanged", changed, plural(changed, "app", "apps"), len(r.Unchanged))
	if n := len(r.Errors()); n > 0 {
		s += fmt.Sprintf(", %d failed to render", n)
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// fence returns a code fence longer than any backtick run in s.
func fence(s string) string {
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// mdCode formats s as markdown inline code, fenced with two backticks (and
// spaces) when s holds a backtick.
func mdCode(s string) string {
	f := "`"
	if strings.Contains(s, "`") {
		f = "`` "
		return f + s + " ``"
	}
	return f + s + f
}

// MarkdownDiffBudget caps the bytes of unified diffs in the markdown
// output: GitHub refuses comments over 65,536 characters. Diffs that do not
// fit are left out (the object is still listed) with a note.
const MarkdownDiffBudget = 50000

// WriteMarkdown prints the diff as a pull-request comment: a summary, then
// one collapsible section per app.
func WriteMarkdown(w io.Writer, r *Result) error {
	budget := MarkdownDiffBudget
	var sb strings.Builder
	sb.WriteString("### gitopsctl diff\n\n")
	sb.WriteString(footer(r) + ".\n\n")
	for _, a := range r.Apps {
		sb.WriteString("<details>\n<summary><b>" + htmlEscape(a.App) + "</b>: " + htmlEscape(summary(a)) + "</summary>\n\n")
		if a.Error != "" {
			f := fence(a.Error)
			sb.WriteString(f + "\n" + a.Error + "\n" + f + "\n")
		}
		for _, d := range a.Objects {
			line := fmt.Sprintf("- %s %s %s", marks[d.Change], mdCode(d.Ref()), d.Change)
			if d.BaseName != "" {
				line += " (hook, was " + mdCode(d.BaseName) + ")"
			}
			if n := keyNote(d); n != "" {
				line += ": " + n
			}
			if d.MetadataOnly {
				line += ": " + htmlEscape(metaNote(d))
			}
			sb.WriteString(line + "\n")
		}
		omitted := 0
		for _, d := range a.Objects {
			if d.Diff == "" || d.MetadataOnly {
				continue
			}
			if len(d.Diff) > budget {
				omitted++
				continue
			}
			budget -= len(d.Diff)
			f := fence(d.Diff)
			sb.WriteString("\n" + f + "diff\n" + d.Diff + f + "\n")
		}
		if omitted > 0 {
			fmt.Fprintf(&sb, "\n_%d %s omitted to keep this comment within a pull-request comment's size; run `gitopsctl diff %s` to see them._\n",
				omitted, plural(omitted, "diff", "diffs"), a.App)
		}
		sb.WriteString("\n</details>\n\n")
	}
	if len(r.Skipped) > 0 {
		sb.WriteString("<details>\n<summary>" + fmt.Sprintf("%d %s skipped (inputs unchanged)", len(r.Skipped), plural(len(r.Skipped), "app", "apps")) + "</summary>\n\n")
		sb.WriteString(strings.Join(r.Skipped, ", ") + "\n\n</details>\n")
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
