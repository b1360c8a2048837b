// Package relayload is the relay's bounded load generator, written once
// for the relay's own test and benchmark (relay/load_test.go) and for the
// bench harness (cmd/bitreview-bench): it serves a relay on a loopback
// port, its trigger side stubbed, sends it distinct signed "@bitreview
// review" comment deliveries with a given concurrency, and measures each
// request's latency as the client sees it.
package relayload

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bitreview/bitreview/relay"
)

// Bot identity and secret of the relay under load.
const (
	Secret       = "load-secret"
	BotUUID      = "{b07b07b0-0000-4000-8000-00000000b07b}"
	BotAccountID = "557058:b07b07b0-bot"
)

// Result is one bounded load run.
type Result struct {
	Deliveries int
	BodyBytes  int // size of one delivery's body
	Elapsed    time.Duration
	PerSecond  float64
	P50, P99   time.Duration
	Max        time.Duration
	Non202     int         // deliveries not answered 202 (or not answered)
	Stats      relay.Stats // the relay's counters after the run
}

func (r Result) String() string {
	return fmt.Sprintf("%d signed deliveries (%d B each) in %s: %.0f/s, p50 %s, p99 %s, max %s, non-202 %d",
		r.Deliveries, r.BodyBytes, r.Elapsed.Round(time.Millisecond), r.PerSecond,
		r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Max.Round(10*time.Microsecond), r.Non202)
}

type stubStarter struct{}

func (stubStarter) StartPipeline(context.Context, relay.Trigger) (relay.Started, error) {
	return relay.Started{}, nil
}

// Run sends n (at least 1) distinct signed deliveries with the given
// concurrency to a fresh relay and shuts it down. It stops early, with an
// error, when ctx ends.
func Run(ctx context.Context, n, concurrency int) (Result, error) {
	if n < 1 || concurrency < 1 {
		return Result{}, fmt.Errorf("relayload: need n >= 1 and concurrency >= 1, got %d and %d", n, concurrency)
	}
	r, err := relay.New(relay.Options{Secret: []byte(Secret), Starter: stubStarter{},
		BotUUID: BotUUID, BotAccountID: BotAccountID, DedupeSize: n + 16,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}) // the log line is part of the cost
	if err != nil {
		return Result{}, fmt.Errorf("relay: %w", err)
	}
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	bodies := make([][]byte, n)
	sigs := make([]string, n)
	for i := range n {
		if bodies[i], err = json.Marshal(commentEvent(i+1, 1+i%50)); err != nil {
			return Result{}, err
		}
		sigs[i] = relay.Sign([]byte(Secret), bodies[i])
	}
	lat, non202, elapsed := send(ctx, srv.URL+"/webhook", bodies, sigs, concurrency)
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.Shutdown(sctx); err != nil {
		return Result{}, fmt.Errorf("relay shutdown: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("relay load cut short: %w", err)
	}
	slices.Sort(lat)
	return Result{Deliveries: n, BodyBytes: len(bodies[0]), Elapsed: elapsed, PerSecond: float64(n) / elapsed.Seconds(),
		P50: lat[n/2], P99: lat[n*99/100], Max: lat[n-1], Non202: non202, Stats: r.Stats()}, nil
}

// send posts every body from concurrency workers and returns each
// request's latency, the count of answers other than 202, and the wall
// time.
func send(ctx context.Context, url string, bodies [][]byte, sigs []string, concurrency int) ([]time.Duration, int, time.Duration) {
	tr := &http.Transport{MaxIdleConns: concurrency, MaxIdleConnsPerHost: concurrency}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	n := len(bodies)
	lat := make([]time.Duration, n)
	var next, non202 atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range concurrency {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(bodies[i]))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(relay.EventKeyHeader, relay.EventCommentCreated)
				req.Header.Set(relay.SignatureHeader, sigs[i])
				req.Header.Set(relay.RequestUUIDHeader, fmt.Sprintf("req-%d", i))
				req.Header.Set(relay.AttemptHeader, "1")
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				lat[i] = time.Since(t0)
				if err != nil || resp.StatusCode != http.StatusAccepted {
					non202.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return lat, int(non202.Load()), time.Since(start)
}

// commentEvent is a minimal pullrequest:comment_created payload by a
// person mentioning the bot.
func commentEvent(id, pr int) map[string]any {
	user := map[string]any{"type": "user", "uuid": "{0a11ce00-0000-4000-8000-0000000a11ce}",
		"account_id": "557058:0a11ce00", "display_name": "Alice Example", "nickname": "alice"}
	repo := map[string]any{"type": "repository", "full_name": "acme/shop", "name": "shop",
		"uuid": "{00000001-0000-4000-8000-000000000000}", "workspace": map[string]any{"type": "workspace", "slug": "acme", "name": "acme"}}
	end := func(branch, commit string) map[string]any {
		return map[string]any{"branch": map[string]any{"name": branch}, "commit": map[string]any{"hash": commit}, "repository": repo}
	}
	return map[string]any{
		"actor": user, "repository": repo,
		"pullrequest": map[string]any{"type": "pullrequest", "id": pr, "title": "Load", "state": "OPEN", "author": user, "draft": false,
			"source": end("feature/load", "5f1c0ffee0dd"), "destination": end("main", "0123456789ab")},
		"comment": map[string]any{"type": "pullrequest_comment", "id": id, "user": user, "deleted": false, "pending": false,
			"content": map[string]any{"type": "rendered", "raw": "@bitreview review", "markup": "markdown"}},
	}
}
