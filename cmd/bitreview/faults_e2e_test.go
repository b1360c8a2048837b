package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/review"
)

// The fault matrix: each case breaks Bitbucket or the LLM in one way and
// checks that nothing is lost, nothing is duplicated, the summary tells
// the truth, and the exit code follows FAIL_ON_ERROR.

// assertNoDuplicates checks one summary and distinct inline fingerprints.
func assertNoDuplicates(t *testing.T, f *fixture) (summary string, inline int) {
	t.Helper()
	summaries, in := f.comments()
	require.Len(t, summaries, 1, "exactly one summary")
	seen := map[string]bool{}
	for _, c := range in {
		fp, ok := review.FingerprintOf(c.Raw)
		require.True(t, ok)
		assert.False(t, seen[fp], "inline comment %q posted twice", fp)
		seen[fp] = true
	}
	return summaries[0].Raw, len(in)
}

// TestFaultsBitbucketRecoverable: faults the client retries through. The
// run must end exactly as a clean run does: 3 inline comments, one
// complete summary, exit 0 even with FAIL_ON_ERROR=true.
func TestFaultsBitbucketRecoverable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		faults []bbtest.Fault
	}{
		{"429 storm", []bbtest.Fault{{Status: 429, Times: 3, RetryAfter: "0"}, {Method: "GET", PathContains: "/comments", Status: 429, Times: 2, RetryAfter: "0"}}},
		{"5xx burst on reads", []bbtest.Fault{{Method: "GET", Status: 503, Times: 2}, {Method: "GET", Status: 502, Times: 1}}},
		{"slow responses", []bbtest.Fault{{Method: "GET", Delay: 300 * time.Millisecond, Times: 5}}},
		{"connection reset on the diff", []bbtest.Fault{{Method: "GET", PathContains: "/diff", Reset: true}}},
		{"connection reset on a comment edit", []bbtest.Fault{{Method: "PUT", PathContains: "/comments", Reset: true}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			for _, fl := range tc.faults {
				f.bb.Fault(fl)
			}
			out, code := execPipe(t, f.env("FAIL_ON_ERROR=true"))
			require.Equal(t, 0, code, out)
			summary, inline := assertNoDuplicates(t, f)
			assert.Equal(t, 3, inline, "nothing lost")
			assert.NotContains(t, summary, "Review incomplete")
			assert.Contains(t, out, "3 inline comment(s) posted")
		})
	}
}

// TestFaultsEveryNthWriteRateLimited is issue 15 item 9 and threats
// requirement 35: Bitbucket refuses every Nth write (POST, PUT, DELETE) with
// 429 and no Retry-After. A 429 was not processed, so the client sends it
// again after a jittered backoff: the first run posts every inline comment,
// the summary and the report, each exactly once, and passes with
// FAIL_ON_ERROR=true.
func TestFaultsEveryNthWriteRateLimited(t *testing.T) {
	t.Parallel()
	for n := 2; n <= 7; n++ {
		t.Run(fmt.Sprintf("N=%d", n), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.bb.Fault(bbtest.Fault{Writes: true, Every: n, Status: http.StatusTooManyRequests, Times: -1})
			out, code := execPipe(t, f.env("FAIL_ON_ERROR=true"))
			require.Equal(t, 0, code, out)
			summary, inline := assertNoDuplicates(t, f)
			assert.Equal(t, 3, inline, "every inline comment is posted")
			assert.NotContains(t, summary, "Review incomplete")
			assert.NotContains(t, summary, "posting failed")
			assert.Contains(t, out, "3 inline comment(s) posted")

			refused, created := 0, 0
			for _, r := range f.bb.Requests() {
				if r.Status == http.StatusTooManyRequests {
					refused++
				}
				if r.Method == "POST" && strings.HasSuffix(r.Path, "/comments") && r.Status == http.StatusCreated {
					created++
				}
			}
			assert.Positive(t, refused, "the fault fired")
			assert.Equal(t, 4, created, "3 inline comments and the summary, each created once")

			r, ok := f.bb.Report(ws, slug, srcSHA, "bitreview")
			require.True(t, ok, "the report is published:\n%s", out)
			assert.Equal(t, "PASSED", r.Result)
			assert.Len(t, f.bb.Annotations(ws, slug, srcSHA, "bitreview"), 5, "one annotation per finding")
		})
	}
}

// TestFaultsPostStoredButAnswerLost: Bitbucket stores an inline comment
// but the client never hears back (the connection drops after the store,
// as when the answer outlives the client's timeout). POST is not retried;
// the next run must find the stored comment by its fingerprint and not
// post it again.
func TestFaultsPostStoredButAnswerLost(t *testing.T) {
	t.Parallel()
	for _, failOnError := range []bool{false, true} {
		name := "FAIL_ON_ERROR=false"
		if failOnError {
			name = "FAIL_ON_ERROR=true"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.bb.Fault(bbtest.Fault{Method: "POST", PathContains: "/comments", BodyContains: "inline",
				StoreThenHang: 10 * time.Millisecond, Reset: true})
			env := f.env()
			if failOnError {
				env = f.env("FAIL_ON_ERROR=true")
			}
			out, code := execPipe(t, env)
			// The publisher re-lists the pull request's comments after a
			// lost answer and finds the stored one by fingerprint, so the
			// run is complete in both modes.
			assert.Equal(t, 0, code, out)
			lost := 0
			for _, r := range f.bb.Requests() {
				if r.Method == "POST" && strings.HasSuffix(r.Path, "/comments") && r.Status == 0 {
					lost++
				}
			}
			require.Equal(t, 1, lost, "the fault fired: one POST was stored and its answer lost")
			assert.Equal(t, 4, f.bb.Count("POST", "/comments"), "3 inline + summary: the lost POST was not blindly retried")
			_, inline := f.comments()
			assert.Len(t, inline, 3, "the stored comment is there, the others were posted")

			posts := f.bb.Count("POST", "/comments")
			out, code = execPipe(t, f.env("FAIL_ON_ERROR=true"))
			require.Equal(t, 0, code, out)
			summary, inline2 := assertNoDuplicates(t, f)
			assert.Equal(t, 3, inline2, "the re-run posts nothing twice")
			assert.Equal(t, posts, f.bb.Count("POST", "/comments"), "no new POST: every comment was found by fingerprint")
			assert.NotContains(t, summary, "Review incomplete")
		})
	}
}

// TestFaultsLLM: the model fails in every way it can. The summary must say
// the review is incomplete (never "No issues found"), and the exit code
// follows FAIL_ON_ERROR.
func TestFaultsLLM(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		reply llmtest.Reply
	}{
		{"429 forever", llmtest.Reply{Status: 429, RetryAfter: "0"}},
		{"500", llmtest.Reply{Status: 500}},
		{"timeout", llmtest.Reply{Hang: true}},
		{"garbage", llmtest.Reply{Text: "I'm sorry, here is {not json"}},
	}
	for _, tc := range cases {
		for _, failOnError := range []bool{false, true} {
			t.Run(tc.name+"/FAIL_ON_ERROR="+map[bool]string{false: "false", true: "true"}[failOnError], func(t *testing.T) {
				t.Parallel()
				f := newFixture(t)
				f.llm.SetDefault(func(llmtest.Call) llmtest.Reply { return tc.reply })
				extra := []string{"LLM_TIMEOUT=1s"}
				if failOnError {
					extra = append(extra, "FAIL_ON_ERROR=true")
				}
				out, code := execPipe(t, f.env(extra...))
				if failOnError {
					assert.Equal(t, exitRemote, code, out)
				} else {
					assert.Equal(t, 0, code, out)
				}
				summary, inline := assertNoDuplicates(t, f)
				assert.Zero(t, inline, "no finding is invented")
				assert.Contains(t, summary, "Review incomplete")
				assert.NotContains(t, summary, "No issues found")

				// Issue 15 item 10: a review that did not happen is never
				// PASSED; the report is left pending, or FAILED with the step.
				r, ok := f.bb.Report(ws, slug, srcSHA, "bitreview")
				require.True(t, ok, "the report is published:\n%s", out)
				assert.Equal(t, map[bool]string{false: "PENDING", true: "FAILED"}[failOnError], r.Result)
				assert.Contains(t, r.Details, "the model did not answer")
				assert.Contains(t, r.Details, "nothing was reviewed")
				assert.NotContains(t, r.Details, "No findings")
			})
		}
	}
}

// TestFaultsLLMTransient: one 429 and one 500 before good answers are
// retried through; the review is complete.
func TestFaultsLLMTransient(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.llm.Script(llmtest.Reply{Status: 429, RetryAfter: "0"}, llmtest.Reply{Status: 500})
	out, code := execPipe(t, f.env("FAIL_ON_ERROR=true"))
	require.Equal(t, 0, code, out)
	summary, inline := assertNoDuplicates(t, f)
	assert.Equal(t, 3, inline)
	assert.NotContains(t, summary, "Review incomplete")
	assert.True(t, strings.Contains(out, "3 inline comment(s) posted"), out)
}

// TestFaultsPostRejectedIsPostedNextRun: a 5xx on an inline-comment POST
// is not retried (POST is not idempotent). The comment must not vanish:
// the run says so, and the next run posts it once.
func TestFaultsPostRejectedIsPostedNextRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.bb.Fault(bbtest.Fault{Method: "POST", PathContains: "/comments", BodyContains: "inline", Status: 503})
	out, code := execPipe(t, f.env("FAIL_ON_ERROR=true"))
	assert.Equal(t, exitRemote, code, out)
	assert.Contains(t, out, "Publishing incomplete: 2 inline comment(s) posted, 0 already there, 1 failed")
	summary, inline := assertNoDuplicates(t, f)
	assert.Equal(t, 2, inline)
	assert.Contains(t, summary, "SQL injection through the name parameter _(posting failed)_", "the lost finding is in the summary")
	assert.Contains(t, summary, "1 inline comment(s) could not be posted")

	out, code = execPipe(t, f.env("FAIL_ON_ERROR=true"))
	require.Equal(t, 0, code, out)
	_, inline2 := assertNoDuplicates(t, f)
	assert.Equal(t, 3, inline2, "the rejected comment is posted by the next run, once")
	summary, _ = assertNoDuplicates(t, f)
	assert.NotContains(t, summary, "posting failed", "the summary no longer reports a failure")
}
