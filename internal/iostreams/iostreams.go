// Package iostreams carries the standard streams a command reads and writes,
// so that commands never touch os.Stdout directly and tests can capture them.
package iostreams

import (
	"bytes"
	"io"
	"os"
)

// IOStreams holds the streams of one command invocation.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer // data
	ErrOut io.Writer // diagnostics, progress, warnings

	// OutTTY and ErrTTY tell whether Out and ErrOut are terminals: progress
	// bars and color are only shown on a terminal.
	OutTTY bool
	ErrTTY bool
	// NoColor is set when NO_COLOR is set (not empty) in the environment.
	NoColor bool
	// Color is the --color mode: ColorAuto (also ""), ColorAlways or
	// ColorNever.
	Color string

	// InTTY tells whether In is a terminal; Secret then reads from it
	// without echo (see ReadSecret).
	InTTY  bool
	Secret SecretReader
}

// The --color modes.
const (
	ColorAuto   = "auto"
	ColorAlways = "always"
	ColorNever  = "never"
)

// ColorOut tells whether to color what goes to Out: always with
// --color always (it wins over NO_COLOR, as a flag given by hand should),
// never with --color never, else only when Out is a terminal and NO_COLOR
// is not set.
func (s *IOStreams) ColorOut() bool {
	switch s.Color {
	case ColorAlways:
		return true
	case ColorNever:
		return false
	}
	return s.OutTTY && !s.NoColor
}

// System returns the process's streams.
func System() *IOStreams {
	// NO_COLOR counts when set and not empty (no-color.org).
	noColor := os.Getenv("NO_COLOR") != ""
	secret, inTTY := stdinTerminal()
	return &IOStreams{
		InTTY:   inTTY,
		Secret:  secret,
		In:      os.Stdin,
		Out:     os.Stdout,
		ErrOut:  os.Stderr,
		OutTTY:  isTerminal(os.Stdout),
		ErrTTY:  isTerminal(os.Stderr),
		NoColor: noColor,
	}
}

// Test returns streams backed by buffers, plus the buffers.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: &bytes.Buffer{}, Out: out, ErrOut: errOut, NoColor: true}, out, errOut
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	return fi.Mode()&os.ModeCharDevice != 0
}
