package gitx

// ChangedIgnored is Changed, and also lists the entries of the work tree
// whose content Changed does not compare, when head is WorkTree (nil
// otherwise): ignored files, and ignored directories and submodules (with a
// trailing "/", not walked); untracked directories holding no file Changed
// lists (with a trailing "/": git shows no empty directory, nor one
// holding only a nested repository); and the files of a sparse checkout
// (skip-worktree) missing from the work tree. Callers that key something
// by the state of the work tree, or that read the work tree where they
// read a commit before, need them: git status does not say when they
// change.
func (g *Reader) ChangedIgnored(base, head string) (changed, ignored []string, err error) {
	return g.changed(base, head)
}
