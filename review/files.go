package review

import (
	"context"
	"errors"
)

// FirstOf returns a FileSource that reads a path from the first of sources
// that has it: the clone's object database, then the host's API at the
// same commit. An error for which final reports true ends the search: a
// source refused the path (not a tracked regular file, or for context a
// symlink's text, at the commit), so the answer is known and no other
// source may read it. Any other failure (no clone, a commit the clone
// lacks, a missing file) asks the next source.
func FirstOf(final func(error) bool, sources ...FileSource) FileSource {
	return firstOf{final: final, sources: sources}
}

type firstOf struct {
	final   func(error) bool
	sources []FileSource
}

func (s firstOf) ReadFile(ctx context.Context, path string) ([]byte, error) {
	err := errors.New("no file source")
	for _, src := range s.sources {
		var data []byte
		if data, err = src.ReadFile(ctx, path); err == nil || s.final(err) {
			return data, err
		}
	}
	return nil, err
}
