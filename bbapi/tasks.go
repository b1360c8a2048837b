package bbapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// Task is a pull-request task, optionally shown under a comment. State is
// RESOLVED or UNRESOLVED.
type Task struct {
	ID        int       `json:"id"`
	State     string    `json:"state"`
	Content   Content   `json:"content"`
	Creator   *Account  `json:"creator,omitempty"`
	Comment   *Ref      `json:"comment,omitempty"`
	Pending   bool      `json:"pending,omitempty"`
	CreatedOn time.Time `json:"created_on"`
	UpdatedOn time.Time `json:"updated_on"`
}

// NewTask is the body of a task create: Markdown in Content.Raw and, to
// show the task under a comment, that comment's id.
type NewTask struct {
	Content TaskContent `json:"content"`
	Comment *Ref        `json:"comment,omitempty"`
}

// TaskContent is a task's text as sent.
type TaskContent struct {
	Raw string `json:"raw"`
}

// TaskUpdate is the body of a task update.
type TaskUpdate struct {
	Content *TaskContent `json:"content,omitempty"`
	State   string       `json:"state,omitempty"`
}

func tasksPath(workspace, repo string, id int) (string, error) {
	p, err := prPath(workspace, repo, id)
	if err != nil {
		return "", err
	}
	return p + "/tasks", nil
}

// ListPullRequestTasks returns every task of the pull request, following
// `next` links 100 at a time.
//
// Bitbucket API: GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/tasks
// (scope read:pullrequest:bitbucket).
func (c *Client) ListPullRequestTasks(ctx context.Context, workspace, repo string, id int) ([]*Task, error) {
	p, err := tasksPath(workspace, repo, id)
	if err != nil {
		return nil, err
	}
	return listAll[*Task](ctx, c, p+"?pagelen=100", readPR())
}

// CreatePullRequestTask creates a task. Like every POST it is never
// retried: list the tasks before trying again.
//
// Bitbucket API: POST /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/tasks
// (scopes read:pullrequest:bitbucket and write:pullrequest:bitbucket).
func (c *Client) CreatePullRequestTask(ctx context.Context, workspace, repo string, id int, in *NewTask) (*Task, *Response, error) {
	if in == nil {
		return nil, nil, errors.New("bbapi: CreatePullRequestTask: nil task")
	}
	p, err := tasksPath(workspace, repo, id)
	if err != nil {
		return nil, nil, err
	}
	return c.taskCall(ctx, http.MethodPost, p, in)
}

// UpdatePullRequestTask changes a task's text or state (PUT, retried).
//
// Bitbucket API: PUT /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/tasks/{task_id}
// (scopes read:pullrequest:bitbucket and write:pullrequest:bitbucket).
func (c *Client) UpdatePullRequestTask(ctx context.Context, workspace, repo string, id, taskID int, in *TaskUpdate) (*Task, *Response, error) {
	if in == nil {
		return nil, nil, errors.New("bbapi: UpdatePullRequestTask: nil update")
	}
	p, err := tasksPath(workspace, repo, id)
	if err != nil {
		return nil, nil, err
	}
	return c.taskCall(ctx, http.MethodPut, p+"/"+strconv.Itoa(taskID), in)
}

func (c *Client) taskCall(ctx context.Context, method, path string, body any) (*Task, *Response, error) {
	req, err := c.NewRequest(ctx, method, path, body)
	if err != nil {
		return nil, nil, err
	}
	t := new(Task)
	resp, err := c.do(req, t, writePR())
	if err != nil {
		return nil, resp, err
	}
	return t, resp, nil
}
