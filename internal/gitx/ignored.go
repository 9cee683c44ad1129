package gitx

import "sort"

// ChangedIgnored is Changed, and also lists the entries of the work tree
// whose content Changed does not compare, when head is WorkTree (nil
// otherwise): ignored files, and ignored directories and submodules (with a
// trailing "/", not walked). Callers that key something by the state of the
// work tree need them: git status does not say when they change.
func (g *Reader) ChangedIgnored(base, head string) (changed, ignored []string, err error) {
	var ign []string
	if head == WorkTree {
		ign = []string{} // non-nil: the head is the work tree
		g.ignored = &ign
		defer func() { g.ignored = nil }()
	}
	changed, err = g.Changed(base, head)
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(ign)
	return changed, ign, nil
}

func (g *Reader) noteIgnored(p string) {
	if g.ignored != nil {
		*g.ignored = append(*g.ignored, p)
	}
}
