package bbapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRetryStatuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		method    string
		statuses  []int // answered in order; the last one repeats
		wantCalls int
		wantCode  int // 0: success
	}{
		{name: "GET 429 then 200", method: "GET", statuses: []int{429, 200}, wantCalls: 2},
		{name: "GET 503x3 then 200", method: "GET", statuses: []int{503, 503, 503, 200}, wantCalls: 4},
		{name: "GET 500 502 504 then 200", method: "GET", statuses: []int{500, 502, 504, 200}, wantCalls: 4},
		{name: "GET 503 forever", method: "GET", statuses: []int{503}, wantCalls: 4, wantCode: 503},
		{name: "PUT 502 then 200", method: "PUT", statuses: []int{502, 200}, wantCalls: 2},
		{name: "DELETE 504 then 204", method: "DELETE", statuses: []int{504, 204}, wantCalls: 2},
		// A 429 was not processed, so every method is retried (req 35).
		{name: "POST 429 then 201", method: "POST", statuses: []int{429, 201}, wantCalls: 2},
		{name: "POST 429x3 then 201", method: "POST", statuses: []int{429, 429, 429, 201}, wantCalls: 4},
		{name: "POST 429 forever", method: "POST", statuses: []int{429}, wantCalls: 4, wantCode: 429},
		{name: "PUT 429 then 200", method: "PUT", statuses: []int{429, 200}, wantCalls: 2},
		{name: "DELETE 429 then 204", method: "DELETE", statuses: []int{429, 204}, wantCalls: 2},
		// Anything else may have been applied: POST is not repeated.
		{name: "POST 503 not retried", method: "POST", statuses: []int{503, 201}, wantCalls: 1, wantCode: 503},
		{name: "POST 502 not retried", method: "POST", statuses: []int{502, 201}, wantCalls: 1, wantCode: 502},
		{name: "GET 400", method: "GET", statuses: []int{400, 200}, wantCalls: 1, wantCode: 400},
		{name: "GET 401", method: "GET", statuses: []int{401, 200}, wantCalls: 1, wantCode: 401},
		{name: "GET 403", method: "GET", statuses: []int{403, 200}, wantCalls: 1, wantCode: 403},
		{name: "GET 404", method: "GET", statuses: []int{404, 200}, wantCalls: 1, wantCode: 404},
		{name: "PUT 409", method: "PUT", statuses: []int{409, 200}, wantCalls: 1, wantCode: 409},
		{name: "GET 555", method: "GET", statuses: []int{555, 200}, wantCalls: 1, wantCode: 555},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var calls atomic.Int32
			mux.HandleFunc("/thing", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, tt.method)
				n := int(calls.Add(1))
				if r.Method == http.MethodPut || r.Method == http.MethodPost {
					testJSONBody(t, r, `{"content":{"raw":"same body every time"}}`)
				}
				code := tt.statuses[min(n, len(tt.statuses))-1]
				writeJSON(w, code, `{"type":"error","error":{"message":"status `+http.StatusText(code)+`"}}`)
			})
			var body any
			if tt.method == http.MethodPut || tt.method == http.MethodPost {
				body = &NewComment{Content: Content{Raw: "same body every time"}}
			}
			req, err := c.NewRequest(t.Context(), tt.method, "thing", body)
			require.NoError(t, err)
			resp, err := c.Do(req, nil)
			assert.Equal(t, tt.wantCalls, int(calls.Load()))
			if tt.wantCode == 0 {
				require.NoError(t, err)
				return
			}
			var er *ErrorResponse
			require.ErrorAs(t, err, &er)
			assert.Equal(t, tt.wantCode, er.StatusCode)
			assert.Equal(t, tt.wantCode, resp.StatusCode)
			if tt.wantCode == 429 {
				var rl *RateLimitError
				assert.ErrorAs(t, err, &rl)
			}
			if tt.wantCalls > 1 {
				assert.Contains(t, err.Error(), "after 4 attempts")
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		retryAfter string
		deadline   time.Duration // 0: none
		maxDelay   time.Duration
		wantCalls  int
		wantMin    time.Duration
		wantCause  string
	}{
		{name: "beyond deadline", retryAfter: "3600", deadline: 2 * time.Second, maxDelay: 2 * time.Hour,
			wantCalls: 1, wantCause: "retry would exceed deadline: the next attempt is due in 1h0m0s"},
		{name: "beyond max delay", retryAfter: "3600", maxDelay: 20 * time.Second,
			wantCalls: 1, wantCause: "more than the 20s maximum delay"},
		{name: "http date beyond deadline", retryAfter: time.Now().Add(time.Hour).UTC().Format(http.TimeFormat),
			deadline: 2 * time.Second, maxDelay: 2 * time.Hour, wantCalls: 1, wantCause: "retry would exceed deadline"},
		{name: "honoured", retryAfter: "1", maxDelay: 5 * time.Second, wantCalls: 2, wantMin: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t, WithRetry(4, time.Millisecond, tt.maxDelay))
			var calls atomic.Int32
			mux.HandleFunc("/user", func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) > 1 {
					writeJSON(w, 200, `{"uuid":"{u}"}`)
					return
				}
				w.Header().Set("Retry-After", tt.retryAfter)
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = io.WriteString(w, "Rate limit for this resource has been exceeded")
			})
			ctx := t.Context()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			start := time.Now()
			_, _, err := c.CurrentUser(ctx)
			elapsed := time.Since(start)
			assert.Equal(t, tt.wantCalls, int(calls.Load()))
			if tt.wantCause == "" {
				require.NoError(t, err)
				assert.GreaterOrEqual(t, elapsed, tt.wantMin)
				return
			}
			assert.Less(t, elapsed, 500*time.Millisecond, "must not sleep toward the deadline")
			require.ErrorIs(t, err, ErrRetryExceedsDeadline)
			assert.Contains(t, err.Error(), tt.wantCause)
			assert.Contains(t, err.Error(), "Rate limit for this resource has been exceeded")
			var rl *RateLimitError
			require.ErrorAs(t, err, &rl)
			assert.Greater(t, rl.RetryAfter, 59*time.Minute)
			assert.Equal(t, 429, rl.StatusCode)
		})
	}
}

func TestRetryTransportErrors(t *testing.T) {
	t.Parallel()
	t.Run("connection closed, GET retried", func(t *testing.T) {
		t.Parallel()
		c, mux, _ := setup(t)
		var calls atomic.Int32
		mux.HandleFunc("/user", func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				hijackClose(t, w)
				return
			}
			writeJSON(w, 200, `{"uuid":"{u}"}`)
		})
		u, _, err := c.CurrentUser(t.Context())
		require.NoError(t, err)
		assert.Equal(t, "{u}", u.UUID)
		assert.Equal(t, int32(2), calls.Load())
	})
	t.Run("connection closed, POST not retried", func(t *testing.T) {
		t.Parallel()
		c, mux, _ := setup(t)
		var calls atomic.Int32
		mux.HandleFunc("/repositories/ws/repo/pullrequests/1/comments", func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			hijackClose(t, w)
		})
		_, resp, err := c.CreatePullRequestComment(t.Context(), "ws", "repo", 1, &NewComment{Content: Content{Raw: "x"}})
		require.Error(t, err)
		assert.Nil(t, resp)
		assert.Equal(t, int32(1), calls.Load())
	})
	t.Run("one attempt times out", func(t *testing.T) {
		t.Parallel()
		c, mux, _ := setup(t, WithHTTPClient(&http.Client{Timeout: 100 * time.Millisecond}))
		var calls atomic.Int32
		mux.HandleFunc("/user", func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				select {
				case <-r.Context().Done():
				case <-time.After(2 * time.Second):
				}
				return
			}
			writeJSON(w, 200, `{"uuid":"{u}"}`)
		})
		_, _, err := c.CurrentUser(t.Context())
		require.NoError(t, err)
		assert.Equal(t, int32(2), calls.Load())
	})
	t.Run("context cancelled is not retried", func(t *testing.T) {
		t.Parallel()
		c, mux, _ := setup(t)
		ctx, cancel := context.WithCancel(t.Context())
		var calls atomic.Int32
		mux.HandleFunc("/user", func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			cancel()
			<-r.Context().Done()
		})
		_, _, err := c.CurrentUser(ctx)
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, int32(1), calls.Load())
	})
}

func hijackClose(t *testing.T, w http.ResponseWriter) {
	t.Helper()
	conn, _, err := http.NewResponseController(w).Hijack()
	require.NoError(t, err)
	_ = conn.Close()
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	p := retryPolicy{maxAttempts: 10, baseDelay: 100 * time.Millisecond, maxDelay: time.Second}
	for attempt, ceiling := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond,
		3: 400 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 60: time.Second} {
		for range 50 {
			d := p.backoff(attempt)
			assert.GreaterOrEqual(t, d, time.Duration(0))
			assert.Less(t, d, ceiling, "attempt %d", attempt)
		}
	}
	assert.Zero(t, retryPolicy{baseDelay: 0, maxDelay: 0}.backoff(3))
}

func TestRetryableErr(t *testing.T) {
	t.Parallel()
	assert.True(t, retryableErr(io.ErrUnexpectedEOF))
	assert.False(t, retryableErr(errors.New("x509: certificate signed by unknown authority")))
	assert.False(t, retryableErr(context.Canceled))
}

// A rate limit on a redirect's target (the pull request's diff redirects
// to the repository's) is retried at the target: going through the
// redirect again spends a request of the window each time, and when every
// second request is refused it never reaches the diff.
func TestRetryAtTheRedirectTarget(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithAccessToken(canaryToken))
	var mu sync.Mutex
	var seen []string
	answer := func(w http.ResponseWriter, r *http.Request, ok func()) {
		mu.Lock()
		seen = append(seen, r.URL.Path)
		n := len(seen)
		mu.Unlock()
		if n%2 == 0 {
			writeJSON(w, http.StatusTooManyRequests, `{"type":"error","error":{"message":"Rate limit for this resource has been exceeded"}}`)
			return
		}
		ok()
	}
	mux.HandleFunc("/repositories/ws/repo/pullrequests/1/diff", func(w http.ResponseWriter, r *http.Request) {
		answer(w, r, func() {
			http.Redirect(w, r, apiPrefix+"/repositories/ws/repo/diff/ws/repo:aaa%0Dbbb", http.StatusFound)
		})
	})
	mux.HandleFunc("/repositories/ws/repo/diff/", func(w http.ResponseWriter, r *http.Request) {
		testHeader(t, r, "Authorization", "Bearer "+canaryToken)
		answer(w, r, func() { _, _ = w.Write([]byte("diff body")) })
	})
	var buf bytes.Buffer
	_, err := c.GetPullRequestDiff(t.Context(), "ws", "repo", 1, &buf)
	require.NoError(t, err)
	assert.Equal(t, "diff body", buf.String())
	assert.Equal(t, []string{"/repositories/ws/repo/pullrequests/1/diff", "/repositories/ws/repo/diff/ws/repo:aaa\rbbb", "/repositories/ws/repo/diff/ws/repo:aaa\rbbb"}, seen)
}
