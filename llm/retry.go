package llm

import (
	"context"
	"time"

	"github.com/bitreview/bitreview/internal/retry"
)

// Retry policy: exponential backoff with full jitter, base 1s, cap 30s. A
// provider's Retry-After is used as given, but one longer than
// maxRetryAfter ends the call instead of stalling the review.
const (
	backoffBase   = time.Second
	backoffCap    = 30 * time.Second
	maxRetryAfter = 2 * time.Minute
)

// schedule is the shared retry mechanics with the numbers above.
func schedule() retry.Policy {
	return retry.Policy{
		Backoff:        retry.Backoff{Base: backoffBase, Cap: backoffCap, Jitter: retry.FullJitter},
		MaxServerDelay: maxRetryAfter,
	}
}

// backoff returns the wait before retry number n (1-based): a uniform
// random duration in [0, min(cap, base·2^(n-1))).
func backoff(n int) time.Duration { return schedule().Delay(n) }

// retryWait decides whether to retry after e and how long to wait first.
// It never plans a wait that ends past ctx's deadline.
func retryWait(ctx context.Context, n int, e *Error) (time.Duration, bool) {
	wait, err := schedule().Wait(ctx, n, e.RetryAfter, e.RetryAfter > 0)
	return wait, err == nil
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error { return retry.Sleep(ctx, d) }
