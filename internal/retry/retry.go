// Package retry holds the mechanics that every retrying client of
// bitreview shares: an exponential backoff schedule with jitter, the
// decision to wait or to give up when the wait would pass the context's
// deadline (or a server asks for more than a cap), a sleep that ends with
// the context, and the parsing of a server-given delay. Each client keeps
// its own policy: which statuses, methods and errors are worth another
// attempt, and how many attempts it makes.
//
// Why not a library: github.com/cenkalti/backoff (v4, v5) owns the retry
// loop and reacts to the context only by sleeping until it ends, reporting
// context.DeadlineExceeded after the fact; it does not refuse up front a
// wait that would pass the deadline, its jitter is a randomization factor
// around the interval rather than full jitter, and a server's Retry-After
// is honoured without a cap. avast/retry-go and sethvargo/go-retry have the
// same shape. Our three clients also hand back different things when they
// stop (a response, an error built from it, or both), which a library loop
// would hide. What they share is small, so it lives here.
//
// The package does no logging and has no package-level mutable state.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// ErrExceedsDeadline is the cause joined to an error when another attempt
// was due but waiting for it would pass the context's deadline, or a
// server asked to wait longer than the caller accepts.
var ErrExceedsDeadline = errors.New("retry would exceed deadline")

// Jitter says how a backoff interval is randomised.
type Jitter int

const (
	// FullJitter waits a uniform random duration in [0, d).
	FullJitter Jitter = iota
	// EqualJitter waits d/2 plus a uniform random duration in [0, d/2].
	EqualJitter
)

// maxInterval bounds an uncapped schedule, so doubling never overflows.
const maxInterval = time.Duration(1) << 62

// Backoff is an exponential schedule: the interval is Base after the first
// attempt and doubles after each further one, up to Cap (0: no cap); the
// wait is the interval randomised by Jitter.
type Backoff struct {
	Base, Cap time.Duration
	Jitter    Jitter
}

// Interval returns the interval, before jitter, after attempt n (1-based)
// failed: min(Cap, Base·2^(n-1)).
func (b Backoff) Interval(n int) time.Duration {
	limit := b.Cap
	if limit <= 0 {
		limit = maxInterval
	}
	d := b.Base
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	return max(min(d, limit), 0)
}

// Delay returns the wait after attempt n (1-based) failed.
func (b Backoff) Delay(n int) time.Duration {
	d := b.Interval(n)
	if d <= 0 {
		return 0
	}
	if b.Jitter == EqualJitter {
		return d/2 + rand.N(d/2+1)
	}
	return rand.N(d)
}

// Policy is a backoff schedule and the longest server-given delay
// accepted.
type Policy struct {
	Backoff
	// MaxServerDelay bounds a delay the server asked for (Retry-After or a
	// rate-limit reset): a longer one is refused. 0 leaves only the
	// context's deadline as the bound.
	MaxServerDelay time.Duration
}

// Wait returns how long to wait after attempt n (1-based) failed: the
// server's delay when fromServer, else the backoff. It returns an error
// wrapping ErrExceedsDeadline, and no wait, when the server's delay is
// over MaxServerDelay or the wait would reach ctx's deadline.
func (p Policy) Wait(ctx context.Context, n int, server time.Duration, fromServer bool) (time.Duration, error) {
	if !fromServer {
		d := p.Delay(n)
		return d, WithinDeadline(ctx, d)
	}
	server = max(server, 0)
	if p.MaxServerDelay > 0 && server > p.MaxServerDelay {
		return 0, fmt.Errorf("%w: the server asked to wait %s, more than the %s maximum delay",
			ErrExceedsDeadline, server.Round(time.Millisecond), p.MaxServerDelay)
	}
	return server, WithinDeadline(ctx, server)
}

// WithinDeadline returns an error wrapping ErrExceedsDeadline when waiting
// d would reach ctx's deadline; a wait that leaves no time for the attempt
// after it is not worth taking.
func WithinDeadline(ctx context.Context, d time.Duration) error {
	dl, ok := ctx.Deadline()
	if !ok {
		return nil
	}
	if left := time.Until(dl); d >= left {
		return fmt.Errorf("%w: the next attempt is due in %s but only %s is left",
			ErrExceedsDeadline, d.Round(time.Millisecond), max(left, 0).Round(time.Millisecond))
	}
	return nil
}

// Sleep waits d, or until ctx ends and then returns ctx's error.
func Sleep(ctx context.Context, d time.Duration) error {
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
