package iostreams

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/term"
)

// SecretReader reads one line from a terminal without echoing it (a
// password prompt). Tests use a fake one.
type SecretReader interface {
	ReadSecret() ([]byte, error)
}

// ErrNoTerminal is returned by ReadSecret when standard input is not a
// terminal.
var ErrNoTerminal = errors.New("standard input is not a terminal")

// ReadSecret prints prompt to ErrOut and reads a line from the terminal
// without echoing it. It fails with ErrNoTerminal when In is not a
// terminal (read the value from In instead).
func (s *IOStreams) ReadSecret(prompt string) ([]byte, error) {
	if !s.InTTY || s.Secret == nil {
		return nil, ErrNoTerminal
	}
	fmt.Fprint(s.ErrOut, prompt)
	b, err := s.Secret.ReadSecret()
	fmt.Fprintln(s.ErrOut) // the newline the hidden input did not echo
	return b, err
}

// termReader reads from the terminal on file descriptor fd.
type termReader struct{ fd int }

func (t termReader) ReadSecret() ([]byte, error) { return term.ReadPassword(t.fd) }

// stdinTerminal returns a SecretReader for os.Stdin when it is a terminal.
func stdinTerminal() (SecretReader, bool) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return nil, false
	}
	return termReader{fd: fd}, true
}
