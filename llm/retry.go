package llm

import (
	"context"
	"math/rand/v2"
	"time"
)

// Retry policy: exponential backoff with full jitter, base 1s, cap 30s. A
// provider's Retry-After is used as given, but one longer than
// maxRetryAfter ends the call instead of stalling the review.
const (
	backoffBase   = time.Second
	backoffCap    = 30 * time.Second
	maxRetryAfter = 2 * time.Minute
)

// backoff returns the wait before retry number n (1-based): a uniform
// random duration in [0, min(cap, base·2^(n-1))].
func backoff(n int) time.Duration {
	d := backoffCap
	if n < 16 {
		if e := backoffBase << (n - 1); e < backoffCap {
			d = e
		}
	}
	return rand.N(d + 1)
}

// retryWait decides whether to retry after e and how long to wait first.
// It never plans a wait that ends past ctx's deadline.
func retryWait(ctx context.Context, n int, e *Error) (time.Duration, bool) {
	wait := backoff(n)
	if e.RetryAfter > 0 {
		if e.RetryAfter > maxRetryAfter {
			return 0, false
		}
		wait = e.RetryAfter
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Add(wait).Before(dl) {
		return 0, false
	}
	return wait, true
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
