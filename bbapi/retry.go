package bbapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/bitreview/bitreview/internal/retry"
)

// ErrRetryExceedsDeadline is the cause joined to an error when a retry was
// due but waiting for it would pass the context's deadline (or, for a
// server-sent Retry-After, the maximum delay). The original error is kept:
// errors.As still finds the *ErrorResponse or *RateLimitError. It is the
// sentinel every retrying client of bitreview shares (internal/retry).
var ErrRetryExceedsDeadline = retry.ErrExceedsDeadline

type retryPolicy struct {
	maxAttempts int
	baseDelay   time.Duration
	maxDelay    time.Duration
}

func defaultRetryPolicy() retryPolicy {
	return retryPolicy{maxAttempts: 4, baseDelay: 500 * time.Millisecond, maxDelay: 20 * time.Second}
}

// WithRetry sets the retry policy: at most maxAttempts attempts per call
// (1 disables retries), with exponential backoff from baseDelay capped at
// maxDelay and full jitter. Default: 4 attempts, 500ms, 20s.
//
// A 429 is retried for every method, POST included: Bitbucket did not
// process a request it refused for its rate limit (and sends no
// Retry-After, hence the backoff). GET, HEAD, PUT and DELETE are also
// retried on 500, 502, 503 and 504 and on transport errors such as a reset
// connection. POST is not retried on those: a POST that failed that way may
// still have been applied, so the caller must re-list before sending it
// again. An attempt that ran out its own deadline (ErrTimeout) is not
// retried. A Retry-After header is honoured when present; if the wait it
// asks for is longer than maxDelay, or any wait would pass the context's
// deadline, the call fails at once with ErrRetryExceedsDeadline as a cause.
func WithRetry(maxAttempts int, baseDelay, maxDelay time.Duration) Option {
	return func(c *Client) error {
		if maxAttempts < 1 || baseDelay < 0 || maxDelay < baseDelay {
			return errors.New("bbapi: WithRetry: need maxAttempts >= 1 and 0 <= baseDelay <= maxDelay")
		}
		c.retry = retryPolicy{maxAttempts: maxAttempts, baseDelay: baseDelay, maxDelay: maxDelay}
		return nil
	}
}

// schedule is the shared mechanics with this policy's numbers: full
// jitter from baseDelay, capped at maxDelay, which also bounds a server's
// Retry-After.
func (p retryPolicy) schedule() retry.Policy {
	return retry.Policy{
		Backoff:        retry.Backoff{Base: p.baseDelay, Cap: p.maxDelay, Jitter: retry.FullJitter},
		MaxServerDelay: p.maxDelay,
	}
}

// backoff returns the full-jitter delay before attempt+1.
func (p retryPolicy) backoff(attempt int) time.Duration {
	return p.schedule().Delay(attempt)
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// retryableStatus reports whether an answer with this status is worth
// another attempt of a method: a 429 always (the request was not
// processed), a 5xx that is usually transient only for idempotent methods.
func retryableStatus(method string, code int) bool {
	switch code {
	case http.StatusTooManyRequests:
		return true
	case http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return idempotent(method)
	}
	return false
}

// retryableErr reports whether a transport error is worth another attempt.
func retryableErr(err error) bool { return retry.Transient(err) }

// retryAfter parses a Retry-After header (seconds or an HTTP date).
func retryAfter(h http.Header) (time.Duration, bool) {
	return retry.ParseRetryAfter(h.Get("Retry-After"), time.Now())
}

// send performs the attempts. It returns the final response (unchecked),
// or a transport error, or both when a retryable response could not be
// retried in time (the error is then already built from the response).
func (c *Client) send(req *http.Request, cl call) (*http.Response, int, error) {
	ctx := req.Context()
	getBody, err := retry.Rewinder(req)
	if err != nil {
		return nil, 0, fmt.Errorf("bbapi: %w", err)
	}
	sched := c.retry.schedule()
	attempts := c.retry.maxAttempts
	target := req // what the next attempt asks for
	for attempt := 1; ; attempt++ {
		actx, cancel := c.attemptContext(ctx)
		r := target.Clone(actx)
		if getBody != nil {
			if r.Body, err = getBody(); err != nil {
				cancel()
				return nil, attempt, fmt.Errorf("bbapi: rewind request body: %w", err)
			}
		}
		resp, err := c.httpClient.Do(r)
		if err != nil {
			cancel()
			if ctx.Err() != nil || errors.Is(err, ErrTimeout) || attempt >= attempts ||
				!idempotent(req.Method) || !retryableErr(err) {
				return nil, attempt, err
			}
			delay, cause := sched.Wait(ctx, attempt, 0, false)
			if cause != nil {
				return nil, attempt, fmt.Errorf("%w; %w", err, cause)
			}
			if err := sleep(ctx, delay, err); err != nil {
				return nil, attempt, err
			}
			continue
		}
		resp.Body = &attemptBody{ReadCloser: resp.Body, cancel: cancel}
		if attempt >= attempts || !retryableStatus(req.Method, resp.StatusCode) {
			return resp, attempt, nil
		}
		server, fromServer := retryAfter(resp.Header)
		target = retryTarget(req, resp)
		orig := resp.Body
		apiErr := c.annotate(CheckResponse(resp), cl, attempt)
		_, _ = io.Copy(io.Discard, io.LimitReader(orig, maxErrorBody))
		_ = orig.Close()
		delay, cause := sched.Wait(ctx, attempt, server, fromServer)
		if cause != nil {
			return resp, attempt, fmt.Errorf("%w; %w", apiErr, cause)
		}
		if err := sleep(ctx, delay, apiErr); err != nil {
			return nil, attempt, err
		}
	}
}

// retryTarget is what the attempt after resp asks for: the target of a
// redirect that a GET or HEAD followed on the same origin (the pull
// request's diff redirects to the repository's), else req again. Going
// through the redirect again would spend a request of the rate-limit
// window on each retry, and when every second request is refused it would
// never reach the target.
func retryTarget(req *http.Request, resp *http.Response) *http.Request {
	final := resp.Request
	if final == nil || final.URL == nil || (req.Method != http.MethodGet && req.Method != http.MethodHead) ||
		final.URL.String() == req.URL.String() || originOf(final.URL) != originOf(req.URL) {
		return req
	}
	next := req.Clone(req.Context())
	u := *final.URL
	next.URL, next.Host = &u, u.Host
	return next
}

// sleep waits d, or until ctx ends; then the error keeps lastErr (the
// failure that caused the retry) and ctx's error.
func sleep(ctx context.Context, d time.Duration, lastErr error) error {
	if err := retry.Sleep(ctx, d); err != nil {
		return fmt.Errorf("%w; retry abandoned: %w", lastErr, err)
	}
	return nil
}
