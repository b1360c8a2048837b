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

// FileMeta is what Bitbucket knows of a path at a commit.
type FileMeta struct {
	Type       string   `json:"type"` // "commit_file" or "commit_directory"
	Path       string   `json:"path"`
	Size       int64    `json:"size"`
	Attributes []string `json:"attributes"` // link, executable, subrepository, binary, lfs
}

// Has reports whether the path has attribute a ("link" for a symlink,
// "subrepository" for a submodule).
func (m *FileMeta) Has(a string) bool {
	for _, x := range m.Attributes {
		if x == a {
			return true
		}
	}
	return false
}

// GetFileMeta returns the metadata of path at commit instead of its
// contents. A missing path gives an *ErrorResponse with StatusCode 404.
//
// Bitbucket API: GET /repositories/{workspace}/{repo_slug}/src/{commit}/{path}?format=meta
// (scope read:repository:bitbucket).
func (c *Client) GetFileMeta(ctx context.Context, workspace, repo, commit, path string) (*FileMeta, *Response, error) {
	p, err := repoPath(workspace, repo)
	if err != nil {
		return nil, nil, err
	}
	path = strings.TrimPrefix(path, "/")
	if commit == "" || path == "" {
		return nil, nil, errors.New("bbapi: GetFileMeta: commit and path must not be empty")
	}
	req, err := c.NewRequest(ctx, http.MethodGet, p+"/src/"+url.PathEscape(commit)+"/"+escapePath(path)+"?format=meta", nil)
	if err != nil {
		return nil, nil, err
	}
	m := new(FileMeta)
	resp, err := c.do(req, m, call{scopes: []string{scopeReadRepo}})
	if err != nil {
		return nil, resp, err
	}
	return m, resp, nil
}
