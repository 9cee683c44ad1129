//go:build !unix

package front

// execEngine: a process cannot be replaced here; the engine runs as a child.
func execEngine(string, []string) error { return errNoExec }
