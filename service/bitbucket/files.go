package bitbucket

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/gitblob"
	"github.com/bitreview/bitreview/review"
)

// FileAPI is what reading file contents needs.
type FileAPI interface {
	GetFile(ctx context.Context, workspace, repo, commit, path string, w io.Writer) (*bbapi.Response, error)
	GetFileMeta(ctx context.Context, workspace, repo, commit, path string) (*bbapi.FileMeta, *bbapi.Response, error)
}

// srcFiles reads files at one commit through the API's src endpoint.
type srcFiles struct {
	api    FileAPI
	pr     PR
	commit string
}

var _ review.FileSource = (*srcFiles)(nil)

// newSrcFiles returns a FileSource for commit.
func newSrcFiles(api FileAPI, pr PR, commit string) *srcFiles {
	return &srcFiles{api: api, pr: pr, commit: commit}
}

// ReadFile calls GET /repositories/{workspace}/{repo}/src/{commit}/{path}
// and reads at most gitblob.DefaultMaxSize bytes: a larger file is refused
// as the clone refuses it, so no file of the repository can fill memory.
func (f *srcFiles) ReadFile(ctx context.Context, path string) ([]byte, error) {
	buf := &cappedBuffer{limit: gitblob.DefaultMaxSize}
	if _, err := f.api.GetFile(ctx, f.pr.Workspace, f.pr.Repo, f.commit, path, buf); err != nil {
		if errors.Is(err, diffparse.ErrTruncated) {
			return nil, &NotRegularError{Path: path, Kind: fmt.Sprintf("too large (over %d bytes)", gitblob.DefaultMaxSize)}
		}
		return nil, err
	}
	return buf.buf.Bytes(), nil
}

// NotRegularError is a path that is not a regular file at the commit.
// Kind is "a symlink", "a submodule" or "a directory".
type NotRegularError struct {
	Path, Kind string
}

func (e *NotRegularError) Error() string { return e.Path + ": " + e.Kind }

// Why is Kind: the refusal in words, without the path, as gitblob's
// refusals say it (settings.Refusal names a refused guideline with it).
func (e *NotRegularError) Why() string { return e.Kind }

// CheckRegular returns nil when path is a regular file at the commit, a
// *NotRegularError for a symlink, a submodule or a directory (from
// ?format=meta), or the API's error (404 for a path that is not there).
// Files that configure the review are read only after it: whatever the
// src endpoint does with a link, its target is never used as a guideline.
func (f *srcFiles) CheckRegular(ctx context.Context, path string) error {
	m, _, err := f.api.GetFileMeta(ctx, f.pr.Workspace, f.pr.Repo, f.commit, path)
	switch {
	case err != nil:
		return err
	case m.Type == "commit_directory":
		return &NotRegularError{Path: path, Kind: "a directory"}
	case m.Has("link"):
		return &NotRegularError{Path: path, Kind: "a symlink"}
	case m.Has("subrepository"):
		return &NotRegularError{Path: path, Kind: "a submodule"}
	case m.Type != "commit_file":
		return &NotRegularError{Path: path, Kind: "not a regular file"}
	}
	return nil
}
