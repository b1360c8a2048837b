package bbapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// Ref refers to another object by id, such as a reply's parent comment.
type Ref struct {
	ID int `json:"id"`
}

// Inline anchors a comment in the diff. To is the line in the new file
// (the last one of a multi-line comment, whose first is StartTo); From is
// the line in the old file, with StartFrom for a range. A file-level
// comment has only Path. Outdated is set by Bitbucket and never sent.
type Inline struct {
	Path      string `json:"path"`
	From      *int   `json:"from,omitempty"`
	To        *int   `json:"to,omitempty"`
	StartFrom *int   `json:"start_from,omitempty"`
	StartTo   *int   `json:"start_to,omitempty"`
	Outdated  bool   `json:"outdated,omitempty"`
}

// Comment is a pull-request comment as Bitbucket returns it.
type Comment struct {
	ID        int       `json:"id"`
	Content   Content   `json:"content"`
	Inline    *Inline   `json:"inline,omitempty"`
	Parent    *Ref      `json:"parent,omitempty"`
	User      *Account  `json:"user,omitempty"`
	Deleted   bool      `json:"deleted"`
	Pending   bool      `json:"pending"`
	CreatedOn time.Time `json:"created_on"`
	UpdatedOn time.Time `json:"updated_on"`
	// Resolution is set while the comment's thread is resolved.
	Resolution *CommentResolution `json:"resolution,omitempty"`
	Links      struct {
		HTML struct {
			Href string `json:"href"`
		} `json:"html"`
	} `json:"links"`
}

// CommentResolution says who resolved a comment thread and when.
type CommentResolution struct {
	User      *Account  `json:"user,omitempty"`
	CreatedOn time.Time `json:"created_on"`
}

// NewComment is the body of a create or update: Markdown in Content.Raw,
// an optional Inline anchor and an optional Parent for a reply.
type NewComment struct {
	Content Content `json:"content"`
	Inline  *Inline `json:"inline,omitempty"`
	Parent  *Ref    `json:"parent,omitempty"`
}

// MarshalJSON writes only the fields Bitbucket accepts in a request: no
// null, no `type`, no read-only content.html or inline.outdated.
func (n NewComment) MarshalJSON() ([]byte, error) {
	type content struct {
		Raw    string `json:"raw"`
		Markup string `json:"markup,omitempty"`
	}
	type inline struct {
		Path      string `json:"path"`
		From      *int   `json:"from,omitempty"`
		To        *int   `json:"to,omitempty"`
		StartFrom *int   `json:"start_from,omitempty"`
		StartTo   *int   `json:"start_to,omitempty"`
	}
	out := struct {
		Content content `json:"content"`
		Inline  *inline `json:"inline,omitempty"`
		Parent  *Ref    `json:"parent,omitempty"`
	}{Content: content{Raw: n.Content.Raw, Markup: n.Content.Markup}, Parent: n.Parent}
	if in := n.Inline; in != nil {
		out.Inline = &inline{Path: in.Path, From: in.From, To: in.To, StartFrom: in.StartFrom, StartTo: in.StartTo}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // Markdown is full of < > &
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// readPR and writePR are the error contexts of the comment calls. The
// spec lists only read:pullrequest for writes, but commenting needs the
// write permission (bitbucket-cloud.md §12), so both are named.
func readPR() call  { return call{scopes: []string{scopeReadPR}} }
func writePR() call { return call{scopes: []string{scopeReadPR, scopeWritePR}} }

func commentsPath(workspace, repo string, id int) (string, error) {
	p, err := prPath(workspace, repo, id)
	if err != nil {
		return "", err
	}
	return p + "/comments", nil
}

func commentPath(workspace, repo string, id, commentID int) (string, error) {
	p, err := commentsPath(workspace, repo, id)
	if err != nil {
		return "", err
	}
	return p + "/" + strconv.Itoa(commentID), nil
}

// ListPullRequestComments returns every comment of the pull request
// (global, inline and replies, deleted ones included, oldest first),
// following `next` links 100 comments at a time.
//
// Bitbucket API: GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/comments
// (scope read:pullrequest:bitbucket).
func (c *Client) ListPullRequestComments(ctx context.Context, workspace, repo string, id int) ([]*Comment, error) {
	p, err := commentsPath(workspace, repo, id)
	if err != nil {
		return nil, err
	}
	return listAll[*Comment](ctx, c, p+"?pagelen=100", readPR())
}

// GetPullRequestComment fetches one comment.
//
// Bitbucket API: GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/comments/{comment_id}
// (scope read:pullrequest:bitbucket).
func (c *Client) GetPullRequestComment(ctx context.Context, workspace, repo string, id, commentID int) (*Comment, *Response, error) {
	p, err := commentPath(workspace, repo, id, commentID)
	if err != nil {
		return nil, nil, err
	}
	return c.commentCall(ctx, http.MethodGet, p, nil, readPR())
}

// CreatePullRequestComment posts a comment. It is never retried: a POST
// that failed (even with 429 or a timeout) may have created the comment,
// so list the comments before trying again.
//
// Bitbucket API: POST /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/comments
// (scopes read:pullrequest:bitbucket and write:pullrequest:bitbucket).
func (c *Client) CreatePullRequestComment(ctx context.Context, workspace, repo string, id int, in *NewComment) (*Comment, *Response, error) {
	if in == nil {
		return nil, nil, errors.New("bbapi: CreatePullRequestComment: nil comment")
	}
	p, err := commentsPath(workspace, repo, id)
	if err != nil {
		return nil, nil, err
	}
	return c.commentCall(ctx, http.MethodPost, p, in, writePR())
}

// UpdatePullRequestComment replaces a comment's content (PUT, so it is
// retried like a GET).
//
// Bitbucket API: PUT /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/comments/{comment_id}
// (scopes read:pullrequest:bitbucket and write:pullrequest:bitbucket).
func (c *Client) UpdatePullRequestComment(ctx context.Context, workspace, repo string, id, commentID int, in *NewComment) (*Comment, *Response, error) {
	if in == nil {
		return nil, nil, errors.New("bbapi: UpdatePullRequestComment: nil comment")
	}
	p, err := commentPath(workspace, repo, id, commentID)
	if err != nil {
		return nil, nil, err
	}
	return c.commentCall(ctx, http.MethodPut, p, in, writePR())
}

// DeletePullRequestComment deletes a comment. It is retried; a 404 after
// a retry may mean that an earlier attempt already deleted it.
//
// Bitbucket API: DELETE /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/comments/{comment_id}
// (scopes read:pullrequest:bitbucket and write:pullrequest:bitbucket).
func (c *Client) DeletePullRequestComment(ctx context.Context, workspace, repo string, id, commentID int) (*Response, error) {
	p, err := commentPath(workspace, repo, id, commentID)
	if err != nil {
		return nil, err
	}
	req, err := c.NewRequest(ctx, http.MethodDelete, p, nil)
	if err != nil {
		return nil, err
	}
	return c.do(req, nil, writePR())
}

// ResolvePullRequestComment resolves a top-level comment's thread. A 409
// (already resolved) is not an error. Bitbucket answers 403 for a reply or
// a comment that is not on the diff. Like every POST it is never retried.
//
// Bitbucket API: POST /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/comments/{comment_id}/resolve
// (scopes read:pullrequest:bitbucket and write:pullrequest:bitbucket).
func (c *Client) ResolvePullRequestComment(ctx context.Context, workspace, repo string, id, commentID int) (*Response, error) {
	p, err := commentPath(workspace, repo, id, commentID)
	if err != nil {
		return nil, err
	}
	req, err := c.NewRequest(ctx, http.MethodPost, p+"/resolve", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(req, nil, writePR())
	var er *ErrorResponse
	if errors.As(err, &er) && er.StatusCode == http.StatusConflict {
		return resp, nil
	}
	return resp, err
}

func (c *Client) commentCall(ctx context.Context, method, path string, body *NewComment, cl call) (*Comment, *Response, error) {
	return callJSON[Comment](ctx, c, method, path, body, cl)
}

// callJSON sends body (nil for none) and decodes the answer into a new T.
func callJSON[T, B any](ctx context.Context, c *Client, method, path string, body *B, cl call) (*T, *Response, error) {
	var b any
	if body != nil {
		b = body
	}
	req, err := c.NewRequest(ctx, method, path, b)
	if err != nil {
		return nil, nil, err
	}
	v := new(T)
	resp, err := c.do(req, v, cl)
	if err != nil {
		return nil, resp, err
	}
	return v, resp, nil
}
