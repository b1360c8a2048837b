package benchharness

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `bitreview-bench -scenarios small,incremental,chat` has no scale-N run:
// the charts have no point at all, and a log axis over nothing panicked
// ("Values must be greater than 0 for a log scale").
func TestWriteChartsWithoutScaleScenarios(t *testing.T) {
	dir := t.TempDir()
	ms := []Result{
		{Scenario: "small", ChangedLines: 60, Wall: time.Second, PromptTokens: 900},
		{Scenario: "incremental", ChangedLines: 1440, Wall: 2 * time.Second, PromptTokens: 9000,
			Followup: &Result{Scenario: "incremental (follow-up)", PromptTokens: 300}},
		{Scenario: "chat", ChangedLines: 1440, Wall: time.Second, Chat: &Result{Scenario: "chat (question)"}},
	}
	require.NotPanics(t, func() { require.NoError(t, WriteCharts(dir, ms)) })
	_, err := os.Stat(filepath.Join(dir, "wall.svg"))
	assert.ErrorIs(t, err, os.ErrNotExist, "no chart without points")
}

// Points that a log axis cannot show (zero or negative: a chat run with 0
// lines, a run with no LLM time) are left out; the rest is drawn.
func TestWriteChartLeavesOutNonPositivePoints(t *testing.T) {
	for name, series := range map[string][]Series{
		"zero x":        {{Name: "a", Points: []Point{{0, 1}, {10, 2}, {100, 3}}}},
		"zero y":        {{Name: "a", Points: []Point{{10, 0}, {100, 3}}}, {Name: "b", Points: []Point{{10, 2}, {100, 5}}}},
		"empty series":  {{Name: "a"}, {Name: "b", Points: []Point{{10, 2}, {100, 5}}}},
		"all zero in a": {{Name: "a", Points: []Point{{10, 0}}}, {Name: "b", Points: []Point{{10, 2}, {100, 5}}}},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.svg")
			require.NotPanics(t, func() { require.NoError(t, WriteChart(path, "t", "x", "y", series...)) })
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Contains(t, string(b), "<svg")
		})
	}
}
