package env

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/dotenv"
)

// FromInput is the value that, after KEY=, means "read it from standard
// input" (env set --secret KEY=-), and the --from of env import that reads
// the dotenv from standard input.
const FromInput = "-"

// MaxInputValue bounds a value read from standard input or a prompt: all of
// a service's secrets must fit one Kubernetes Secret (1 MiB).
const MaxInputValue = 1 << 20

// ParseSecretArgs parses the arguments of env set --secret: KEY=VALUE as
// ParseAssignments does, and KEY alone or KEY=- for a value read from a
// prompt or standard input; a key given alone must be upper case, so that
// a secret pasted without KEY= (hunter2) is refused rather than taken for a
// key name. pending are the indexes into vars of the keys
// whose value must be read (their Value is ""); stdin tells, per pending
// key, whether KEY=- asked for standard input explicitly. An argument that
// is neither is never shown: it may be the secret itself.
func ParseSecretArgs(args []string) (vars []KV, pending []int, stdin []bool, err error) {
	seen := map[string]bool{}
	for i, a := range args {
		pos := i + 2
		k, v, hasEq := strings.Cut(a, "=")
		if !hasEq && !conventionalKey(k) {
			// A secret pasted without KEY= must not become a key name
			// (printed in results): a bare key must look like one.
			return nil, nil, nil, fmt.Errorf("argument %d is not KEY=VALUE or KEY (not shown: it may be a secret); a key given alone must be upper case (A-Z, 0-9, _), else write KEY=- to read its value", pos)
		}
		if !dotenv.ValidKey(k) {
			return nil, nil, nil, fmt.Errorf("argument %d: invalid key before '=' (not shown: it may be part of a secret): an environment variable name is letters, digits and '_', not starting with a digit", pos)
		}
		if seen[k] {
			return nil, nil, nil, fmt.Errorf("%s is given twice", k)
		}
		seen[k] = true
		if !hasEq || v == FromInput {
			pending = append(pending, len(vars))
			stdin = append(stdin, hasEq)
			v = ""
		}
		vars = append(vars, KV{k, v})
	}
	return vars, pending, stdin, nil
}

// conventionalKey reports whether k is an environment variable name in
// the usual upper case: [A-Z_][A-Z0-9_]*.
func conventionalKey(k string) bool {
	if !dotenv.ValidKey(k) {
		return false
	}
	return strings.ToUpper(k) == k
}

// ErrEmptyValue is returned (wrapped) for a value read as empty.
var ErrEmptyValue = errors.New("empty value")

// ReadValue reads one value from r (standard input): everything up to EOF,
// less one final newline ("\n" or "\r\n"), byte for byte otherwise. An
// empty value or one over MaxInputValue is an error naming key, never the
// input.
func ReadValue(r io.Reader, key string) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInputValue+3))
	if err != nil {
		return "", fmt.Errorf("%s: read standard input: %w", key, err)
	}
	data = trimNewline(data)
	if len(data) > MaxInputValue {
		return "", fmt.Errorf("%s: the value on standard input is over %d bytes (a Kubernetes Secret holds 1 MiB)", key, MaxInputValue)
	}
	if len(data) == 0 {
		return "", fmt.Errorf("%s: %w on standard input: nothing set (for an empty secret, pass %s= explicitly)", key, ErrEmptyValue, key)
	}
	return string(data), nil
}

// CheckPrompted validates a value typed at a hidden prompt.
func CheckPrompted(key string, b []byte) (string, error) {
	b = trimNewline(b)
	if len(b) == 0 {
		return "", fmt.Errorf("%s: %w typed: nothing set (for an empty secret, pass %s= explicitly)", key, ErrEmptyValue, key)
	}
	if len(b) > MaxInputValue {
		return "", fmt.Errorf("%s: the value typed is over %d bytes", key, MaxInputValue)
	}
	return string(b), nil
}

func trimNewline(b []byte) []byte {
	if bytes.HasSuffix(b, []byte("\r\n")) {
		return b[:len(b)-2]
	}
	return bytes.TrimSuffix(b, []byte("\n"))
}
