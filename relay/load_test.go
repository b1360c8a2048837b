package relay

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// loadResult is one bounded load run against a relay on loopback.
type loadResult struct {
	n          int
	elapsed    time.Duration
	p50, p99   time.Duration
	max        time.Duration
	non202     int
	bodyBytes  int
	throughput float64 // deliveries per second
}

func (r loadResult) String() string {
	return fmt.Sprintf("%d signed deliveries (%d B each) in %s: %.0f/s, p50 %s, p99 %s, max %s, non-202 %d",
		r.n, r.bodyBytes, r.elapsed.Round(time.Millisecond), r.throughput,
		r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.max.Round(10*time.Microsecond), r.non202)
}

// runLoad sends n distinct signed comment deliveries with the given
// concurrency to a relay served over loopback TCP, its trigger side
// stubbed, and measures each request's latency as the client sees it.
func runLoad(t testing.TB, n, concurrency int) (loadResult, Stats) {
	t.Helper()
	st := &starter{fn: func(context.Context, int, Trigger) (Started, error) { return Started{}, nil }}
	r, err := New(Options{
		Secret: []byte(testSecret), Starter: st, BotUUID: botUUID, BotAccountID: botAccount,
		DedupeSize: n + 16,
		Logger:     slog.New(slog.NewJSONHandler(io.Discard, nil)), // the log line is part of the cost
	})
	require.NoError(t, err)
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	tr := &http.Transport{MaxIdleConns: concurrency, MaxIdleConnsPerHost: concurrency}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	bodies := make([][]byte, n)
	sigs := make([]string, n)
	for i := range n {
		bodies[i] = mustJSON(t, commentEvent(i+1, "@bitreview review", alice(), prSpec{id: 1 + i%50}))
		sigs[i] = Sign([]byte(testSecret), bodies[i])
	}
	lat := make([]time.Duration, n)
	var next, non202 atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range concurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhook", bytes.NewReader(bodies[i]))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(EventKeyHeader, EventCommentCreated)
				req.Header.Set(SignatureHeader, sigs[i])
				req.Header.Set(RequestUUIDHeader, fmt.Sprintf("req-%d", i))
				req.Header.Set(AttemptHeader, "1")
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
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, r.Shutdown(ctx))
	slices.Sort(lat)
	res := loadResult{
		n: n, elapsed: elapsed, p50: lat[n/2], p99: lat[(n*99)/100], max: lat[n-1],
		non202: int(non202.Load()), bodyBytes: len(bodies[0]), throughput: float64(n) / elapsed.Seconds(),
	}
	return res, r.Stats()
}

// A small run in every test pass keeps the harness honest: every delivery
// is answered 202 and starts exactly one (stubbed) pipeline.
func TestLoopbackLoadSmall(t *testing.T) {
	t.Parallel()
	res, stats := runLoad(t, 400, 16)
	t.Log(res)
	require.Zero(t, res.non202)
	require.Equal(t, int64(400), stats.Accepted)
	require.Equal(t, int64(400), stats.Started)
}

// BenchmarkRelayLoopback is the bounded load test of targets.md (≥ 2,000
// signed deliveries/s, p99 < 50 ms on 2 cores): 20,000 distinct signed
// deliveries, concurrency 32, trigger side stubbed. It stops by itself;
// run it once:
//
//	go test -run '^$' -bench RelayLoopback -benchtime 1x ./relay/
func BenchmarkRelayLoopback(b *testing.B) {
	for b.Loop() {
		res, stats := runLoad(b, 20000, 32)
		b.Log(res)
		if res.non202 != 0 || stats.Started != 20000 {
			b.Fatalf("not every delivery was accepted and started: %s, %+v", res, stats)
		}
		b.ReportMetric(res.throughput, "deliveries/s")
		b.ReportMetric(float64(res.p99.Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(res.p50.Microseconds())/1000, "p50-ms")
	}
}
