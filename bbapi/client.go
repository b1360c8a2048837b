// Package bbapi is a small client for the Bitbucket Cloud REST API 2.0.
//
// It covers what bitreview needs: the pull request, its diff, file
// contents, the current user and pull-request comments. Credentials are
// added by an http.RoundTripper and only to requests for the base URL's
// origin, so redirects and `next` links to other hosts never carry them.
// Failures come back as *ErrorResponse or *RateLimitError, with the scopes
// the call needs and a hint for fixing the credentials. Every attempt of a
// call has a deadline that covers the response headers and the whole body
// (WithTimeout, ErrTimeout).
//
// The package does no logging and has no package-level mutable state.
package bbapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is the Bitbucket Cloud REST API 2.0 root.
const DefaultBaseURL = "https://api.bitbucket.org/2.0"

const (
	defaultUserAgent = "bitreview-bbapi"
	// maxJSONBody bounds a JSON response read into memory.
	maxJSONBody = 32 << 20
)

// Client talks to the Bitbucket Cloud REST API. It is safe for concurrent
// use. Create it with NewClient.
type Client struct {
	baseURL    *url.URL // absolute, path ends in "/"
	userAgent  string
	httpClient *http.Client // the caller's client (copied) with auth wrapped around its transport
	auth       string       // the Authorization header value, "" for anonymous
	secrets    []string     // values that must never appear in an error message
	retry      retryPolicy
	timeout    time.Duration // deadline of one attempt: headers and body
	userHC     *http.Client
}

// Option configures a Client. Options validate their arguments; NewClient
// returns the first error.
type Option func(*Client) error

// Response wraps the HTTP response of an API call.
type Response struct {
	*http.Response

	// Next is the `next` URL of a paginated response, "" on the last page
	// and for responses that are not pages.
	Next string
}

// NewClient returns a client for baseURL ("" means DefaultBaseURL). The
// URL must be an absolute http or https URL without user info, query or
// fragment. NewClient does no I/O.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	u, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{baseURL: u, userAgent: defaultUserAgent, retry: defaultRetryPolicy(), timeout: DefaultTimeout}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	c.httpClient = c.buildHTTPClient()
	return c, nil
}

// parseBaseURL validates the base URL without echoing it in errors, since
// a malformed one may carry a password.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("bbapi: invalid base URL: %w", err)
	}
	switch {
	case u.User != nil:
		return nil, errors.New("bbapi: base URL must not contain user info; pass credentials as options")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, errors.New("bbapi: base URL must be an absolute http or https URL")
	case u.Host == "" || u.Opaque != "":
		return nil, errors.New("bbapi: base URL has no host")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, errors.New("bbapi: base URL must not have a query or fragment")
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	return u, nil
}

// WithHTTPClient sets the HTTP client to use. The client is copied; its
// transport is wrapped, not modified. Its own timeouts apply on top of the
// deadline of each attempt (WithTimeout). Default: a client on a clone of
// http.DefaultTransport.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("bbapi: WithHTTPClient: nil client")
		}
		c.userHC = hc
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		if ua == "" || strings.ContainsAny(ua, "\r\n") {
			return errors.New("bbapi: WithUserAgent: empty or multi-line user agent")
		}
		c.userAgent = ua
		return nil
	}
}

func (c *Client) buildHTTPClient() *http.Client {
	var hc http.Client
	if c.userHC != nil {
		hc = *c.userHC
	} else {
		hc.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	if c.auth != "" {
		base := hc.Transport
		if base == nil {
			base = http.DefaultTransport
		}
		hc.Transport = &authTransport{base: base, origin: originOf(c.baseURL), header: c.auth}
	}
	return &hc
}

// NewRequest builds a request for path, which is relative to the base URL
// (no leading "/", no scheme or host, no "." or ".." segments) and may
// carry a query. A non-nil body is encoded as JSON without HTML escaping
// and buffered so that the request can be re-sent.
func (c *Client) NewRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	ref, err := url.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("bbapi: invalid request path: %w", err)
	}
	if ref.IsAbs() || ref.Host != "" || strings.HasPrefix(ref.Path, "/") {
		return nil, fmt.Errorf("bbapi: request path %q must be relative to the base URL", path)
	}
	for seg := range strings.SplitSeq(ref.EscapedPath(), "/") {
		if s, err := url.PathUnescape(seg); err != nil || s == ".." || s == "." {
			return nil, fmt.Errorf("bbapi: request path %q has a dot or invalid segment", path)
		}
	}
	u := c.baseURL.ResolveReference(ref)

	var rd io.Reader
	if body != nil {
		buf := new(bytes.Buffer)
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(body); err != nil {
			return nil, fmt.Errorf("bbapi: encode request body: %w", err)
		}
		rd = bytes.NewReader(buf.Bytes()) // sets GetBody, so retries can re-send it
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("bbapi: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	return req, nil
}

// Do sends req, retrying as described on WithRetry, and checks the
// response with CheckResponse. On success the body is copied into v if v
// is an io.Writer, or decoded as JSON into v otherwise (nil v discards
// it). Each attempt, the body read included, has the deadline set by
// WithTimeout. The returned Response is non-nil whenever an HTTP response
// arrived, also on error.
func (c *Client) Do(req *http.Request, v any) (*Response, error) {
	return c.do(req, v, call{})
}

// call describes one endpoint for error reporting.
type call struct {
	scopes []string // API-token scopes the endpoint needs
	diff   bool     // 555 means ErrDiffTooLarge
}

func (c *Client) do(req *http.Request, v any, cl call) (*Response, error) {
	resp, attempts, err := c.send(req, cl)
	if resp == nil {
		return nil, err
	}
	orig := resp.Body
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(orig, maxErrorBody))
		_ = orig.Close()
	}()
	response := &Response{Response: resp}
	if err != nil {
		return response, err
	}
	if err := CheckResponse(resp); err != nil {
		return response, c.annotate(err, cl, attempts)
	}
	return response, decodeBody(response, v)
}

func decodeBody(r *Response, v any) error {
	switch v := v.(type) {
	case nil:
		return nil
	case io.Writer:
		if _, err := io.Copy(v, r.Body); err != nil {
			return fmt.Errorf("bbapi: read response body: %w", err)
		}
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	if err != nil {
		return fmt.Errorf("bbapi: read response body: %w", err)
	}
	if len(data) > maxJSONBody {
		return fmt.Errorf("bbapi: response body exceeds %d bytes", maxJSONBody)
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil
	}
	if data[0] == '{' {
		var env struct {
			Next string `json:"next"`
		}
		if json.Unmarshal(data, &env) == nil {
			r.Next = env.Next
		}
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("bbapi: decode response: %w", err)
	}
	return nil
}

// Int returns a pointer to v, for optional fields such as Inline.To.
func Int(v int) *int { return &v }

// Bool returns a pointer to v, for optional fields such as DiffOptions.Topic.
func Bool(v bool) *bool { return &v }

// repoPath returns "repositories/{workspace}/{repo}" with both escaped as
// path segments (a "{uuid}" workspace becomes "%7Buuid%7D").
func repoPath(workspace, repo string) (string, error) {
	if workspace == "" || repo == "" {
		return "", errors.New("bbapi: workspace and repository must not be empty")
	}
	return "repositories/" + url.PathEscape(workspace) + "/" + url.PathEscape(repo), nil
}

// escapePath escapes each "/"-separated segment of p and keeps the "/".
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
