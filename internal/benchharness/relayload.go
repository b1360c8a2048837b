package benchharness

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

// RelayResult is one bounded load run against the relay on loopback.
type RelayResult struct {
	Deliveries int           `json:"deliveries"`
	Elapsed    time.Duration `json:"elapsed_ns"`
	PerSecond  float64       `json:"per_second"`
	P50        time.Duration `json:"p50_ns"`
	P99        time.Duration `json:"p99_ns"`
	Max        time.Duration `json:"max_ns"`
	Non202     int           `json:"non_202"`
	Started    int64         `json:"started"` // pipelines the (stubbed) starter was asked for
}

type countStarter struct{}

func (countStarter) StartPipeline(context.Context, relay.Trigger) (relay.Started, error) {
	return relay.Started{}, nil
}

const relaySecret = "bench-secret"

// RunRelay sends n distinct signed "@bitreview review" comment deliveries
// with the given concurrency to a relay on a loopback port, its trigger
// side stubbed, as relay/load_test.go does. It stops after n deliveries or
// when ctx ends, whichever is first.
func RunRelay(ctx context.Context, n, concurrency int) (RelayResult, error) {
	r, err := relay.New(relay.Options{Secret: []byte(relaySecret), Starter: countStarter{},
		BotUUID: "{b07b07b0-0000-4000-8000-00000000b07b}", BotAccountID: "557058:b07b07b0-bot",
		DedupeSize: n + 16, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		return RelayResult{}, fmt.Errorf("relay: %w", err)
	}
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	tr := &http.Transport{MaxIdleConns: concurrency, MaxIdleConnsPerHost: concurrency}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	bodies := make([][]byte, n)
	for i := range n {
		if bodies[i], err = json.Marshal(commentEvent(i+1, 1+i%50)); err != nil {
			return RelayResult{}, err
		}
	}
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
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/webhook", bytes.NewReader(bodies[i]))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(relay.EventKeyHeader, relay.EventCommentCreated)
				req.Header.Set(relay.SignatureHeader, relay.Sign([]byte(relaySecret), bodies[i]))
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
	elapsed := time.Since(start)
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.Shutdown(sctx); err != nil {
		return RelayResult{}, fmt.Errorf("relay shutdown: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return RelayResult{}, fmt.Errorf("relay load cut short: %w", err)
	}
	slices.Sort(lat)
	return RelayResult{Deliveries: n, Elapsed: elapsed, PerSecond: float64(n) / elapsed.Seconds(),
		P50: lat[n/2], P99: lat[n*99/100], Max: lat[n-1], Non202: int(non202.Load()), Started: r.Stats().Started}, nil
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
		"pullrequest": map[string]any{"type": "pullrequest", "id": pr, "title": "Bench", "state": "OPEN", "author": user, "draft": false,
			"source": end("feature/bench", "5f1c0ffee0dd"), "destination": end("main", "0123456789ab")},
		"comment": map[string]any{"type": "pullrequest_comment", "id": id, "user": user, "deleted": false, "pending": false,
			"content": map[string]any{"type": "rendered", "raw": "@bitreview review", "markup": "markdown"}},
	}
}
