package bbapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// GetFile writes the raw contents of path at commit to w. path is
// unescaped and relative to the repository root; its "/" are kept. A
// missing file gives an *ErrorResponse with StatusCode 404. Files stored
// in LFS redirect to another host, which is followed without credentials.
//
// Bitbucket API: GET /repositories/{workspace}/{repo_slug}/src/{commit}/{path}
// (scope read:repository:bitbucket).
func (c *Client) GetFile(ctx context.Context, workspace, repo, commit, path string, w io.Writer) (*Response, error) {
	p, err := repoPath(workspace, repo)
	if err != nil {
		return nil, err
	}
	path = strings.TrimPrefix(path, "/")
	if commit == "" || path == "" {
		return nil, errors.New("bbapi: GetFile: commit and path must not be empty")
	}
	req, err := c.NewRequest(ctx, http.MethodGet, p+"/src/"+url.PathEscape(commit)+"/"+escapePath(path), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "*/*")
	return c.do(req, w, call{scopes: []string{scopeReadRepo}})
}
