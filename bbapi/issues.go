package bbapi

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// Issue is an issue of a repository's own issue tracker. State is new,
// open, resolved, on hold, invalid, duplicate, wontfix or closed; Kind is
// bug, enhancement, proposal or task.
type Issue struct {
	ID        int       `json:"id"`
	Title     string    `json:"title"`
	Content   Content   `json:"content"`
	State     string    `json:"state"`
	Kind      string    `json:"kind"`
	Priority  string    `json:"priority"`
	Reporter  *Account  `json:"reporter,omitempty"`
	CreatedOn time.Time `json:"created_on"`
	Links     struct {
		HTML struct {
			Href string `json:"href"`
		} `json:"html"`
	} `json:"links"`
}

// NewIssue is the body of an issue to create: Title is required, Content
// (Markdown in Raw) and Kind optional.
type NewIssue struct {
	Title   string   `json:"title"`
	Content *Content `json:"content,omitempty"`
	Kind    string   `json:"kind,omitempty"`
}

func readIssue() call  { return call{scopes: []string{scopeReadIssue}} }
func writeIssue() call { return call{scopes: []string{scopeReadIssue, scopeWriteIssue}} }

// GetIssue fetches issue id of the repository's issue tracker. A
// repository without a tracker answers 404 like a missing issue.
//
// Bitbucket API: GET /repositories/{workspace}/{repo_slug}/issues/{issue_id}
// (scope read:issue:bitbucket).
func (c *Client) GetIssue(ctx context.Context, workspace, repo string, id int) (*Issue, *Response, error) {
	p, err := repoPath(workspace, repo)
	if err != nil {
		return nil, nil, err
	}
	req, err := c.NewRequest(ctx, http.MethodGet, p+"/issues/"+strconv.Itoa(id), nil)
	if err != nil {
		return nil, nil, err
	}
	out := new(Issue)
	resp, err := c.do(req, out, readIssue())
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// CreateIssue files an issue in the repository's issue tracker. Like
// every POST it is not retried after a timeout (the issue may exist).
//
// Bitbucket API: POST /repositories/{workspace}/{repo_slug}/issues
// (scopes read:issue:bitbucket and write:issue:bitbucket).
func (c *Client) CreateIssue(ctx context.Context, workspace, repo string, in *NewIssue) (*Issue, *Response, error) {
	p, err := repoPath(workspace, repo)
	if err != nil {
		return nil, nil, err
	}
	req, err := c.NewRequest(ctx, http.MethodPost, p+"/issues", in)
	if err != nil {
		return nil, nil, err
	}
	out := new(Issue)
	resp, err := c.do(req, out, writeIssue())
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}
