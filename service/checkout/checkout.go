// Package checkout is what both host adapters read from the CI job's clone
// (BITBUCKET_CLONE_DIR, GITHUB_WORKSPACE): blobs of tracked files at a
// commit, through gitblob, never the working tree, which the pull request
// shapes.
package checkout

import (
	"context"
	"errors"
	"fmt"

	"github.com/bitreview/bitreview/gitblob"
	"github.com/bitreview/bitreview/review"
)

// Files reads files of commit for context: the blob the clone at dir
// tracks at commit first, then api at the same commit. When the clone
// refuses a path (not tracked there, a submodule, under .git/), or api
// refuses it (refused), the search ends there; when the clone lacks the
// commit (a short hash, a shallow clone), api is asked. A symlink reads as
// its target text either way. Without a clone or a commit, api alone.
func Files(dir, commit string, api review.FileSource, refused func(error) bool) review.FileSource {
	if dir == "" || commit == "" {
		return api
	}
	stop := func(err error) bool {
		var gb *gitblob.RefusedError
		return errors.As(err, &gb) || refused(err)
	}
	return review.FirstOf(stop, gitblob.New(dir, commit), api)
}

// Tree is the tracked files of commit in the clone at dir, for cross-file
// context: its blobs, never its working tree. It is an error when there is
// no clone (variable names what would set dir) or the clone lacks the
// commit.
func Tree(ctx context.Context, dir, commit, variable string) (review.Tree, error) {
	if dir == "" {
		return nil, fmt.Errorf("no clone of the repository (%s is not set)", variable)
	}
	src := gitblob.New(dir, commit)
	if err := src.Open(ctx); err != nil {
		return nil, err
	}
	return src, nil
}
