package main

import (
	"github.com/bitreview/bitreview/workflow"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/llm/llmtest"
)

// Issue 15 item 7 and threats requirement 33: a Bitbucket server that
// trickles the diff one byte at a time cannot hold the step. The request
// ends at its deadline (a minute, or a tenth of RUN_TIMEOUT when that is
// shorter; here 1s), is not repeated, and the run exits as for any
// unreachable Bitbucket: 3 with FAIL_ON_ERROR=true, else 0 with a warning.
func TestDeadlineTrickledDiffEndsTheCall(t *testing.T) {
	t.Parallel()
	for _, failOnError := range []bool{true, false} {
		t.Run(map[bool]string{true: "FAIL_ON_ERROR=true", false: "FAIL_ON_ERROR=false"}[failOnError], func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.bb.Fault(bbtest.Fault{Method: "GET", PathContains: "/diff/", Trickle: 100 * time.Millisecond, Times: -1})
			env := f.env("RUN_TIMEOUT=10s")
			want := exitOK
			if failOnError {
				env, want = append(env, "FAIL_ON_ERROR=true"), exitRemote
			}
			start := time.Now()
			out, code := execPipe(t, env)
			elapsed := time.Since(start)
			assert.Equal(t, want, code, out)
			assert.Less(t, elapsed, 5*time.Second, "one 1s deadline, not a body read that never ends:\n%s", out)
			assert.Contains(t, out, "fetch diff")
			assert.Contains(t, out, "no complete answer within the 1s request deadline")
			diffs := 0
			for _, r := range f.bb.Requests() {
				if strings.Contains(r.Path, "/diff/") {
					diffs++
				}
			}
			assert.Equal(t, 1, diffs, "an attempt that ran out its deadline is not repeated")
			assert.Empty(t, f.llm.Calls(), "nothing was sent to the model")
		})
	}
}

// Issue 15 item 7: the whole run has a deadline (RUN_TIMEOUT). The model
// stage stops early enough to leave time to publish, so a model that never
// answers still ends with a summary and a report that say the review is
// incomplete, and the step ends before the deadline.
func TestDeadlineDuringTheModelStagePublishesAnIncompleteReview(t *testing.T) {
	t.Parallel()
	for _, failOnError := range []bool{true, false} {
		t.Run(map[bool]string{true: "FAIL_ON_ERROR=true", false: "FAIL_ON_ERROR=false"}[failOnError], func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.llm.SetDefault(func(llmtest.Call) llmtest.Reply { return llmtest.Reply{Hang: true} })
			// RUN_TIMEOUT=8s keeps half, 4s, to publish (a tenth, at least
			// 2 minutes, at most half); LLM_TIMEOUT alone would wait a minute.
			env := f.env("RUN_TIMEOUT=8s", "LLM_TIMEOUT=60s")
			want, wantResult := exitOK, "PENDING"
			if failOnError {
				env, want, wantResult = append(env, "FAIL_ON_ERROR=true"), exitRemote, "FAILED"
			}
			start := time.Now()
			out, code := execPipe(t, env)
			elapsed := time.Since(start)
			assert.Equal(t, want, code, out)
			assert.Less(t, elapsed, 8*time.Second, "the run ends within RUN_TIMEOUT")
			assert.GreaterOrEqual(t, elapsed, 3*time.Second, "the model stage had its time")
			assert.Contains(t, out, "RUN_TIMEOUT=8s")

			summary, inline := assertNoDuplicates(t, f)
			assert.Contains(t, summary, "Review incomplete")
			assert.Contains(t, summary, "RUN_TIMEOUT")
			assert.NotContains(t, summary, "No issues found")
			assert.Zero(t, inline, "the model found nothing; nothing is invented")

			r, ok := f.bb.Report(ws, slug, srcSHA, "bitreview")
			require.True(t, ok, "the report is published:\n%s", out)
			assert.Equal(t, wantResult, r.Result)
			assert.Contains(t, r.Details, "RUN_TIMEOUT")
			assert.Contains(t, r.Details, "nothing was reviewed")
			assert.NotContains(t, r.Details, "No findings")
		})
	}
}

func TestRunTimeoutConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		run, reserve, request time.Duration
	}{
		{30 * time.Minute, 3 * time.Minute, time.Minute},
		{120 * time.Minute, 12 * time.Minute, time.Minute},
		{10 * time.Minute, 2 * time.Minute, time.Minute},
		{3 * time.Minute, 90 * time.Second, 18 * time.Second},
		{8 * time.Second, 4 * time.Second, 800 * time.Millisecond},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.reserve, workflow.PublishReserve(tt.run), "reserve of %s", tt.run)
		assert.Equal(t, tt.request, requestTimeout(tt.run), "request deadline of %s", tt.run)
	}
}

// The GitHub action has the same run deadline (the run_timeout input): a
// model that never answers still ends with a summary that says the review
// is incomplete, before RUN_TIMEOUT.
func TestDeadlineAppliesToTheAction(t *testing.T) {
	t.Parallel()
	f := newGHFixture(t)
	f.llm.SetDefault(func(llmtest.Call) llmtest.Reply { return llmtest.Reply{Hang: true} })
	start := time.Now()
	out, code := execAction(t, f.env("INPUT_RUN_TIMEOUT=8s", "INPUT_LLM_TIMEOUT=60s", "INPUT_FAIL_ON_ERROR=true"))
	elapsed := time.Since(start)
	assert.Equal(t, exitRemote, code, out)
	assert.Less(t, elapsed, 8*time.Second, "the run ends within RUN_TIMEOUT")
	assert.Contains(t, out, "RUN_TIMEOUT=8s")
	_, summary := f.invariants(t)
	assert.Contains(t, summary.Body, "Review incomplete")
	assert.Contains(t, summary.Body, "RUN_TIMEOUT")
}
