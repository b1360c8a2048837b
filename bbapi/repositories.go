package bbapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
)

// RepositoryDetail is a repository with the fields listings and GET
// return beyond those of a pull request's endpoint.
type RepositoryDetail struct {
	Repository
	Slug       string  `json:"slug"`
	IsPrivate  bool    `json:"is_private"`
	MainBranch *Branch `json:"mainbranch,omitempty"`
	// HasIssues is true when the repository has its own issue tracker.
	HasIssues bool `json:"has_issues"`
}

// GetRepository fetches a repository, including its main branch.
//
// Bitbucket API: GET /repositories/{workspace}/{repo_slug}
// (scope read:repository:bitbucket).
func (c *Client) GetRepository(ctx context.Context, workspace, repo string) (*RepositoryDetail, *Response, error) {
	p, err := repoPath(workspace, repo)
	if err != nil {
		return nil, nil, err
	}
	req, err := c.NewRequest(ctx, http.MethodGet, p, nil)
	if err != nil {
		return nil, nil, err
	}
	r := new(RepositoryDetail)
	resp, err := c.do(req, r, call{scopes: []string{scopeReadRepo}})
	if err != nil {
		return nil, resp, err
	}
	return r, resp, nil
}

// ListRepositories returns every repository of a workspace the credentials
// can see, following `next` links 100 at a time.
//
// Bitbucket API: GET /repositories/{workspace} (scope read:repository:bitbucket).
func (c *Client) ListRepositories(ctx context.Context, workspace string) ([]*RepositoryDetail, error) {
	if workspace == "" {
		return nil, errors.New("bbapi: workspace must not be empty")
	}
	return listAll[*RepositoryDetail](ctx, c, "repositories/"+url.PathEscape(workspace)+"?pagelen=100",
		call{scopes: []string{scopeReadRepo}})
}

// ListPullRequests returns the first page (at most pagelen, 1–50) of a
// repository's pull requests in state ("" means Bitbucket's default,
// OPEN).
//
// Bitbucket API: GET /repositories/{workspace}/{repo_slug}/pullrequests
// (scope read:pullrequest:bitbucket).
func (c *Client) ListPullRequests(ctx context.Context, workspace, repo, state string, pagelen int) ([]*PullRequest, *Response, error) {
	if pagelen < 1 || pagelen > 50 {
		return nil, nil, errors.New("bbapi: ListPullRequests: pagelen must be 1 to 50")
	}
	p, err := repoPath(workspace, repo)
	if err != nil {
		return nil, nil, err
	}
	q := url.Values{"pagelen": {strconv.Itoa(pagelen)}}
	if state != "" {
		q.Set("state", state)
	}
	return firstPage[*PullRequest](ctx, c, p+"/pullrequests?"+q.Encode(), readPR())
}
