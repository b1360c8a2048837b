package github

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/bitreview/bitreview/internal/retry"
)

// DefaultTimeout is the deadline of one attempt of a GitHub request when
// the http.Client given to NewClient sets none: the response headers and
// the whole body, a diff included.
const DefaultTimeout = 60 * time.Second

// retryOptions are the GitHub client's retry numbers.
type retryOptions struct {
	attempts int           // attempts per request, the first included
	timeout  time.Duration // deadline of one attempt: headers and body
	sched    retry.Policy
}

// defaultRetry: 4 attempts, a jittered backoff from 500ms to 20s, and a
// rate limit waited for up to 15 minutes (never past the context's
// deadline): GitHub's primary window is an hour, so a later reset is better
// met by a later run than by a runner blocked that long.
func defaultRetry(timeout time.Duration) retryOptions {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return retryOptions{attempts: 4, timeout: timeout, sched: retry.Policy{
		Backoff:        retry.Backoff{Base: 500 * time.Millisecond, Cap: 20 * time.Second, Jitter: retry.FullJitter},
		MaxServerDelay: 15 * time.Minute,
	}}
}

// RateLimitedError is the error (inside go-github's *url.Error) of a
// request GitHub refused for a rate limit when waiting for the limit to
// lift would pass the context's deadline or the longest wait accepted.
type RateLimitedError struct {
	Method, Path string
	StatusCode   int
	// Reset is when GitHub said the limit lifts; zero when it did not say.
	Reset time.Time
	// Cause says why the transport did not wait; it wraps
	// retry.ErrExceedsDeadline.
	Cause error
}

func (e *RateLimitedError) Error() string {
	when := "GitHub did not say when it lifts"
	if !e.Reset.IsZero() {
		when = fmt.Sprintf("it lifts at %s (in %s)", e.Reset.UTC().Format("2006-01-02 15:04:05 MST"),
			max(time.Until(e.Reset), 0).Round(time.Second))
	}
	return fmt.Sprintf("GitHub rate limit (%d) on %s %s: %s; not waiting: %v", e.StatusCode, e.Method, e.Path, when, e.Cause)
}

func (e *RateLimitedError) Unwrap() error { return e.Cause }

// attemptTimeoutError is the cause of an attempt's context ending at its
// own deadline.
type attemptTimeoutError struct{ d time.Duration }

func (e *attemptTimeoutError) Error() string {
	return fmt.Sprintf("no complete answer from GitHub within the %s request deadline (response headers and body)", e.d)
}

// Timeout reports true, as net.Error does for a timeout.
func (e *attemptTimeoutError) Timeout() bool { return true }

// transport retries GitHub requests below go-github, so that go-github
// never sees a rate limit it would then enforce locally until the reset
// (it refuses every later call after a 403 with X-RateLimit-Remaining: 0).
// Policy:
//   - 429, 403 with X-RateLimit-Remaining: 0, and 403 with Retry-After (a
//     secondary limit) are retried for every method, POST included: GitHub
//     did not process a request it refused for its rate limit. The wait is
//     Retry-After, else until X-RateLimit-Reset, else the backoff; a wait
//     past the context's deadline (or MaxServerDelay) is not taken, and the
//     request fails at once with a *RateLimitedError naming the reset.
//   - 502, 503 and 504, and transport errors such as a reset connection,
//     are retried for GET, HEAD, PUT, DELETE and OPTIONS only: a POST or
//     PATCH that failed that way may have been applied, and the publisher
//     looks before it posts again.
//   - An attempt that ran out its own deadline is not repeated.
//
// Every attempt has a deadline covering the headers and the whole body.
type transport struct {
	base http.RoundTripper
	opts retryOptions
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	getBody, err := retry.Rewinder(req)
	if err != nil {
		return nil, fmt.Errorf("github: %w", err)
	}
	if req.Body != nil && req.GetBody != nil {
		_ = req.Body.Close() // each attempt sends a fresh copy
	}
	for attempt := 1; ; attempt++ {
		resp, err := t.once(ctx, req, getBody)
		if err != nil {
			var te *attemptTimeoutError
			if ctx.Err() != nil || errors.As(err, &te) || attempt >= t.opts.attempts ||
				!idempotent(req.Method) || !retry.Transient(err) {
				return nil, err
			}
			delay, cause := t.opts.sched.Wait(ctx, attempt, 0, false)
			if cause != nil {
				return nil, fmt.Errorf("%w; %w", err, cause)
			}
			if serr := retry.Sleep(ctx, delay); serr != nil {
				return nil, fmt.Errorf("%w; retry abandoned: %w", err, serr)
			}
			continue
		}
		limited := rateLimited(resp)
		if !limited && !(idempotent(req.Method) && transientStatus(resp.StatusCode)) {
			return hideSpentWindow(resp), nil
		}
		if attempt >= t.opts.attempts {
			return resp, nil
		}
		server, fromServer, reset := serverDelay(resp.Header, time.Now())
		delay, cause := t.opts.sched.Wait(ctx, attempt, server, fromServer)
		if cause != nil && !limited {
			return resp, nil // go-github reports the 5xx itself
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		_ = resp.Body.Close()
		if cause != nil {
			return nil, &RateLimitedError{Method: req.Method, Path: req.URL.Path, StatusCode: resp.StatusCode, Reset: reset, Cause: cause}
		}
		if err := retry.Sleep(ctx, delay); err != nil {
			return nil, fmt.Errorf("github: %d on %s %s; retry abandoned: %w", resp.StatusCode, req.Method, req.URL.Path, err)
		}
	}
}

// once sends one attempt under its own deadline, which keeps running while
// the caller reads the body.
func (t *transport) once(ctx context.Context, req *http.Request, getBody func() (io.ReadCloser, error)) (*http.Response, error) {
	actx, cancel := context.WithTimeoutCause(ctx, t.opts.timeout, &attemptTimeoutError{d: t.opts.timeout})
	r := req.Clone(actx)
	if getBody != nil {
		body, err := getBody()
		if err != nil {
			cancel()
			return nil, fmt.Errorf("github: rewind request body: %w", err)
		}
		r.Body = body
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		cause := context.Cause(actx)
		cancel()
		var te *attemptTimeoutError
		if ctx.Err() == nil && errors.As(cause, &te) {
			return nil, fmt.Errorf("%w: %v", cause, err)
		}
		return nil, err
	}
	resp.Body = &attemptBody{ReadCloser: resp.Body, ctx: actx, cancel: cancel}
	return resp, nil
}

// attemptBody ends the attempt's context once the body is closed, and
// names the attempt's deadline when a read runs into it.
type attemptBody struct {
	io.ReadCloser
	ctx    context.Context
	cancel context.CancelFunc
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		var te *attemptTimeoutError
		if cause := context.Cause(b.ctx); errors.As(cause, &te) {
			return n, fmt.Errorf("%w: %v", cause, err)
		}
	}
	return n, err
}

func (b *attemptBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

func transientStatus(code int) bool {
	return code == http.StatusBadGateway || code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout
}

// rateLimited reports whether GitHub refused the request for a rate limit
// (and so did not process it): a 429, or a 403 that says the primary limit
// is spent or asks to retry later (a secondary limit). Any other 403 is a
// permission problem.
func rateLimited(resp *http.Response) bool {
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return true
	case http.StatusForbidden:
		return resp.Header.Get("X-RateLimit-Remaining") == "0" || resp.Header.Get("Retry-After") != ""
	}
	return false
}

// serverDelay is the wait GitHub asked for: Retry-After, else until
// X-RateLimit-Reset when the window is spent (fromServer is false when the
// reset has already passed by our clock: then the backoff applies). reset
// is when the limit lifts, zero when unknown.
func serverDelay(h http.Header, now time.Time) (d time.Duration, fromServer bool, reset time.Time) {
	if d, ok := retry.ParseRetryAfter(h.Get("Retry-After"), now); ok {
		return d, true, now.Add(d)
	}
	if h.Get("X-RateLimit-Remaining") != "0" {
		return 0, false, time.Time{}
	}
	sec, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
	if err != nil || sec <= 0 {
		return 0, false, time.Time{}
	}
	reset = time.Unix(sec, 0)
	if d := reset.Sub(now); d > 0 {
		return d, true, reset
	}
	return 0, false, reset
}

// hideSpentWindow drops X-RateLimit-Reset from a successful answer that
// spent the window's last request (X-RateLimit-Remaining: 0). go-github
// would otherwise refuse every later call locally until the reset, so this
// transport could never wait for it: the next request is sent, GitHub
// refuses it with 403 or 429, and the transport waits for the reset then.
func hideSpentWindow(resp *http.Response) *http.Response {
	if resp.StatusCode < 300 && resp.Header.Get("X-RateLimit-Remaining") == "0" {
		resp.Header.Del("X-RateLimit-Reset")
	}
	return resp
}
