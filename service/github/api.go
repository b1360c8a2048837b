// Package github connects the review core to GitHub through go-github: it
// reads the pull request and its diff (whole, or the increment since the
// last reviewed commit), and publishes a review as one pull-request review
// with inline comments, one summary comment that later runs edit in place,
// and an optional check run with annotations.
//
// It offers the Bitbucket publisher's guarantees: comments carry the
// hidden markers of review/markers.go and are matched by marker and by the
// bot's own login, so a human's comment that copies a marker is never
// touched; re-runs do not duplicate; nothing approves, merges or requests
// changes. Rate limits and transient answers are retried below go-github,
// within the context's deadline (see NewClient).
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"
)

// PullsAPI is what bitreview needs of the pulls endpoints.
type PullsAPI interface {
	Get(ctx context.Context, owner, repo string, number int) (*gh.PullRequest, *gh.Response, error)
	GetRaw(ctx context.Context, owner, repo string, number int, opts gh.RawOptions) (string, *gh.Response, error)
	ListFiles(ctx context.Context, owner, repo string, number int, opts *gh.ListOptions) ([]*gh.CommitFile, *gh.Response, error)
	ListComments(ctx context.Context, owner, repo string, number int, opts *gh.PullRequestListCommentsOptions) ([]*gh.PullRequestComment, *gh.Response, error)
	GetComment(ctx context.Context, owner, repo string, commentID int64) (*gh.PullRequestComment, *gh.Response, error)
	CreateReview(ctx context.Context, owner, repo string, number int, review *gh.PullRequestReviewRequest) (*gh.PullRequestReview, *gh.Response, error)
	CreateComment(ctx context.Context, owner, repo string, number int, comment *gh.PullRequestComment) (*gh.PullRequestComment, *gh.Response, error)
	DeleteComment(ctx context.Context, owner, repo string, commentID int64) (*gh.Response, error)
	CreateCommentInReplyTo(ctx context.Context, owner, repo string, number int, body string, commentID int64) (*gh.PullRequestComment, *gh.Response, error)
}

// IssuesAPI is what the summary comment and the conversation need.
type IssuesAPI interface {
	ListComments(ctx context.Context, owner, repo string, number int, opts *gh.IssueListCommentsOptions) ([]*gh.IssueComment, *gh.Response, error)
	GetComment(ctx context.Context, owner, repo string, commentID int64) (*gh.IssueComment, *gh.Response, error)
	CreateComment(ctx context.Context, owner, repo string, number int, comment *gh.IssueComment) (*gh.IssueComment, *gh.Response, error)
	EditComment(ctx context.Context, owner, repo string, commentID int64, comment *gh.IssueComment) (*gh.IssueComment, *gh.Response, error)
	DeleteComment(ctx context.Context, owner, repo string, commentID int64) (*gh.Response, error)
}

// ReposAPI is what incremental review and file reading need.
type ReposAPI interface {
	CompareCommits(ctx context.Context, owner, repo, base, head string, opts *gh.ListOptions) (*gh.CommitsComparison, *gh.Response, error)
	CompareCommitsRaw(ctx context.Context, owner, repo, base, head string, opts gh.RawOptions) (string, *gh.Response, error)
	GetContents(ctx context.Context, owner, repo, path string, opts *gh.RepositoryContentGetOptions) (*gh.RepositoryContent, []*gh.RepositoryContent, *gh.Response, error)
}

// ChecksAPI is what the check run needs.
type ChecksAPI interface {
	CreateCheckRun(ctx context.Context, owner, repo string, opts gh.CreateCheckRunOptions) (*gh.CheckRun, *gh.Response, error)
	UpdateCheckRun(ctx context.Context, owner, repo string, id int64, opts gh.UpdateCheckRunOptions) (*gh.CheckRun, *gh.Response, error)
}

// UsersAPI identifies the token's account.
type UsersAPI interface {
	Get(ctx context.Context, user string) (*gh.User, *gh.Response, error)
}

// RawAPI builds and sends a request through go-github; Do with an
// io.Writer copies the response body into it as it arrives, which is how
// a diff is read as a stream (GetRaw returns it whole, as a string).
type RawAPI interface {
	NewRequest(method, urlStr string, body any, opts ...gh.RequestOption) (*http.Request, error)
	Do(ctx context.Context, req *http.Request, v any) (*gh.Response, error)
}

// API bundles the services; FromClient fills it from a go-github client.
type API struct {
	Pulls  PullsAPI
	Issues IssuesAPI
	Repos  ReposAPI
	Checks ChecksAPI
	Users  UsersAPI
	Raw    RawAPI
}

// FromClient returns the services of c.
func FromClient(c *gh.Client) API {
	return API{Pulls: c.PullRequests, Issues: c.Issues, Repos: c.Repositories, Checks: c.Checks, Users: c.Users, Raw: c}
}

// NewClient returns a go-github client for apiURL (GITHUB_API_URL, such as
// https://api.github.com or https://ghe.example.com/api/v3) sending token.
// Its requests are retried as the transport type documents: rate limits
// are waited out within the context's deadline, and hc.Timeout (else
// DefaultTimeout) becomes the deadline of each attempt, response headers
// and body, rather than of the whole call with its waits. hc is not
// modified.
func NewClient(hc *http.Client, apiURL, token, userAgent string) (*gh.Client, error) {
	var timeout time.Duration
	if hc != nil {
		timeout = hc.Timeout
	}
	return newClient(hc, apiURL, token, userAgent, defaultRetry(timeout))
}

func newClient(hc *http.Client, apiURL, token, userAgent string, ro retryOptions) (*gh.Client, error) {
	u, err := url.Parse(strings.TrimSuffix(apiURL, "/") + "/")
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("GITHUB_API_URL: must be an absolute http(s) URL without credentials, such as https://api.github.com")
	}
	var c http.Client
	if hc != nil {
		c = *hc
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport, c.Timeout = &transport{base: base, opts: ro}, 0
	client := gh.NewClient(&c).WithAuthToken(token)
	client.BaseURL, client.UploadURL = u, u
	client.UserAgent = userAgent
	return client, nil
}

// PR names one pull request.
type PR struct {
	Owner, Repo string
	Number      int
}

// statusOf returns the HTTP status of a go-github error, 0 when there is none.
func statusOf(err error) int {
	var er *gh.ErrorResponse
	var rl *gh.RateLimitError
	var ab *gh.AbuseRateLimitError
	var wait *RateLimitedError
	switch {
	case errors.As(err, &wait):
		return wait.StatusCode
	case errors.As(err, &rl):
		return rl.Response.StatusCode
	case errors.As(err, &ab):
		return ab.Response.StatusCode
	case errors.As(err, &er) && er.Response != nil:
		return er.Response.StatusCode
	}
	return 0
}

// hint says what to fix for a GitHub API error, or "".
func hint(err error) string {
	var rl *gh.RateLimitError
	var ab *gh.AbuseRateLimitError
	var wait *RateLimitedError
	switch {
	case errors.As(err, &rl), errors.As(err, &ab), errors.As(err, &wait), statusOf(err) == http.StatusTooManyRequests:
		return "GitHub's rate limit is exhausted; re-run the job later (the next run continues where this one stopped)"
	case statusOf(err) == http.StatusUnauthorized:
		return "pass the workflow token: with: github_token: ${{ github.token }} (or a token with pull-requests: write)"
	case statusOf(err) == http.StatusForbidden:
		return "give the job permissions: contents: read, pull-requests: write (and checks: write for the check run); " +
			"pull requests from forks get a read-only token on pull_request events"
	}
	return ""
}

// sameCommit reports whether two hashes name the same commit (one a prefix
// of the other, at least 7 characters).
func sameCommit(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	return len(a) >= 7 && strings.HasPrefix(b, a)
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
