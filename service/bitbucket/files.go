package bitbucket

import (
	"bytes"
	"context"
	"io"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/review"
)

// FileAPI is what reading file contents needs.
type FileAPI interface {
	GetFile(ctx context.Context, workspace, repo, commit, path string, w io.Writer) (*bbapi.Response, error)
}

// Files reads files at one commit through the API's src endpoint.
type Files struct {
	api    FileAPI
	pr     PR
	commit string
}

var _ review.FileSource = (*Files)(nil)

// NewFiles returns a FileSource for commit.
func NewFiles(api FileAPI, pr PR, commit string) *Files {
	return &Files{api: api, pr: pr, commit: commit}
}

// ReadFile calls GET /repositories/{workspace}/{repo}/src/{commit}/{path}.
func (f *Files) ReadFile(ctx context.Context, path string) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := f.api.GetFile(ctx, f.pr.Workspace, f.pr.Repo, f.commit, path, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
