package benchharness

import (
	"context"
	"time"

	"github.com/bitreview/bitreview/internal/relayload"
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

// RunRelay sends n distinct signed "@bitreview review" comment deliveries
// with the given concurrency to a relay on a loopback port, its trigger
// side stubbed: the load generator relay/load_test.go also runs
// (internal/relayload). It stops after n deliveries or when ctx ends,
// whichever is first.
func RunRelay(ctx context.Context, n, concurrency int) (RelayResult, error) {
	r, err := relayload.Run(ctx, n, concurrency)
	if err != nil {
		return RelayResult{}, err
	}
	return RelayResult{Deliveries: r.Deliveries, Elapsed: r.Elapsed, PerSecond: r.PerSecond,
		P50: r.P50, P99: r.P99, Max: r.Max, Non202: r.Non202, Started: r.Stats.Started}, nil
}
