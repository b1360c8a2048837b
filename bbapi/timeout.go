package bbapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// DefaultTimeout is the default deadline of one attempt of a call: the
// response headers and the whole body read, also a body copied into an
// io.Writer such as a diff. A minute is far more than any answer bitreview
// reads takes, a large diff included (Bitbucket answers 555 rather than
// compute a diff for long), and short enough that a server that stalls or
// trickles its answer cannot hold a pipeline step.
const DefaultTimeout = 60 * time.Second

// ErrTimeout is matched (errors.Is) by the error of a call whose attempt got
// no complete answer, headers and body, within the client's deadline
// (WithTimeout). Such an attempt is not repeated: the server stalled for the
// whole deadline, and trying again would multiply the wait. The error also
// reports Timeout() == true.
var ErrTimeout = errors.New("request deadline exceeded")

// WithTimeout sets the deadline of one attempt of a call, covering the
// response headers and the whole body read. Default: DefaultTimeout. The
// call's context may end it sooner.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return errors.New("bbapi: WithTimeout: the deadline must be positive")
		}
		c.timeout = d
		return nil
	}
}

// timeoutError is the cause of an attempt's context ending at its deadline.
type timeoutError struct{ d time.Duration }

func (e *timeoutError) Error() string {
	return fmt.Sprintf("bbapi: no complete answer within the %s request deadline (response headers and body)", e.d)
}

func (e *timeoutError) Is(target error) bool { return target == ErrTimeout }

// Timeout reports true, as net.Error does for a timeout.
func (e *timeoutError) Timeout() bool { return true }

// attemptContext returns the context of one attempt: ctx with the client's
// deadline, whose cause names it.
func (c *Client) attemptContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, c.timeout, &timeoutError{d: c.timeout})
}

// attemptBody ends the attempt's context once the body is closed, so the
// deadline keeps running while the caller reads the body.
type attemptBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *attemptBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
