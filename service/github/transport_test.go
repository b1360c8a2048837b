package github

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gh "github.com/google/go-github/v60/github"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/internal/retry"
	"github.com/bitreview/bitreview/service/github/ghtest"
)

// TestTransportRetries is issue 17: GitHub's rate limits and transient
// answers are retried below go-github, POST included when GitHub did not
// process it, and never a POST or PATCH that may have been applied.
func TestTransportRetries(t *testing.T) {
	t.Parallel()
	get := func(ctx context.Context, api API) error {
		_, err := fetchPullRequest(ctx, api.Pulls, testPR)
		return err
	}
	post := func(ctx context.Context, api API) error {
		_, _, err := api.Issues.CreateComment(ctx, "acme", "shop", 7, &gh.IssueComment{Body: gh.String("the whole body")})
		return err
	}
	patch := func(ctx context.Context, api API) error {
		_, _, err := api.Issues.EditComment(ctx, "acme", "shop", 1001, &gh.IssueComment{Body: gh.String("edited")})
		return err
	}
	tests := []struct {
		name      string
		call      func(context.Context, API) error
		fault     ghtest.Fault
		wantCalls int // requests that reached the fake
		wantCode  int // 0: success
		minWait   time.Duration
	}{
		{name: "GET 429 with Retry-After", call: get, wantCalls: 2, minWait: time.Second,
			fault: ghtest.Fault{Status: 429, RetryAfter: "1"}},
		{name: "GET 429 bare: backoff", call: get, wantCalls: 2,
			fault: ghtest.Fault{Status: 429}},
		{name: "GET 403 primary limit: wait for the reset", call: get, wantCalls: 2,
			fault: ghtest.Fault{Status: 403, ResetIn: time.Second}},
		{name: "POST 429 was not processed: retried", call: post, wantCalls: 2,
			fault: ghtest.Fault{Status: 429, ResetIn: time.Second}},
		{name: "POST 403 primary limit: retried", call: post, wantCalls: 2,
			fault: ghtest.Fault{Status: 403, ResetIn: time.Second}},
		{name: "POST 403 secondary limit: retried after Retry-After", call: post, wantCalls: 2, minWait: time.Second,
			fault: ghtest.Fault{Status: 403, RetryAfter: "1", Secondary: true}},
		{name: "GET 502 retried", call: get, wantCalls: 2, fault: ghtest.Fault{Status: 502}},
		{name: "GET 503 retried", call: get, wantCalls: 2, fault: ghtest.Fault{Status: 503}},
		{name: "GET 504 retried", call: get, wantCalls: 2, fault: ghtest.Fault{Status: 504}},
		{name: "GET 500 not retried", call: get, wantCalls: 1, wantCode: 500, fault: ghtest.Fault{Status: 500}},
		{name: "POST 502 may have been applied: not retried", call: post, wantCalls: 1, wantCode: 502,
			fault: ghtest.Fault{Status: 502}},
		{name: "PATCH 503 not retried", call: patch, wantCalls: 1, wantCode: 503, fault: ghtest.Fault{Status: 503}},
		{name: "GET 403 permissions: not retried", call: get, wantCalls: 1, wantCode: 403,
			fault: ghtest.Fault{Status: 403}},
		{name: "GET 503 forever: four attempts", call: get, wantCalls: 4, wantCode: 503,
			fault: ghtest.Fault{Status: 503, Times: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, api, _ := newFake(t)
			s.AddIssueComment(ghtest.ActionsBot, "mine") // id 1001, for PATCH
			s.Fault(tt.fault)
			start := time.Now()
			err := tt.call(t.Context(), api)
			assert.Len(t, s.Requests(), tt.wantCalls, "%v", s.Requests())
			if tt.wantCode != 0 {
				require.Error(t, err)
				assert.Equal(t, tt.wantCode, statusOf(err), "%v", err)
				return
			}
			require.NoError(t, err)
			assert.GreaterOrEqual(t, time.Since(start), tt.minWait)
			if strings.HasPrefix(tt.name, "POST") {
				var bodies []string
				for _, c := range s.IssueComments() {
					bodies = append(bodies, c.Body)
				}
				assert.Equal(t, []string{"mine", "the whole body"}, bodies, "posted once, with the whole body")
			}
		})
	}
}

// A rate limit that lifts after the context's deadline (or after the
// longest wait) fails the request at once, naming when it lifts.
func TestTransportRateLimitPastTheDeadline(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		fault    ghtest.Fault
		deadline time.Duration // 0: none
		lifts    time.Duration
		want     string
	}{
		{name: "primary reset past the deadline", fault: ghtest.Fault{Status: 403, ResetIn: 10 * time.Minute}, deadline: 2 * time.Second,
			lifts: 10 * time.Minute, want: "but only"},
		{name: "primary reset past the longest wait", fault: ghtest.Fault{Status: 403, ResetIn: time.Hour},
			lifts: time.Hour, want: "more than the 15m0s maximum delay"},
		{name: "429 Retry-After past the deadline", fault: ghtest.Fault{Status: 429, RetryAfter: "600"}, deadline: 2 * time.Second,
			lifts: 10 * time.Minute, want: "the next attempt is due in 10m0s"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, api, _ := newFake(t)
			s.Fault(tt.fault)
			ctx := t.Context()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			start := time.Now()
			_, err := fetchPullRequest(ctx, api.Pulls, testPR)
			assert.Less(t, time.Since(start), time.Second, "no sleep toward the deadline")
			require.Error(t, err)
			var rl *RateLimitedError
			require.ErrorAs(t, err, &rl)
			require.ErrorIs(t, err, retry.ErrExceedsDeadline)
			assert.Equal(t, tt.fault.Status, statusOf(err))
			assert.Contains(t, hint(err), "rate limit")
			assert.Contains(t, err.Error(), "it lifts at "+rl.Reset.UTC().Format("2006-01-02 15:04"))
			assert.Contains(t, err.Error(), tt.want)
			assert.WithinDuration(t, time.Now().Add(tt.lifts), rl.Reset, 2*time.Second)
			assert.Len(t, s.Requests(), 1)
		})
	}
}

// GitHub answers the last request of a window with a 200 and
// X-RateLimit-Remaining: 0; go-github would then refuse every call locally
// until the reset. The next call must reach GitHub, be refused, and be
// retried after the reset.
func TestTransportSpentWindowDoesNotStopTheClient(t *testing.T) {
	t.Parallel()
	s, api, _ := newFake(t)
	s.Fault(ghtest.Fault{Method: "GET", ResetIn: time.Second})
	s.Fault(ghtest.Fault{Method: "POST", Status: 403, ResetIn: time.Second})
	_, err := fetchPullRequest(t.Context(), api.Pulls, testPR)
	require.NoError(t, err)
	_, _, err = api.Issues.CreateComment(t.Context(), "acme", "shop", 7, &gh.IssueComment{Body: gh.String("after the reset")})
	require.NoError(t, err)
	assert.Len(t, s.IssueComments(), 1)
	assert.Equal(t, 2, s.Faulted())
}

// The client's Timeout bounds each attempt, headers and body, not the
// call with its waits: a 429 asking for a wait longer than the Timeout is
// still waited out, and an answer that stalls past it ends the attempt
// with an error that names the deadline, without a second attempt.
func TestTransportTimeoutIsPerAttempt(t *testing.T) {
	t.Parallel()
	s, _, _ := newFake(t)
	s.Fault(ghtest.Fault{Method: "GET", Status: 429, RetryAfter: "1"})
	c, err := NewClient(&http.Client{Timeout: 500 * time.Millisecond}, s.URL, "ghs_x", "bitreview/test")
	require.NoError(t, err)
	_, err = fetchPullRequest(t.Context(), FromClient(c).Pulls, testPR)
	require.NoError(t, err)

	var calls atomic.Int32
	stall := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"number":`))
		http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer stall.Close()
	c, err = NewClient(&http.Client{Timeout: 300 * time.Millisecond}, stall.URL, "ghs_x", "bitreview/test")
	require.NoError(t, err)
	start := time.Now()
	_, err = fetchPullRequest(t.Context(), FromClient(c).Pulls, testPR)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Contains(t, err.Error(), "within the 300ms request deadline")
	var te interface{ Timeout() bool }
	assert.True(t, errors.As(err, &te) && te.Timeout())
	assert.Equal(t, int32(1), calls.Load(), "a stalled attempt is not repeated")
}
