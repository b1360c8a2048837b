package relay_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/internal/relayload"
)

// A small run in every test pass keeps the load generator honest: every
// delivery is answered 202 and starts exactly one (stubbed) pipeline.
func TestLoopbackLoadSmall(t *testing.T) {
	t.Parallel()
	res, err := relayload.Run(t.Context(), 400, 16)
	require.NoError(t, err)
	t.Log(res)
	require.Zero(t, res.Non202)
	require.Equal(t, int64(400), res.Stats.Accepted)
	require.Equal(t, int64(400), res.Stats.Started)
}

// BenchmarkRelayLoopback is the bounded load test of targets.md (≥ 2,000
// signed deliveries/s, p99 < 50 ms on 2 cores): 20,000 distinct signed
// deliveries, concurrency 32, trigger side stubbed. It stops by itself;
// run it once:
//
//	go test -run '^$' -bench RelayLoopback -benchtime 1x ./relay/
func BenchmarkRelayLoopback(b *testing.B) {
	for b.Loop() {
		res, err := relayload.Run(b.Context(), 20000, 32)
		if err != nil {
			b.Fatal(err)
		}
		b.Log(res)
		if res.Non202 != 0 || res.Stats.Started != 20000 {
			b.Fatalf("not every delivery was accepted and started: %s, %+v", res, res.Stats)
		}
		b.ReportMetric(res.PerSecond, "deliveries/s")
		b.ReportMetric(float64(res.P99.Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(res.P50.Microseconds())/1000, "p50-ms")
	}
}
