// Command bitreview-bench runs the benchmark scenarios of
// internal/benchharness against the real bitreview binary, a fake Bitbucket
// and a stub LLM, and writes results.json, results.md and SVG charts.
//
//	go run ./cmd/bitreview-bench -scenarios all -runs 3 -out docs/bench
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/bitreview/bitreview/internal/benchharness"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bitreview-bench:", err)
		os.Exit(1)
	}
}

func run() error {
	scenarios := flag.String("scenarios", "all", `comma-separated scenarios (small, typical, wide, incremental, chat, large, scale-1/2/4/8, relay), or "all"`)
	relayN := flag.Int("relay-deliveries", 20000, "signed deliveries in the relay scenario")
	relayC := flag.Int("relay-concurrency", 32, "concurrent senders in the relay scenario")
	runs := flag.Int("runs", 3, "runs per scenario (medians are reported)")
	largeRuns := flag.Int("large-runs", 1, "runs of the large scenario")
	latency := flag.Duration("latency", 500*time.Millisecond, "stub LLM latency per call")
	jitter := flag.Duration("jitter", 100*time.Millisecond, "uniform ± jitter on the latency")
	errRate := flag.Float64("error-rate", 0, "share of LLM calls answered 500")
	conc := flag.Int("concurrency", 4, "LLM_CONCURRENCY for the pipe")
	out := flag.String("out", "docs/bench", "directory for results.json, results.md and the SVG charts")
	bin := flag.String("bin", "", "bitreview binary (built from this module when empty)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	list, withRelay := splitRelay(*scenarios)
	var scs []benchharness.Scenario
	if list != "" {
		var err error
		if scs, err = benchharness.Select(list); err != nil {
			return err
		}
	}
	if *bin == "" {
		tmp, err := os.MkdirTemp("", "bitreview-bench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		if *bin, err = benchharness.Build(ctx, ".", tmp); err != nil {
			return err
		}
	}
	cfg := benchharness.Config{Bin: *bin, Concurrency: *conc, LLM: benchharness.LLMProfile{
		Latency: *latency, Jitter: *jitter, ErrorRate: *errRate, Seed: 1}}

	all := map[string][]benchharness.Result{}
	var medians []benchharness.Result
	for _, sc := range scs {
		n := *runs
		if sc.Name == "large" {
			n = *largeRuns
		}
		for i := range n {
			r, err := benchharness.Run(ctx, cfg, sc)
			if err != nil {
				return fmt.Errorf("%s run %d: %w", sc.Name, i+1, err)
			}
			fmt.Fprintf(os.Stderr, "%s #%d: wall %s, not-LLM %s, rss %d KiB, %d LLM calls in %d round(s)\n",
				sc.Name, i+1, r.Wall.Round(time.Millisecond), r.NonLLM.Round(time.Millisecond), r.PeakRSSKiB, r.LLMCalls, r.Rounds)
			all[sc.Name] = append(all[sc.Name], r)
		}
		medians = append(medians, benchharness.Median(all[sc.Name]))
	}
	var rr *benchharness.RelayResult
	if withRelay {
		rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		r, err := benchharness.RunRelay(rctx, *relayN, *relayC)
		cancel()
		if err != nil {
			return err
		}
		rr = &r
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	js, err := json.MarshalIndent(map[string]any{"config": cfg, "runs": all, "medians": medians, "relay": rr}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "results.json"), js, 0o644); err != nil {
		return err
	}
	var md strings.Builder
	fmt.Fprintf(&md, "LLM latency %s ± %s, error rate %.0f%%, LLM_CONCURRENCY=%d, %d run(s) per scenario (large: %d)\n\n",
		*latency, *jitter, 100**errRate, *conc, *runs, *largeRuns)
	benchharness.WriteTable(&md, medians)
	if rr != nil {
		fmt.Fprintf(&md, "\nrelay: %d signed deliveries, concurrency %d, in %s: %.0f/s, p50 %s, p99 %s, max %s, non-202 %d, pipelines started %d\n",
			rr.Deliveries, *relayC, rr.Elapsed.Round(time.Millisecond), rr.PerSecond, rr.P50.Round(10*time.Microsecond),
			rr.P99.Round(10*time.Microsecond), rr.Max.Round(10*time.Microsecond), rr.Non202, rr.Started)
	}
	if err := os.WriteFile(filepath.Join(*out, "results.md"), []byte(md.String()), 0o644); err != nil {
		return err
	}
	fmt.Print(md.String())
	if len(medians) == 0 {
		return nil
	}
	return benchharness.WriteCharts(*out, medians)
}

// splitRelay takes "relay" out of the scenario list: it is not a pipe run.
func splitRelay(list string) (rest string, relay bool) {
	if list == "all" {
		return "all", true
	}
	var keep []string
	for _, s := range strings.Split(list, ",") {
		if strings.TrimSpace(s) == "relay" {
			relay = true
			continue
		}
		keep = append(keep, s)
	}
	return strings.Join(keep, ","), relay
}
