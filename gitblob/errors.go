package gitblob

import (
	"fmt"
	"io/fs"
)

// Reason says why a path is not read.
type Reason string

// The reasons a path is refused. Only a regular file (or, for ReadFile, a
// symlink's target text) tracked at the commit is ever read.
const (
	NotTracked  Reason = "not tracked"
	Symlink     Reason = "a symlink"
	Submodule   Reason = "a submodule"
	Directory   Reason = "a directory"
	OtherMode   Reason = "not a regular file"
	UnderGitDir Reason = "under .git/"
	BadPath     Reason = "not a relative path inside the repository"
	TooLarge    Reason = "too large"
)

// RefusedError is a path that is not read because it is not a tracked
// regular file at the commit. Reading it elsewhere (another source, the
// working tree) would defeat the point: callers stop there.
type RefusedError struct {
	Path   string
	Rev    string // the commit or tree it was looked up in
	Reason Reason
	Limit  int64 // for TooLarge: the cap in bytes
}

func (e *RefusedError) Error() string { return fmt.Sprintf("%q: %s", e.Path, e.Why()) }

// Why is the reason in words, without the path: "a symlink", "not tracked
// at 0123456789ab", "larger than 1048576 bytes".
func (e *RefusedError) Why() string {
	switch e.Reason {
	case NotTracked:
		return "not tracked at " + short(e.Rev)
	case TooLarge:
		return fmt.Sprintf("larger than %d bytes", e.Limit)
	}
	return string(e.Reason)
}

// Is makes a path that is not tracked match fs.ErrNotExist, so that "no
// such file" checks keep working.
func (e *RefusedError) Is(target error) bool {
	return target == fs.ErrNotExist && e.Reason == NotTracked
}

// MissingError means the repository, the commit or an object it needs is
// not in the local object database: no clone, a shallow clone that stops
// before it, a partial clone without blobs, or a pull request head that
// the checkout did not fetch. The file is tracked or not, nobody knows
// here; another source (the platform's API at the same commit) may answer.
// Err says what went wrong; it is deliberately not unwrapped, so that a
// MissingError never matches fs.ErrNotExist ("no such file").
type MissingError struct {
	Dir  string
	What string // "repository", "commit", "object"
	Hash string
	Err  error
}

func (e *MissingError) Error() string {
	if e.Hash == "" {
		return fmt.Sprintf("gitblob: no %s at %s: %v", e.What, e.Dir, e.Err)
	}
	return fmt.Sprintf("gitblob: %s %s is not in the repository at %s: %v", e.What, short(e.Hash), e.Dir, e.Err)
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
