package main

import (
	"context"
	"errors"

	"github.com/bitreview/bitreview/gitblob"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/settings"
)

// headSources reads the files under review at the head commit: from the
// clone's object database when the clone has that commit (never from its
// working tree, which the pull request shapes: requirement 31), then from
// the platform's API at the same commit.
func headSources(cloneDir, head string, remote review.FileSource) review.FileSource {
	if cloneDir == "" || head == "" {
		return remote
	}
	return firstOf{gitblob.New(cloneDir, head), remote}
}

// firstOf tries each source in order. A source that refuses the path (not
// a tracked regular file or symlink at the commit) ends the search: the
// answer is known, and no other source should read the path.
type firstOf []review.FileSource

func (s firstOf) ReadFile(ctx context.Context, path string) ([]byte, error) {
	err := errors.New("no file source")
	for _, src := range s {
		var data []byte
		if data, err = src.ReadFile(ctx, path); err == nil || settings.Refusal(err, "") != "" {
			return data, err
		}
	}
	return nil, err
}
