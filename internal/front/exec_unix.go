//go:build unix

package front

import (
	"os"
	"syscall"
)

// execEngine replaces this process with the engine: same process id,
// streams, signals and exit code, and nothing of the front left behind.
func execEngine(engine string, args []string) error {
	return syscall.Exec(engine, append([]string{engine}, args...), os.Environ())
}
