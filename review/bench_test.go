package review

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/internal/synth"
)

// latencyModel answers after a fixed delay with no findings, counting the
// prompt tokens it was sent.
type latencyModel struct {
	delay  time.Duration
	calls  atomic.Int64
	tokens atomic.Int64
}

func (m *latencyModel) Generate(ctx context.Context, req Request) (*Response, error) {
	m.calls.Add(1)
	m.tokens.Add(int64(EstimateTokens(req.System + req.Prompt)))
	if m.delay > 0 {
		select {
		case <-time.After(m.delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if req.SchemaName == WalkthroughSchemaName {
		return &Response{Text: `{"summary":"s","files":[]}`, Model: "bench"}, nil
	}
	return &Response{Text: `{"findings":[]}`, Model: "bench"}, nil
}

func parseSynth(b *testing.B, o synth.Options) (*diffparse.Diff, int) {
	b.Helper()
	raw := synth.Diff(o)
	d, err := diffparse.Parse(raw)
	if err != nil {
		b.Fatal(err)
	}
	return d, len(raw)
}

// BenchmarkEngineOverhead measures everything but waiting for the model on
// a 2,000-file / 100,000-changed-line PR (target: under 2 s, 300 MB).
func BenchmarkEngineOverhead(b *testing.B) {
	o := synth.Options{Files: 2000, HunksPerFile: 5, LinesPerHunk: 10, Context: 3, Seed: 7}
	raw := synth.Diff(o)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		d, err := diffparse.Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		m := &latencyModel{}
		if _, err := New(m, Options{MaxFiles: 5000, MaxInputTokens: 10_000_000}).Review(b.Context(), testPR, d); err != nil {
			b.Fatal(err)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapSys)
	}
	b.ReportMetric(float64(peak)/(1<<20), "heap-MB")
}

// BenchmarkConcurrency compares wall time with the ideal ceil(N/C) ×
// latency for N batches at concurrency C (target: within 1.1×).
func BenchmarkConcurrency(b *testing.B) {
	const latency = 100 * time.Millisecond
	for _, c := range []int{1, 4, 8} {
		b.Run(fmt.Sprintf("C=%d", c), func(b *testing.B) {
			d, _ := parseSynth(b, synth.Options{Files: 16, HunksPerFile: 2, LinesPerHunk: 8, Context: 3, Seed: 3})
			var ratio float64
			for b.Loop() {
				m := &latencyModel{delay: latency}
				start := time.Now()
				// One file per batch: a budget just over one file's cost.
				if _, err := New(m, Options{BatchTokens: 450, Concurrency: c, NoWalkthrough: true}).Review(b.Context(), testPR, d); err != nil {
					b.Fatal(err)
				}
				n := int(m.calls.Load())
				ideal := time.Duration((n+c-1)/c) * latency
				ratio = float64(time.Since(start)) / float64(ideal)
				b.ReportMetric(float64(n), "batches")
			}
			b.ReportMetric(ratio, "wall/ideal")
		})
	}
}

// BenchmarkPromptOverhead reports prompt tokens sent per token of diff,
// both passes included, for a small and a large PR.
func BenchmarkPromptOverhead(b *testing.B) {
	for _, tc := range []struct {
		name string
		o    synth.Options
	}{
		{"small-5-files", synth.Options{Files: 5, HunksPerFile: 2, LinesPerHunk: 6, Context: 3, Seed: 1}},
		{"large-400-files", synth.Options{Files: 400, HunksPerFile: 4, LinesPerHunk: 8, Context: 3, Seed: 2}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			raw := synth.Diff(tc.o)
			d, err := diffparse.Parse(raw)
			if err != nil {
				b.Fatal(err)
			}
			var m *latencyModel
			for b.Loop() {
				m = &latencyModel{}
				if _, err := New(m, Options{MaxFiles: 1000}).Review(b.Context(), testPR, d); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(m.tokens.Load())/float64(EstimateTokens(string(raw))), "prompt/diff")
			b.ReportMetric(float64(m.calls.Load()), "calls")
		})
	}
}
