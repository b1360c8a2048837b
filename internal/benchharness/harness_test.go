package benchharness

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSmallScenarios runs the CI-sized scenarios through the real binary
// and checks the harness's own bookkeeping, never timing.
func TestSmallScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the bitreview binary")
	}
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	bin, err := Build(t.Context(), root, t.TempDir())
	require.NoError(t, err)
	cfg := Config{Bin: bin, Concurrency: 2, Timeout: 2 * time.Minute,
		LLM: LLMProfile{Latency: 20 * time.Millisecond, Jitter: 10 * time.Millisecond}}

	scs, err := Select("small,incremental,chat")
	require.NoError(t, err)
	for _, sc := range scs {
		t.Run(sc.Name, func(t *testing.T) {
			r, err := Run(t.Context(), cfg, sc)
			require.NoError(t, err)
			t.Logf("%+v", r)
			checkInvariants(t, r)
			assert.Equal(t, r.InlineComments+r.Summaries, r.CommentPosts,
				"each inline comment and the summary were posted exactly once")
			if sc.Chat {
				require.NotNil(t, r.Chat)
				ch := *r.Chat
				assert.Zero(t, ch.ExitCode)
				assert.Equal(t, 1, ch.Replies, "one answer in the thread")
				assert.Equal(t, 1, ch.LLMCalls, "one question, one call")
				assert.Equal(t, 1, ch.CommentPosts, "the answer is the only post")
				assert.Equal(t, 1, ch.Summaries, "the summary is untouched by a question")
			}
			if sc.Incremental {
				require.NotNil(t, r.Followup)
				fu := *r.Followup
				checkInvariants(t, fu)
				assert.Less(t, fu.PromptTokens, r.PromptTokens, "the follow-up sends less than the full review")
				assert.Equal(t, r.InlineComments+fu.CommentPosts, fu.InlineComments,
					"the follow-up adds its own inline comments (the summary is edited in place) and deletes none")
			}
		})
	}
}

func checkInvariants(t *testing.T, r Result) {
	t.Helper()
	assert.Zero(t, r.ExitCode)
	assert.Positive(t, r.LLMCalls)
	assert.Positive(t, r.BBRequests)
	assert.Positive(t, r.PromptTokens)
	assert.Positive(t, r.PeakRSSKiB)
	assert.Equal(t, 1, r.Summaries, "exactly one summary")
	assert.LessOrEqual(t, r.LLMBusy, r.Wall, "LLM-busy time is a part of the wall time")
	assert.Equal(t, r.Wall-r.LLMBusy, r.NonLLM)
	assert.Positive(t, r.Rounds)
	assert.LessOrEqual(t, r.Rounds, r.LLMCalls, "calls in parallel make one round")
	assert.Positive(t, r.Floor)
	assert.GreaterOrEqual(t, r.BBRequests, r.CommentPosts, "every post is a Bitbucket request")
}

func TestBusyClockUnionsOverlaps(t *testing.T) {
	var b busyClock
	start := time.Now()
	s1 := b.enter()
	s2 := b.enter() // overlapping call: not counted twice
	time.Sleep(20 * time.Millisecond)
	b.leave(s1)
	b.leave(s2)
	window := time.Since(start)
	got := b.busy()
	assert.GreaterOrEqual(t, got, 20*time.Millisecond)
	// Counted twice, the two calls would add up to about twice the window;
	// their union can never be longer than it, however slow the machine.
	assert.LessOrEqual(t, got, window)
	assert.Len(t, b.intervals(), 2)
	assert.Equal(t, 1, Rounds(b.intervals()), "overlapping calls are one round")
}

func TestRoundsCountSequentialWaves(t *testing.T) {
	at := func(from, to int) Interval {
		t0 := time.Unix(0, 0)
		return Interval{t0.Add(time.Duration(from) * time.Millisecond), t0.Add(time.Duration(to) * time.Millisecond)}
	}
	for _, tc := range []struct {
		name  string
		calls []Interval
		want  int
	}{
		{"none", nil, 0},
		{"one call", []Interval{at(0, 1000)}, 1},
		{"triage, then the review", []Interval{at(0, 1000), at(1001, 2001)}, 2},
		{"four batches at once", []Interval{at(0, 1000), at(1, 1001), at(2, 1002), at(3, 1003)}, 1},
		{"7 batches on 4 slots", []Interval{
			at(0, 1000), at(1, 1001), at(2, 1002), at(3, 1003),
			at(1000, 2000), at(1001, 2001), at(1002, 2002)}, 2},
		{"triage beside the first wave", []Interval{
			at(0, 1000), at(1, 1001), at(2, 1002), at(3, 1003),
			at(1001, 2001), at(1002, 2002)}, 2},
		{"jittered pool: a short call and its successor inside a long one", []Interval{
			at(0, 1400), at(0, 600), at(600, 1200)}, 2},
		{"touching ends are sequential", []Interval{at(0, 1000), at(1000, 2000)}, 2},
	} {
		assert.Equal(t, tc.want, Rounds(tc.calls), tc.name)
	}
}

func TestStubTriageCallsSomeFilesTrivial(t *testing.T) {
	got := walkthroughReply("<untrusted kind=\"changes\" path=\"pkg/mod001/file1.go\">\n</untrusted>\n" +
		"<untrusted kind=\"changes\" path=\"pkg/mod002/file2.py\">\n</untrusted>\n")
	assert.JSONEq(t, `{"summary":"Synthetic change.","files":[
		{"path":"pkg/mod001/file1.go","note":"synthetic change","trivial":false},
		{"path":"pkg/mod002/file2.py","note":"synthetic change","trivial":true}]}`, got)
}

func TestSelect(t *testing.T) {
	all, err := Select("all")
	require.NoError(t, err)
	assert.Len(t, all, len(Scenarios()))
	_, err = Select("small,nope")
	assert.Error(t, err)
}

func TestWriteChartIsSVG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.svg")
	require.NoError(t, WriteChart(path, "t", "x", "y",
		Series{Name: "a", Points: []Point{{1, 1}, {2, 3}}}, Series{Name: "b", Points: []Point{{1, 2}, {2, 2}}}))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(b), "<svg")
}

func TestRelaySmall(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	r, err := RunRelay(ctx, 300, 8)
	require.NoError(t, err)
	t.Logf("%+v", r)
	assert.Zero(t, r.Non202, "every signed delivery is accepted")
	assert.Equal(t, int64(300), r.Started, "each delivery starts exactly one pipeline")
	assert.LessOrEqual(t, r.P50, r.P99)
}
