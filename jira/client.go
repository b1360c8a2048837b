package jira

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultTimeout bounds one request, headers and body.
const DefaultTimeout = 15 * time.Second

// maxBody bounds a response read into memory.
const maxBody = 4 << 20

// Client talks to one Jira Cloud site. It is safe for concurrent use.
type Client struct {
	base    *url.URL // the site, path ending in "/"
	auth    string   // "Basic …"
	hc      *http.Client
	timeout time.Duration
	ua      string
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (copied; its redirects are never
// followed).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithTimeout sets the deadline of one request (default DefaultTimeout).
func WithTimeout(d time.Duration) Option {
	return func(c *Client) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.ua = ua } }

// NewClient returns a client for the site baseURL (https://acme.atlassian.net)
// that authenticates as email with the API token. The URL must be an
// absolute http(s) URL without user info, query or fragment; which schemes
// and hosts are acceptable is the caller's policy. NewClient does no I/O.
func NewClient(baseURL, email, token string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	switch {
	case err != nil:
		return nil, errors.New("jira: the site URL does not parse")
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
		return nil, errors.New("jira: the site URL must be an absolute https URL")
	case u.User != nil, u.RawQuery != "", u.Fragment != "":
		return nil, errors.New("jira: the site URL must have no credentials, query or fragment")
	case email == "" || token == "":
		return nil, errors.New("jira: an email and an API token are needed")
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	c := &Client{base: u, timeout: DefaultTimeout, ua: "bitreview-jira",
		auth: "Basic " + base64.StdEncoding.EncodeToString([]byte(email+":"+token))}
	for _, o := range opts {
		o(c)
	}
	hc := http.Client{}
	if c.hc != nil {
		hc = *c.hc
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.hc = &hc
	return c, nil
}

// BrowseURL is the web page of issue key.
func (c *Client) BrowseURL(key string) string {
	return c.base.ResolveReference(&url.URL{Path: "browse/" + url.PathEscape(key)}).String()
}

// Issue is an issue as GetIssue reads it.
type Issue struct {
	ID     string `json:"id"`
	Key    string `json:"key"`
	Fields struct {
		Summary string `json:"summary"`
		Status  struct {
			Name string `json:"name"`
		} `json:"status"`
		IssueType struct {
			Name string `json:"name"`
		} `json:"issuetype"`
		// Description is an ADF document (Text renders it).
		Description json.RawMessage `json:"description"`
	} `json:"fields"`
}

// GetIssue reads issue key: its summary, status, type and description.
//
// Jira API: GET /rest/api/3/issue/{issueIdOrKey}?fields=summary,status,issuetype,description
// (Browse projects permission).
func (c *Client) GetIssue(ctx context.Context, key string) (*Issue, error) {
	q := url.Values{"fields": {"summary,status,issuetype,description"}}
	var out Issue
	if err := c.call(ctx, http.MethodGet, "rest/api/3/issue/"+url.PathEscape(key)+"?"+q.Encode(), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// NewIssue is what CreateIssue files.
type NewIssue struct {
	Project     string // project key
	Type        string // issue type name, such as "Task"
	Summary     string // one line, at most 255 characters
	Description Node   // an ADF document (Doc)
}

// Created is the issue CreateIssue filed.
type Created struct {
	ID   string `json:"id"`
	Key  string `json:"key"`
	Self string `json:"self"`
}

// CreateIssue files an issue. A POST is never retried.
//
// Jira API: POST /rest/api/3/issue (Browse projects and Create issues
// permissions).
func (c *Client) CreateIssue(ctx context.Context, in NewIssue) (*Created, error) {
	type named struct {
		Key  string `json:"key,omitempty"`
		Name string `json:"name,omitempty"`
	}
	body := map[string]any{"fields": map[string]any{
		"project": named{Key: in.Project}, "issuetype": named{Name: in.Type},
		"summary": in.Summary, "description": in.Description,
	}}
	var out Created
	if err := c.call(ctx, http.MethodPost, "rest/api/3/issue", body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// call sends one request and decodes a 2xx answer into out.
func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body io.Reader
	if in != nil {
		buf := new(bytes.Buffer)
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(in); err != nil {
			return fmt.Errorf("jira: encode request: %w", err)
		}
		body = buf
	}
	ref, err := url.Parse(path)
	if err != nil {
		return fmt.Errorf("jira: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.ResolveReference(ref).String(), body)
	if err != nil {
		return fmt.Errorf("jira: %w", err)
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.ua)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	op := method + " /" + strings.SplitN(path, "?", 2)[0]
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return &Error{Op: op, Err: ErrTimeout}
		}
		return &Error{Op: op, Err: unwrapURL(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		if ctx.Err() != nil {
			return &Error{Op: op, Err: ErrTimeout}
		}
		return &Error{Op: op, Err: fmt.Errorf("read the answer: %w", unwrapURL(err))}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &Error{Op: op, StatusCode: resp.StatusCode}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &Error{Op: op, Err: errors.New("the answer is not Jira's JSON")}
	}
	return nil
}

// unwrapURL drops *url.Error's wrapping, which repeats the URL.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// ErrTimeout is a request that did not finish within its deadline.
var ErrTimeout = errors.New("timed out")

// Error is a failed call: the HTTP status Jira answered, or Err when no
// answer came. Its text holds neither the token nor Jira's response body.
type Error struct {
	Op         string // "GET /rest/api/3/issue/ABC-1"
	StatusCode int
	Err        error
}

func (e *Error) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("jira: %s: HTTP %d %s", e.Op, e.StatusCode, http.StatusText(e.StatusCode))
	}
	return fmt.Sprintf("jira: %s: %v", e.Op, e.Err)
}

// Unwrap returns the transport error.
func (e *Error) Unwrap() error { return e.Err }

// StatusOf is the HTTP status of a failed call, 0 without one.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}
