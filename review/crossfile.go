package review

import (
	"context"
)

// Tree is the tracked files of one commit, read from a local clone, for
// cross-file context (*gitblob.Source is one). Walk lists the regular
// files only, never following a symlink nor entering .git/.
type Tree interface {
	Walk(ctx context.Context, fn func(path string, size int64) error) error
	ReadFile(ctx context.Context, path string) ([]byte, error)
}
