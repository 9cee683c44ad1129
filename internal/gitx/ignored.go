package gitx

// ChangedIgnored is Changed, and also lists the entries of the work tree
// whose content Changed does not compare, when head is WorkTree (nil
// otherwise): ignored files, and ignored directories and submodules (with a
// trailing "/", not walked). Callers that key something by the state of the
// work tree need them: git status does not say when they change.
func (g *Reader) ChangedIgnored(base, head string) (changed, ignored []string, err error) {
	return g.changed(base, head)
}
