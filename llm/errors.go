package llm

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// Kind classifies a failed model call.
type Kind int

// Kinds of failure. Retryable: RateLimit, Unavailable, Timeout, Network.
const (
	Unknown       Kind = iota
	RateLimit          // HTTP 429
	Quota              // HTTP 429 saying the account's quota or credit is used up
	Unavailable        // HTTP 5xx, Anthropic 529 "overloaded"
	Timeout            // an attempt or the caller's deadline ran out
	Canceled           // the caller's context was canceled
	Network            // no HTTP answer: DNS, connection refused or reset, TLS
	Auth               // HTTP 401/403: key missing, wrong or not allowed
	NotFound           // HTTP 404: usually an unknown model or deployment
	BadRequest         // other HTTP 4xx, or a request this package refuses to send
	ContextLength      // the prompt does not fit the model's context window
	Truncated          // the answer hit the max-tokens limit and is not valid JSON
	Refused            // the provider's content filter or the model refused
)

var kindNames = [...]string{
	"unknown", "rate limited", "quota exhausted", "provider unavailable", "timeout", "canceled",
	"network error", "authentication failed", "not found", "bad request", "context length exceeded",
	"answer truncated", "refused",
}

func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("kind(%d)", int(k))
	}
	return kindNames[k]
}

// Error is a failed model call. Its text never contains the API key.
type Error struct {
	Provider string
	Model    string
	Status   int  // HTTP status of the last attempt, 0 without one
	Kind     Kind // what went wrong
	// RetryAfter is what the provider asked to wait (Retry-After), 0 if
	// it said nothing.
	RetryAfter time.Duration
	// Attempts counts the HTTP attempts made, retries included.
	Attempts int
	// Err is the cause, already scrubbed of secrets. errors.Is(err,
	// context.DeadlineExceeded / context.Canceled) works through it.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Provider)
	if e.Model != "" {
		b.WriteString(" " + e.Model)
	}
	b.WriteString(": " + e.Kind.String())
	var notes []string
	if e.Status != 0 {
		notes = append(notes, fmt.Sprintf("HTTP %d", e.Status))
	}
	if e.RetryAfter > 0 {
		notes = append(notes, "retry after "+e.RetryAfter.String())
	}
	if e.Attempts > 1 {
		notes = append(notes, fmt.Sprintf("%d attempts", e.Attempts))
	}
	if len(notes) > 0 {
		b.WriteString(" (" + strings.Join(notes, ", ") + ")")
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the scrubbed cause.
func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether the same request may succeed later.
func (e *Error) Retryable() bool {
	switch e.Kind {
	case RateLimit, Unavailable, Timeout, Network:
		return true
	}
	return false
}

// maxErrorText bounds the provider text kept in an error.
const maxErrorText = 600

// scrubbed is an error whose text had secrets removed. It unwraps only to
// a context sentinel, never to the original (unscrubbed) chain.
type scrubbed struct {
	msg   string
	cause error
}

func (s *scrubbed) Error() string { return s.msg }
func (s *scrubbed) Unwrap() error { return s.cause }

// scrub returns err's text without any secret, bounded in length.
func scrub(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := scrubText(err.Error(), secrets)
	if len(msg) > maxErrorText {
		msg = msg[:maxErrorText] + "…"
	}
	var cause error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		cause = context.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		cause = context.Canceled
	}
	return &scrubbed{msg: msg, cause: cause}
}

// scrubText replaces every secret, raw or in a common encoding.
func scrubText(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[REDACTED]")
		}
	}
	return s
}

// secretForms lists key in the forms it could be echoed in.
func secretForms(key string) []string {
	if key == "" {
		return nil
	}
	forms := []string{
		key,
		url.QueryEscape(key),
		url.PathEscape(key),
		base64.StdEncoding.EncodeToString([]byte(key)),
		base64.RawURLEncoding.EncodeToString([]byte(key)),
	}
	// Longest first so a form containing another is replaced whole.
	for i := 1; i < len(forms); i++ {
		for j := i; j > 0 && len(forms[j]) > len(forms[j-1]); j-- {
			forms[j], forms[j-1] = forms[j-1], forms[j]
		}
	}
	return forms
}

// kindForStatus classifies an HTTP status; msg is the provider's text.
func kindForStatus(status int, msg string) Kind {
	low := strings.ToLower(msg)
	switch {
	case status == 429 && (strings.Contains(low, "insufficient_quota") || strings.Contains(low, "exceeded your current quota")):
		return Quota
	case status == 429:
		return RateLimit
	case status == 408:
		return Timeout
	case status == 401 || status == 403:
		return Auth
	case status == 404:
		return NotFound
	case status == 413 || (status >= 400 && status < 500 && isContextLength(low)):
		return ContextLength
	case status >= 400 && status < 500:
		return BadRequest
	case status >= 500:
		return Unavailable
	}
	return Unknown
}

func isCutShort(err error) bool {
	msg := err.Error()
	return errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(msg, "unexpected EOF") ||
		strings.Contains(msg, "connection reset by peer")
}

func isContextLength(low string) bool {
	for _, s := range []string{"context_length_exceeded", "maximum context length", "prompt is too long", "context window", "too many tokens"} {
		if strings.Contains(low, s) {
			return true
		}
	}
	return false
}

func (c *Client) newError(model string, kind Kind, status int, err error) *Error {
	secrets := c.secrets
	if c.bedrock != nil {
		secrets = c.bedrock.secretForms()
	}
	return &Error{Provider: c.s.spec.name, Model: model, Status: status, Kind: kind, Err: scrub(err, secrets)}
}

// ctxError reports the caller's context ending before an attempt.
func (c *Client) ctxError(ctx context.Context, model string, attempts int) *Error {
	kind := Canceled
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		kind = Timeout
	}
	e := c.newError(model, kind, 0, ctx.Err())
	e.Attempts = attempts
	return e
}

// classify turns a failed attempt into an *Error. Timeouts are detected
// through the contexts, never through err: langchaingo's openai client
// replaces context.DeadlineExceeded with a plain string.
func (c *Client) classify(ctx, actx context.Context, rec *attempt, model string, err error) *Error {
	status, retryAfter, transportErr := rec.snapshot()
	var e *Error
	switch {
	case ctx.Err() != nil:
		e = c.ctxError(ctx, model, 0)
		e.Status = status
	case actx.Err() != nil:
		e = c.newError(model, Timeout, status,
			fmt.Errorf("attempt timed out after %s: %w", c.s.timeout, context.DeadlineExceeded))
	case status >= 300 && status < 400:
		e = c.newError(model, BadRequest, status, errors.New(
			"the server answered with a redirect, which is not followed: check the base URL (LLM_BASE_URL)"))
	case status >= 400:
		e = c.newError(model, kindForStatus(status, err.Error()), status, err)
	case errors.As(transportErr, new(*refusedError)):
		e = c.newError(model, BadRequest, 0, transportErr)
	case transportErr != nil:
		e = c.newError(model, Network, 0, transportErr)
	case errors.As(err, new(*refusedError)):
		e = c.newError(model, BadRequest, 0, err)
	case bedrockTruncated(err):
		e = c.newError(model, Truncated, status, err)
	case isCutShort(err):
		// The answer's body broke off mid-way: a network failure.
		e = c.newError(model, Network, status, err)
	default:
		e = c.newError(model, Unknown, status, err)
	}
	e.RetryAfter = retryAfter
	return e
}
