package retry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBackoffSchedule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		b        Backoff
		n        int
		interval time.Duration
	}{
		{"first", Backoff{Base: 100 * time.Millisecond, Cap: time.Second}, 1, 100 * time.Millisecond},
		{"doubles", Backoff{Base: 100 * time.Millisecond, Cap: time.Second}, 4, 800 * time.Millisecond},
		{"capped", Backoff{Base: 100 * time.Millisecond, Cap: time.Second}, 5, time.Second},
		{"capped far out", Backoff{Base: 100 * time.Millisecond, Cap: time.Second}, 1000, time.Second},
		{"uncapped", Backoff{Base: time.Millisecond}, 11, 1024 * time.Millisecond},
		{"uncapped never overflows", Backoff{Base: time.Hour}, 500, maxInterval},
		{"zero base", Backoff{Cap: time.Second}, 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.interval, tt.b.Interval(tt.n))
			for _, j := range []Jitter{FullJitter, EqualJitter} {
				b := tt.b
				b.Jitter = j
				for range 200 {
					d := b.Delay(tt.n)
					assert.GreaterOrEqual(t, d, time.Duration(0))
					assert.LessOrEqual(t, d, tt.interval)
					if j == FullJitter && tt.interval > 0 {
						assert.Less(t, d, tt.interval, "full jitter is [0, d)")
					}
					if j == EqualJitter {
						assert.GreaterOrEqual(t, d, tt.interval/2, "equal jitter is [d/2, d]")
					}
				}
			}
		})
	}
}

func TestPolicyWait(t *testing.T) {
	t.Parallel()
	p := Policy{Backoff: Backoff{Base: 10 * time.Millisecond, Cap: 20 * time.Millisecond}, MaxServerDelay: time.Minute}
	deadline := func(d time.Duration) context.Context {
		ctx, cancel := context.WithTimeout(t.Context(), d)
		t.Cleanup(cancel)
		return ctx
	}
	tests := []struct {
		name       string
		ctx        context.Context
		p          Policy
		server     time.Duration
		fromServer bool
		want       time.Duration // -1: a backoff within [0, 20ms)
		cause      string
	}{
		{name: "backoff", ctx: t.Context(), p: p, want: -1},
		{name: "server delay honoured", ctx: t.Context(), p: p, server: 30 * time.Second, fromServer: true, want: 30 * time.Second},
		{name: "server delay of zero", ctx: t.Context(), p: p, fromServer: true, want: 0},
		{name: "server delay over the cap", ctx: t.Context(), p: p, server: time.Hour, fromServer: true,
			cause: "the server asked to wait 1h0m0s, more than the 1m0s maximum delay"},
		{name: "no cap: only the deadline", ctx: t.Context(), p: Policy{}, server: time.Hour, fromServer: true, want: time.Hour},
		{name: "server delay past the deadline", ctx: deadline(2 * time.Second), p: p, server: 30 * time.Second, fromServer: true,
			cause: "the next attempt is due in 30s but only"},
		{name: "backoff past the deadline", ctx: deadline(time.Second),
			p: Policy{Backoff: Backoff{Base: time.Hour, Cap: time.Hour}}, cause: "is left"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := tt.p.Wait(tt.ctx, 1, tt.server, tt.fromServer)
			if tt.cause != "" {
				require.ErrorIs(t, err, ErrExceedsDeadline)
				assert.Contains(t, err.Error(), tt.cause)
				return
			}
			require.NoError(t, err)
			if tt.want < 0 {
				assert.Less(t, d, 20*time.Millisecond)
				return
			}
			assert.Equal(t, tt.want, d)
		})
	}
}

func TestSleep(t *testing.T) {
	t.Parallel()
	require.NoError(t, Sleep(t.Context(), time.Millisecond))
	require.NoError(t, Sleep(t.Context(), 0))

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, Sleep(ctx, 0), context.Canceled)
	start := time.Now()
	require.ErrorIs(t, Sleep(ctx, time.Hour), context.Canceled)
	assert.Less(t, time.Since(start), time.Second)
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{" 0 ", 0, true},
		{"99999999999999999999", 0, false}, // not a uint64
		{"9999999999", maxServerSeconds * time.Second, true},
		{now.Add(9 * time.Second).Format(http.TimeFormat), 9 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"-4", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		d, ok := ParseRetryAfter(tt.v, now)
		assert.Equal(t, tt.ok, ok, "%q", tt.v)
		assert.Equal(t, tt.want, d, "%q", tt.v)
	}
}

func TestTransient(t *testing.T) {
	t.Parallel()
	assert.True(t, Transient(io.ErrUnexpectedEOF))
	assert.True(t, Transient(&timeoutErr{}))
	assert.False(t, Transient(errors.New("x509: certificate signed by unknown authority")))
	assert.False(t, Transient(context.Canceled))
}

type timeoutErr struct{}

func (*timeoutErr) Error() string   { return "i/o timeout" }
func (*timeoutErr) Timeout() bool   { return true }
func (*timeoutErr) Temporary() bool { return false }

func TestRewinder(t *testing.T) {
	t.Parallel()
	read := func(get func() (io.ReadCloser, error)) string {
		rc, err := get()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		return string(b)
	}
	req, err := http.NewRequest(http.MethodPost, "http://x/", strings.NewReader("body"))
	require.NoError(t, err)
	get, err := Rewinder(req)
	require.NoError(t, err)
	assert.Equal(t, "body", read(get))
	assert.Equal(t, "body", read(get), "every attempt gets the whole body")

	req.GetBody = nil
	req.Body = io.NopCloser(strings.NewReader("streamed"))
	get, err = Rewinder(req)
	require.NoError(t, err)
	assert.Equal(t, "streamed", read(get))
	assert.Equal(t, "streamed", read(get), "a body without GetBody is buffered")

	req, err = http.NewRequest(http.MethodGet, "http://x/", nil)
	require.NoError(t, err)
	get, err = Rewinder(req)
	require.NoError(t, err)
	assert.Nil(t, get)
}
