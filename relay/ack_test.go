package relay

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi"
)

// slowPipelines is Bitbucket's pipelines API as both relay instances of a
// test see it: every start takes delay, and a start whose caller gave up
// first never happens.
type slowPipelines struct {
	delay   time.Duration
	mu      sync.Mutex
	started map[int]int // comment id → pipelines started for it
}

func (s *slowPipelines) StartPipeline(ctx context.Context, t Trigger) (Started, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return Started{}, ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.started[t.CommentID]++
	return Started{BuildNumber: t.CommentID}, nil
}

func (s *slowPipelines) snapshot() map[int]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int]int, len(s.started))
	for k, v := range s.started {
		out[k] = v
	}
	return out
}

// post sends one signed delivery as Bitbucket does and reports whether it
// was answered 2xx (Bitbucket's "delivered": it never redelivers those).
func post(client *http.Client, url string, body []byte, requestID string, attempt int) bool {
	req, err := http.NewRequest(http.MethodPost, url+"/webhook", bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set(EventKeyHeader, EventCommentCreated)
	req.Header.Set(SignatureHeader, Sign([]byte(testSecret), body))
	req.Header.Set(RequestUUIDHeader, requestID)
	req.Header.Set(AttemptHeader, fmt.Sprint(attempt))
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode >= 200 && resp.StatusCode < 300
}

// Issue 15, item 13: every delivery answered 2xx starts exactly one
// pipeline, even when the relay is stopped (SIGTERM: the HTTP server shuts
// down, then the relay) in the middle of a burst and a new instance takes
// Bitbucket's redeliveries (up to 2 retries of what got no 2xx).
func TestAcknowledgedMeansStarted(t *testing.T) {
	t.Parallel()
	api := &slowPipelines{delay: 20 * time.Millisecond, started: map[int]int{}}
	instance := func() (*Relay, *httptest.Server) {
		r, err := New(Options{Secret: []byte(testSecret), Starter: api, BotUUID: botUUID, BotAccountID: botAccount,
			TriggerTimeout: time.Second, RetryDelay: time.Millisecond})
		require.NoError(t, err)
		return r, httptest.NewServer(r.Handler())
	}
	const n = 240
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = mustJSON(t, commentEvent(i+1, "@bitreview review", alice(), prSpec{id: 1 + i%7}))
	}
	client := &http.Client{Timeout: 10 * time.Second}

	// First instance: 16 deliveries at a time; SIGTERM after a third.
	r1, s1 := instance()
	acked := make([]atomic.Bool, n)
	var next, answered atomic.Int64
	stopped := make(chan struct{})
	var stopOnce sync.Once
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if post(client, s1.URL, bodies[i], fmt.Sprintf("req-%d", i), 1) {
					acked[i].Store(true)
				}
				if answered.Add(1) == n/3 {
					stopOnce.Do(func() { close(stopped) })
				}
			}
		})
	}
	<-stopped
	hctx, hcancel := context.WithTimeout(context.Background(), 5*time.Second)
	require.NoError(t, s1.Config.Shutdown(hctx), "in-flight requests finish")
	hcancel()
	tctx, tcancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	_ = r1.Shutdown(tctx)
	tcancel()
	wg.Wait()
	s1.Close()

	// A new instance takes Bitbucket's redeliveries.
	r2, s2 := instance()
	defer s2.Close()
	for attempt := 2; attempt <= 3; attempt++ {
		for i := range bodies {
			if !acked[i].Load() && post(client, s2.URL, bodies[i], fmt.Sprintf("req-%d", i), attempt) {
				acked[i].Store(true)
			}
		}
	}
	settle(t, r2)

	started := api.snapshot()
	nAcked := 0
	for i := range bodies {
		if acked[i].Load() {
			nAcked++
			assert.Equal(t, 1, started[i+1], "delivery %d was answered 2xx: exactly one pipeline", i+1)
		} else {
			assert.Zero(t, started[i+1], "delivery %d got no 2xx: no pipeline", i+1)
		}
	}
	assert.Len(t, started, nAcked)
	assert.Equal(t, n, nAcked, "with a healthy pipelines API every delivery is started after redelivery")
	assert.Positive(t, r1.Stats().Accepted)
	assert.Positive(t, r2.Stats().Accepted, "the second instance took redeliveries")
}

// MaxInFlight bounds the starts running at once: one more is answered 503
// at once and not remembered, so Bitbucket's retry is taken.
func TestBusyAnswers503(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	r, st := newRelay(t, func(o *Options) { o.MaxInFlight = 1 })
	st.fn = func(ctx context.Context, n int, tr Trigger) (Started, error) {
		if n == 1 {
			<-release
		}
		return Started{BuildNumber: n}, nil
	}
	first := make(chan int)
	go func() {
		first <- deliver(r.Handler(), EventCommentCreated, mustJSON(t, commentEvent(1, "@bitreview review", alice(), prSpec{})), nil).Code
	}()
	require.Eventually(t, func() bool { return len(st.triggers()) == 1 }, 5*time.Second, time.Millisecond)
	second := mustJSON(t, commentEvent(2, "@bitreview review", alice(), prSpec{}))
	assert.Equal(t, http.StatusServiceUnavailable, deliver(r.Handler(), EventCommentCreated, second, nil).Code, "busy")
	close(release)
	assert.Equal(t, http.StatusAccepted, <-first)
	assert.Equal(t, http.StatusAccepted, deliver(r.Handler(), EventCommentCreated, second, nil).Code, "the retry is taken")
	settle(t, r)
	assert.Len(t, st.triggers(), 2)
}

// A redelivery that arrives while the first delivery of its event is still
// starting the pipeline waits for it: one start, both answered 202.
func TestConcurrentRedeliveryWaitsForTheFirst(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	r, st := newRelay(t)
	st.fn = func(ctx context.Context, n int, tr Trigger) (Started, error) {
		<-release
		return Started{BuildNumber: n}, nil
	}
	body := mustJSON(t, commentEvent(1, "@bitreview review", alice(), prSpec{}))
	codes := make(chan string, 2)
	go func() {
		codes <- deliver(r.Handler(), EventCommentCreated, body, map[string]string{RequestUUIDHeader: "a"}).Body.String()
	}()
	require.Eventually(t, func() bool { return len(st.triggers()) == 1 }, 5*time.Second, time.Millisecond)
	go func() {
		codes <- deliver(r.Handler(), EventCommentCreated, body, map[string]string{RequestUUIDHeader: "b"}).Body.String()
	}()
	time.Sleep(20 * time.Millisecond)
	close(release)
	got := []string{<-codes, <-codes}
	slices.Sort(got)
	assert.Contains(t, got[0], `"accepted"`)
	assert.Contains(t, got[1], `"duplicate"`)
	settle(t, r)
	assert.Len(t, st.triggers(), 1)

	// If the first start fails, the waiting redelivery is answered 503 too
	// (Bitbucket retries it), and the next attempt starts the pipeline.
	r2, st2 := newRelay(t)
	gate := make(chan struct{})
	st2.fn = func(ctx context.Context, n int, tr Trigger) (Started, error) {
		if n == 1 {
			<-gate
			return Started{}, &bbapi.ErrorResponse{StatusCode: 400}
		}
		return Started{BuildNumber: n}, nil
	}
	status := make(chan int, 2)
	go func() { status <- deliver(r2.Handler(), EventCommentCreated, body, nil).Code }()
	require.Eventually(t, func() bool { return len(st2.triggers()) == 1 }, 5*time.Second, time.Millisecond)
	go func() { status <- deliver(r2.Handler(), EventCommentCreated, body, nil).Code }()
	time.Sleep(20 * time.Millisecond)
	close(gate)
	assert.Equal(t, []int{503, 503}, []int{<-status, <-status})
	assert.Equal(t, http.StatusAccepted, deliver(r2.Handler(), EventCommentCreated, body, nil).Code)
	settle(t, r2)
	assert.Len(t, st2.triggers(), 2)
}

// Shutdown lets the starts in flight finish and be answered, then refuses
// new deliveries (503, Bitbucket retries) and reports unhealthy.
func TestShutdownFinishesInFlightAndRefuses(t *testing.T) {
	t.Parallel()
	r, st := newRelay(t)
	started := make(chan struct{})
	st.fn = func(ctx context.Context, n int, tr Trigger) (Started, error) {
		close(started)
		time.Sleep(50 * time.Millisecond)
		return Started{BuildNumber: n}, nil
	}
	code := make(chan int, 1)
	go func() {
		code <- deliver(r.Handler(), EventCommentCreated, mustJSON(t, commentEvent(1, "@bitreview review", alice(), prSpec{})), nil).Code
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, r.Shutdown(ctx))
	assert.Equal(t, http.StatusAccepted, <-code, "the start in flight finished and was acknowledged")
	assert.Equal(t, int64(1), r.Stats().Started)
	rec := deliver(r.Handler(), EventCommentCreated, mustJSON(t, commentEvent(9, "@bitreview review", alice(), prSpec{})), nil)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	hrec := httptest.NewRecorder()
	r.Handler().ServeHTTP(hrec, req)
	assert.Equal(t, http.StatusServiceUnavailable, hrec.Code)
	assert.Len(t, st.triggers(), 1)
}

// When Shutdown's context ends first, the starts in flight are cancelled
// and answered 503: nothing is acknowledged that did not start.
func TestShutdownDeadlineCancelsInFlight(t *testing.T) {
	t.Parallel()
	r, st := newRelay(t)
	st.fn = func(ctx context.Context, n int, tr Trigger) (Started, error) {
		<-ctx.Done()
		return Started{}, ctx.Err()
	}
	codes := make(chan int, 3)
	for i := range 3 {
		go func() {
			codes <- deliver(r.Handler(), EventCommentCreated, mustJSON(t, commentEvent(i+1, "@bitreview review", alice(), prSpec{})), nil).Code
		}()
	}
	require.Eventually(t, func() bool { return len(st.triggers()) == 3 }, 5*time.Second, time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	assert.ErrorIs(t, r.Shutdown(ctx), context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)
	for range 3 {
		assert.Equal(t, http.StatusServiceUnavailable, <-codes)
	}
	assert.Equal(t, int64(3), r.Stats().Failed)
	assert.Zero(t, r.Stats().Accepted)
}
