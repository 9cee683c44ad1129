//go:build !linux

package fsutil

import "os"

// ReadFile is os.ReadFile (see the Linux version for why it exists).
func ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }
