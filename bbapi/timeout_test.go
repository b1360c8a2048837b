package bbapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// trickle answers status with body one byte per interval, until the client
// leaves.
func trickle(w http.ResponseWriter, r *http.Request, status int, body string, interval time.Duration) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	for i := range len(body) {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(interval):
		}
		_, _ = w.Write([]byte{body[i]})
		_ = rc.Flush()
	}
}

// stall never answers. It reads the request body first, so that the
// server notices when the client goes away.
func stall(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

// TestRequestTimeout is issue 15 item 7 and requirement 33: each attempt's
// deadline covers the response headers and the whole body read, also a body
// streamed into an io.Writer; an attempt that used it up is not repeated,
// so a stalled server costs one deadline, not one per attempt.
func TestRequestTimeout(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	tests := []struct {
		name    string
		path    string
		handler func(w http.ResponseWriter, r *http.Request)
		call    func(c *Client, ctx context.Context, w *bytes.Buffer) error
	}{
		{
			name: "stalled headers", path: "/user", handler: stall,
			call: func(c *Client, ctx context.Context, _ *bytes.Buffer) error {
				_, _, err := c.CurrentUser(ctx)
				return err
			},
		},
		{
			name: "trickled JSON body", path: "/user",
			handler: func(w http.ResponseWriter, r *http.Request) {
				trickle(w, r, 200, `{"uuid":"{u}","display_name":"a slow answer"}`, 50*time.Millisecond)
			},
			call: func(c *Client, ctx context.Context, _ *bytes.Buffer) error {
				_, _, err := c.CurrentUser(ctx)
				return err
			},
		},
		{
			name: "trickled diff into a writer", path: "/repositories/ws/repo/diff/abc",
			handler: func(w http.ResponseWriter, r *http.Request) {
				trickle(w, r, 200, "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n", 50*time.Millisecond)
			},
			call: func(c *Client, ctx context.Context, w *bytes.Buffer) error {
				_, err := c.GetDiff(ctx, "ws", "repo", "abc", nil, w)
				return err
			},
		},
		{
			name: "stalled POST", path: "/repositories/ws/repo/pullrequests/1/comments", handler: stall,
			call: func(c *Client, ctx context.Context, _ *bytes.Buffer) error {
				_, _, err := c.CreatePullRequestComment(ctx, "ws", "repo", 1, &NewComment{Content: Content{Raw: "x"}})
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t, WithTimeout(timeout))
			var calls atomic.Int32
			mux.HandleFunc(tt.path, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				tt.handler(w, r)
			})
			var w bytes.Buffer
			start := time.Now()
			err := tt.call(c, t.Context(), &w)
			elapsed := time.Since(start)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrTimeout)
			assert.Contains(t, err.Error(), "no complete answer within the 300ms request deadline")
			assert.GreaterOrEqual(t, elapsed, timeout)
			assert.Less(t, elapsed, 2*timeout, "one deadline, not one per attempt")
			assert.Equal(t, int32(1), calls.Load(), "an attempt that used up its deadline is not repeated")
			var ne interface{ Timeout() bool }
			require.True(t, errors.As(err, &ne) && ne.Timeout(), "callers can tell a timeout")
		})
	}
}

// TestRequestTimeoutHealthyCall: the deadline is per attempt, and a body
// read in time is not cut; the next call gets a fresh deadline.
func TestRequestTimeoutHealthyCall(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithTimeout(500*time.Millisecond))
	var calls atomic.Int32
	mux.HandleFunc("/user", func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			writeJSON(w, 503, `{"type":"error","error":{"message":"busy"}}`)
		default:
			trickle(w, r, 200, `{"uuid":"{u}"}`, 20*time.Millisecond)
		}
	})
	for range 2 {
		u, _, err := c.CurrentUser(t.Context())
		require.NoError(t, err)
		assert.Equal(t, "{u}", u.UUID)
	}
	assert.Equal(t, int32(3), calls.Load())
}

func TestWithTimeoutValidates(t *testing.T) {
	t.Parallel()
	_, err := NewClient("", WithTimeout(0))
	require.Error(t, err)
	_, err = NewClient("", WithTimeout(-time.Second))
	require.Error(t, err)
	assert.Equal(t, 60*time.Second, DefaultTimeout)
}

// TestRetryNeverSleepsPastTheDeadline is requirement 21: a 429 without
// Retry-After on a write is retried with backoff, but a wait that would
// pass the context's deadline is not taken; the error says why.
func TestRetryNeverSleepsPastTheDeadline(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithRetry(4, 100*time.Hour, 200*time.Hour))
	var calls atomic.Int32
	mux.HandleFunc("/repositories/ws/repo/pullrequests/1/comments", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte("Rate limit for this resource has been exceeded"))
	})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, _, err := c.CreatePullRequestComment(ctx, "ws", "repo", 1, &NewComment{Content: Content{Raw: "x"}})
	assert.Less(t, time.Since(start), time.Second)
	require.ErrorIs(t, err, ErrRetryExceedsDeadline)
	var rl *RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.True(t, strings.Contains(err.Error(), "only") && strings.Contains(err.Error(), "is left"), err.Error())
	assert.Equal(t, int32(1), calls.Load())
}
