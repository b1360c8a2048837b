package bbapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// MergeBase returns the best common ancestor of two commits. To learn
// whether old is an ancestor of new, compare MergeBase(new, old).Hash with
// old: they are equal exactly when it is. A 404 means one of the commits is
// unknown (for instance a commit dropped by a force-push and collected).
//
// Bitbucket API: GET /repositories/{workspace}/{repo_slug}/merge-base/{revspec}
// with revspec "a..b" (scope read:repository:bitbucket).
func (c *Client) MergeBase(ctx context.Context, workspace, repo, a, b string) (*Commit, *Response, error) {
	if a == "" || b == "" {
		return nil, nil, errors.New("bbapi: MergeBase: both commits are required")
	}
	p, err := repoPath(workspace, repo)
	if err != nil {
		return nil, nil, err
	}
	req, err := c.NewRequest(ctx, http.MethodGet, p+"/merge-base/"+url.PathEscape(a+".."+b), nil)
	if err != nil {
		return nil, nil, err
	}
	cm := new(Commit)
	resp, err := c.do(req, cm, call{scopes: []string{scopeReadRepo}})
	if err != nil {
		return nil, resp, err
	}
	return cm, resp, nil
}
