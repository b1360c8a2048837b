package bbapi

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// DiffOptions are the query parameters of GetDiff. The zero value asks for
// Bitbucket's defaults.
type DiffOptions struct {
	// Context is the number of context lines (default 3); Int(0) asks for none.
	Context *int
	// Paths limits the diff to these files.
	Paths []string
	// IgnoreWhitespace ignores whitespace changes.
	IgnoreWhitespace bool
	// Topic selects the "three-dot" diff against the merge base (true, the
	// server's default) or the plain "two-dot" diff (false).
	Topic *bool
}

func (o *DiffOptions) query() string {
	if o == nil {
		return ""
	}
	q := url.Values{}
	if o.Context != nil {
		q.Set("context", strconv.Itoa(*o.Context))
	}
	for _, p := range o.Paths {
		q.Add("path", p)
	}
	if o.IgnoreWhitespace {
		q.Set("ignore_whitespace", "true")
	}
	if o.Topic != nil {
		q.Set("topic", strconv.FormatBool(*o.Topic))
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// diffCall is the error context of the diff endpoints: 555 means
// ErrDiffTooLarge.
func diffCall(scopes ...string) call { return call{scopes: scopes, diff: true} }

// GetPullRequestDiff writes the pull request's unified diff to w.
// Bitbucket answers with a 302 to the repository-level diff of the source
// and destination commits (…/diff/{srcws}/{slug}:{src}%0D{dst}?from_pullrequest_id={id}&topic=true),
// which is followed with the credentials kept, since it is on the same
// host. A 555 answer matches ErrDiffTooLarge. If copying the body fails
// midway, w may hold part of the diff.
//
// Bitbucket API: GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/diff
// (scope read:pullrequest:bitbucket; the redirect target needs read:repository:bitbucket).
func (c *Client) GetPullRequestDiff(ctx context.Context, workspace, repo string, id int, w io.Writer) (*Response, error) {
	p, err := prPath(workspace, repo, id)
	if err != nil {
		return nil, err
	}
	req, err := c.NewRequest(ctx, http.MethodGet, p+"/diff", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/plain")
	return c.do(req, w, diffCall(scopeReadPR, scopeReadRepo))
}

// GetDiff writes the unified diff for spec to w. spec is unescaped: a
// commit ("3a8b42"), a range ("3a8b42..9ff173", the first commit being the
// one with the changes), or the cross-repository form
// "{workspace}/{repo}:{src}\r{dst}"; "/" in it are kept and every other
// character is escaped. A 555 answer matches ErrDiffTooLarge.
//
// Bitbucket API: GET /repositories/{workspace}/{repo_slug}/diff/{spec}
// (scope read:repository:bitbucket).
func (c *Client) GetDiff(ctx context.Context, workspace, repo, spec string, opts *DiffOptions, w io.Writer) (*Response, error) {
	p, err := repoPath(workspace, repo)
	if err != nil {
		return nil, err
	}
	req, err := c.NewRequest(ctx, http.MethodGet, p+"/diff/"+escapePath(spec)+opts.query(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/plain")
	return c.do(req, w, diffCall(scopeReadRepo))
}
