//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package gitx

import (
	"os"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

func fillStat(*index.Entry, os.FileInfo) {}
