package bbapi

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// Account is a Bitbucket user, team or app user (an access token acts as
// an app user of its own).
type Account struct {
	Type        string `json:"type,omitempty"`
	UUID        string `json:"uuid,omitempty"`
	AccountID   string `json:"account_id,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	Nickname    string `json:"nickname,omitempty"`
}

// Content is rendered text: raw is what was typed, html the rendering.
type Content struct {
	Raw    string `json:"raw"`
	Markup string `json:"markup,omitempty"`
	HTML   string `json:"html,omitempty"`
}

// Branch is the branch of a pull request endpoint.
type Branch struct {
	Name string `json:"name"`
}

// Commit is the commit of a pull request endpoint. Bitbucket gives the
// 12-hex short hash here.
type Commit struct {
	Hash string `json:"hash"`
}

// Repository identifies a repository.
type Repository struct {
	FullName string `json:"full_name"`
	UUID     string `json:"uuid"`
	Name     string `json:"name"`
}

// Endpoint is the source or destination of a pull request.
type Endpoint struct {
	Branch     Branch     `json:"branch"`
	Commit     Commit     `json:"commit"`
	Repository Repository `json:"repository"`
}

// PullRequest is a pull request. State is OPEN, MERGED, DECLINED or
// SUPERSEDED.
type PullRequest struct {
	ID           int       `json:"id"`
	Title        string    `json:"title"`
	Description  string    `json:"description"`
	Summary      Content   `json:"summary"`
	State        string    `json:"state"`
	Draft        bool      `json:"draft"`
	Author       Account   `json:"author"`
	Source       Endpoint  `json:"source"`
	Destination  Endpoint  `json:"destination"`
	Reviewers    []Account `json:"reviewers,omitempty"`
	CommentCount int       `json:"comment_count"`
	TaskCount    int       `json:"task_count"`
	CreatedOn    time.Time `json:"created_on"`
	UpdatedOn    time.Time `json:"updated_on"`
}

// prPath returns "repositories/{workspace}/{repo}/pullrequests/{id}".
func prPath(workspace, repo string, id int) (string, error) {
	p, err := repoPath(workspace, repo)
	if err != nil {
		return "", err
	}
	return p + "/pullrequests/" + strconv.Itoa(id), nil
}

// GetPullRequest fetches a pull request.
//
// Bitbucket API: GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}
// (scope read:pullrequest:bitbucket).
func (c *Client) GetPullRequest(ctx context.Context, workspace, repo string, id int) (*PullRequest, *Response, error) {
	p, err := prPath(workspace, repo, id)
	if err != nil {
		return nil, nil, err
	}
	req, err := c.NewRequest(ctx, http.MethodGet, p, nil)
	if err != nil {
		return nil, nil, err
	}
	pr := new(PullRequest)
	resp, err := c.do(req, pr, call{scopes: []string{scopeReadPR}})
	if err != nil {
		return nil, resp, err
	}
	return pr, resp, nil
}

// PullRequestUpdate is the body of a pull request edit. Bitbucket
// requires the title in every edit, and a reviewer left out of an edit
// may be dropped (reports differ), so the caller sends the title and the
// reviewers it read just before with the new description.
type PullRequestUpdate struct {
	Title       string       `json:"title"`
	Description string       `json:"description"`
	Reviewers   []AccountRef `json:"reviewers"`
}

// AccountRef names an account by UUID in a request body.
type AccountRef struct {
	UUID string `json:"uuid"`
}

// UpdatePullRequest edits a pull request's title, description and
// reviewers. Only an OPEN pull request can be changed.
//
// Bitbucket API: PUT /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}
// (scopes read:pullrequest:bitbucket and write:pullrequest:bitbucket).
func (c *Client) UpdatePullRequest(ctx context.Context, workspace, repo string, id int, in *PullRequestUpdate) (*PullRequest, *Response, error) {
	p, err := prPath(workspace, repo, id)
	if err != nil {
		return nil, nil, err
	}
	if in.Reviewers == nil {
		in.Reviewers = []AccountRef{}
	}
	req, err := c.NewRequest(ctx, http.MethodPut, p, in)
	if err != nil {
		return nil, nil, err
	}
	pr := new(PullRequest)
	resp, err := c.do(req, pr, call{scopes: []string{scopeReadPR, scopeWritePR}})
	if err != nil {
		return nil, resp, err
	}
	return pr, resp, nil
}

// PRCommit is a commit of a pull request, as its commit list gives it.
type PRCommit struct {
	Hash    string `json:"hash"`
	Message string `json:"message"`
}

// ListPullRequestCommits returns the pull request's commits, newest first,
// at most limit of them (following `next` pages until then).
//
// Bitbucket API: GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/commits
// (scope read:pullrequest:bitbucket).
func (c *Client) ListPullRequestCommits(ctx context.Context, workspace, repo string, id, limit int) ([]*PRCommit, error) {
	p, err := prPath(workspace, repo, id)
	if err != nil {
		return nil, err
	}
	return listUpTo[*PRCommit](ctx, c, p+"/commits", limit, call{scopes: []string{scopeReadPR}})
}
