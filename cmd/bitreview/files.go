package main

import (
	"context"
	"errors"

	"github.com/bitreview/bitreview/gitblob"
	"github.com/bitreview/bitreview/review"
	bbservice "github.com/bitreview/bitreview/service/bitbucket"
	ghservice "github.com/bitreview/bitreview/service/github"
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
		if data, err = src.ReadFile(ctx, path); err == nil || refusal(err, "") != "" {
			return data, err
		}
	}
	return nil, err
}

// refusal says why a repository file was refused as not a tracked regular
// file (or, for context, a symlink's text) where it was looked up, or ""
// when err is another failure (missing, unreadable, a network error).
// at names the commit for "not tracked at …" ("" for its short hash).
func refusal(err error, at string) string {
	var gb *gitblob.RefusedError
	var gh *ghservice.NotRegularError
	var bb *bbservice.NotRegularError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, errUnderGitDir), errors.Is(err, errOutsideRepo):
		return err.Error()
	case errors.As(err, &gb) && gb.Reason == gitblob.NotTracked && at != "":
		return "not tracked at " + at
	case errors.As(err, &gb):
		return gb.Why()
	case errors.As(err, &gh):
		return gh.Kind
	case errors.As(err, &bb):
		return bb.Kind
	}
	return ""
}
