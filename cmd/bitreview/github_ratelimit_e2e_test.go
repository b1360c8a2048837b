package main

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/service/github/ghtest"
)

// TestGitHubActionEveryNthRequestRateLimited is issue 17: GitHub refuses
// every Nth request (any method) for its rate limit, with a 429 or a 403
// and X-RateLimit-Remaining: 0, the limit lifting a second later. A
// refused request was not processed, so the client waits for the reset and
// sends it again: the first run posts every inline comment, the summary and
// the check run, each exactly once, and passes with FAIL_ON_ERROR=true;
// the model sees what it sees without the faults (no file read for context
// is lost to a refusal).
func TestGitHubActionEveryNthRequestRateLimited(t *testing.T) {
	t.Parallel()
	clean := newGHFixture(t)
	out, code := execAction(t, clean.env())
	require.Equal(t, 0, code, out)
	want := prompts(clean.llm.Calls())
	for _, status := range []int{http.StatusTooManyRequests, http.StatusForbidden} {
		for n := 2; n <= 7; n++ {
			t.Run(fmt.Sprintf("%d/N=%d", status, n), func(t *testing.T) {
				t.Parallel()
				f := newGHFixture(t)
				f.gh.Fault(ghtest.Fault{Status: status, ResetIn: time.Second, Every: n, Times: -1})
				out, code := execAction(t, f.env("INPUT_FAIL_ON_ERROR=true"))
				require.Equal(t, 0, code, out)
				assert.Positive(t, f.gh.Faulted(), "the fault fired")
				assert.Equal(t, want, prompts(f.llm.Calls()), "the model saw the same prompts")

				inline, summary := f.invariants(t)
				assert.Len(t, inline, 3, "every inline comment is posted once:\n%s", out)
				assert.Equal(t, 1, f.gh.Reviews(), "one review carries them")
				assert.NotContains(t, summary.Body, "Publishing incomplete")
				st, ok := review.ParseState(summary.Body)
				require.True(t, ok)
				assert.Equal(t, srcSHA, st.HeadCommit, "the run is complete")

				runs := f.gh.CheckRuns()
				require.Len(t, runs, 1, "one check run")
				assert.Equal(t, "completed", runs[0].Status)
				assert.NotEmpty(t, runs[0].Annotations)
			})
		}
	}
}

// prompts are the model calls' prompts, sorted (batches run concurrently).
func prompts(calls []llmtest.Call) []string {
	out := make([]string, 0, len(calls))
	for _, c := range calls {
		out = append(out, c.System+"\n---\n"+c.Prompt)
	}
	slices.Sort(out)
	return out
}
