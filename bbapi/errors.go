package bbapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// maxErrorBody bounds how much of an error body is read.
const maxErrorBody = 64 << 10

// ErrDiffTooLarge is matched (errors.Is) by the error of a diff call that
// Bitbucket answered with status 555: the diff was too large to compute in
// time. Retrying does not help; narrow the diff instead.
var ErrDiffTooLarge = errors.New("diff too large for Bitbucket to compute")

// ErrorResponse is the error for any non-2xx response.
type ErrorResponse struct {
	// Response is the HTTP response; its body holds the (at most 64 KiB
	// of) error body that was read, and can be read again.
	Response *http.Response
	// StatusCode is Response.StatusCode.
	StatusCode int
	// Message and Detail come from Bitbucket's error body
	// {"type":"error","error":{"message":…,"detail":…}}, or Message is the
	// first line of a plain-text body.
	Message string
	Detail  string
	// Scopes lists the API-token scopes the call needs, when known.
	Scopes []string
	// Hint says how to fix the failure, for 401, 403, 404 and 429.
	Hint string

	attempts int
	cause    error
}

func (e *ErrorResponse) Error() string {
	var b strings.Builder
	if e.Response != nil && e.Response.Request != nil {
		r := e.Response.Request
		u := *r.URL
		u.User, u.RawQuery, u.Fragment = nil, "", ""
		fmt.Fprintf(&b, "%s %s: ", r.Method, u.String())
	}
	fmt.Fprintf(&b, "%d", e.StatusCode)
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" " + text)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Detail != "" {
		b.WriteString(" (" + e.Detail + ")")
	}
	if e.cause != nil {
		b.WriteString(": " + e.cause.Error())
	}
	if e.attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.attempts)
	}
	return b.String()
}

// Unwrap returns the sentinel the response stands for, such as
// ErrDiffTooLarge, or nil.
func (e *ErrorResponse) Unwrap() error { return e.cause }

// RateLimitError is the error for a 429 response. errors.As also finds its
// *ErrorResponse.
type RateLimitError struct {
	*ErrorResponse
	// RetryAfter is the wait the server asked for; Bitbucket usually sends
	// no Retry-After, and then it is 0.
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string { return "rate limited: " + e.ErrorResponse.Error() }

// Unwrap returns the embedded *ErrorResponse.
func (e *RateLimitError) Unwrap() error { return e.ErrorResponse }

// CheckResponse returns nil for a 2xx response, a *RateLimitError for 429
// and an *ErrorResponse otherwise. It reads at most 64 KiB of the body and
// puts what it read back into r.Body.
func CheckResponse(r *http.Response) error {
	if r.StatusCode >= 200 && r.StatusCode <= 299 {
		return nil
	}
	e := &ErrorResponse{Response: r, StatusCode: r.StatusCode}
	if r.Body != nil {
		data, err := io.ReadAll(io.LimitReader(r.Body, maxErrorBody))
		r.Body = io.NopCloser(bytes.NewReader(data))
		if err == nil {
			e.Message, e.Detail = parseErrorBody(data)
		}
	}
	if r.StatusCode == http.StatusTooManyRequests {
		d, _ := retryAfter(r.Header)
		return &RateLimitError{ErrorResponse: e, RetryAfter: d}
	}
	return e
}

// parseErrorBody extracts Bitbucket's error message, or the first line of
// a plain-text body. HTML pages give nothing.
func parseErrorBody(data []byte) (msg, detail string) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] == '<' {
		return "", ""
	}
	if data[0] == '{' {
		var body struct {
			Error struct {
				Message string          `json:"message"`
				Detail  json.RawMessage `json:"detail"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &body) == nil {
			_ = json.Unmarshal(body.Error.Detail, &detail) // detail is a string in the spec; ignore other shapes
			return clip(body.Error.Message), clip(detail)
		}
		return "", ""
	}
	line, _, _ := strings.Cut(string(data), "\n")
	return clip(line), ""
}

// clip shortens s to at most 500 bytes on a rune boundary.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= 500 {
		return s
	}
	s = s[:500]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// annotate adds what the client knows about the call to an API error: the
// scopes, the hint, the attempt count, the diff sentinel, and it removes
// credentials the server may have echoed back.
func (c *Client) annotate(err error, cl call, attempts int) error {
	var e *ErrorResponse
	if !errors.As(err, &e) {
		return err
	}
	e.Scopes = cl.scopes
	e.attempts = attempts
	e.Message, e.Detail = c.redact(e.Message), c.redact(e.Detail)
	e.Hint = hint(e.StatusCode, cl.scopes, c.auth != "")
	if cl.diff && e.StatusCode == 555 {
		e.cause = ErrDiffTooLarge
	}
	return err
}

// redact removes the client's credentials from s, ignoring case.
func (c *Client) redact(s string) string {
	for _, secret := range c.secrets {
		if secret != "" && s != "" {
			s = regexp.MustCompile("(?i)"+regexp.QuoteMeta(secret)).ReplaceAllLiteralString(s, "[redacted]")
		}
	}
	return s
}

// API-token scopes (x-atlassian-oauth2-scopes in the OpenAPI document).
const (
	scopeReadPR   = "read:pullrequest:bitbucket"
	scopeWritePR  = "write:pullrequest:bitbucket"
	scopeReadRepo = "read:repository:bitbucket"
	scopeReadUser = "read:user:bitbucket"
	// The repository's issue tracker (linked issues, create issue).
	scopeReadIssue  = "read:issue:bitbucket"
	scopeWriteIssue = "write:issue:bitbucket"
)

// accessTokenPermission names the repository/project/workspace access
// token permission that grants a scope, "" if there is none.
func accessTokenPermission(scope string) string {
	switch scope {
	case scopeReadPR:
		return "Pull requests: Read"
	case scopeWritePR:
		return "Pull requests: Write"
	case scopeReadRepo:
		return "Repositories: Read"
	case scopeReadIssue:
		return "Issues: Read"
	case scopeWriteIssue:
		return "Issues: Write"
	}
	return ""
}

// hint says how to fix a failed call.
func hint(status int, scopes []string, authenticated bool) string {
	switch status {
	case http.StatusUnauthorized:
		if !authenticated {
			return "no credentials were sent: configure a Bitbucket access token, or an API token with its Atlassian account email"
		}
		return "Bitbucket rejected the credentials: the token may be expired or revoked, or, for an API token, " +
			"the email may not be the token's Atlassian account email; app passwords stopped working on 2026-07-28, " +
			"so replace one with an API token or an access token"
	case http.StatusForbidden:
		return "the credentials are not allowed to do this: " + needs(scopes) +
			"; the token's user must also have access to the repository"
	case http.StatusNotFound:
		return "check the workspace, repository and ids; Bitbucket also answers 404 when the credentials cannot see the repository (" + needs(scopes) + ")"
	case http.StatusTooManyRequests:
		return "Bitbucket's hourly rate limit is used up: wait for the rolling hour to free up, or use an access token, which has its own allowance"
	}
	return ""
}

// needs renders "this call needs <scopes>; access tokens need the <…> permissions".
func needs(scopes []string) string {
	if len(scopes) == 0 {
		return "check the token's scopes"
	}
	s := "this call needs " + strings.Join(scopes, " and ")
	var perms []string
	for _, sc := range scopes {
		if p := accessTokenPermission(sc); p != "" {
			perms = append(perms, "'"+p+"'")
		}
	}
	switch len(perms) {
	case 0:
	case 1:
		s += "; access tokens need the " + perms[0] + " permission"
	default:
		s += "; access tokens need the " + strings.Join(perms, " and ") + " permissions"
	}
	return s
}
