package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/internal/synth"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/review"
)

// Threats requirement 24: a 300-file, 50k-line pull request. The token
// budget holds, what is cut is listed, the run ends well inside a step's
// time, and the summary never calls unreviewed files reviewed.
func TestPipeHugePullRequest(t *testing.T) {
	t.Parallel()
	o := synth.Options{Files: 300, HunksPerFile: 4, LinesPerHunk: 44, Context: 3, Mixed: 0.05, Seed: 24}
	require.GreaterOrEqual(t, synth.ChangedLines(o), 50_000)
	f := newFixtureWithDiff(t, synth.Diff(o))
	f.llm.SetDefault(func(c llmtest.Call) llmtest.Reply {
		if c.SchemaName == review.WalkthroughSchemaName {
			return llmtest.Reply{JSON: `{"summary":"Many files.","files":[]}`}
		}
		return llmtest.Reply{JSON: `{"summary":"Looked at it.","findings":[]}`}
	})
	start := time.Now()
	out, code := execPipe(t, f.env("MAX_INPUT_TOKENS=120000", "LLM_CONCURRENCY=4"))
	elapsed := time.Since(start)
	require.Equal(t, 0, code, out)
	assert.Less(t, elapsed, 60*time.Second, "far inside any step max-time")
	assert.Contains(t, out, "file(s) were not reviewed", "the step log does not call it a clean pass")
	assert.NotContains(t, out, "no issues found")

	var prompt, light int
	for _, c := range f.llm.Calls() {
		if c.SchemaName == review.WalkthroughSchemaName {
			light += len(c.System) + len(c.Prompt)
		}
	}
	for _, c := range f.llm.Calls() {
		if c.SchemaName == review.SchemaName {
			prompt += len(c.System) + len(c.Prompt)
		}
	}
	assert.LessOrEqual(t, review.EstimateTokens(strings.Repeat("x", light)), 120000/3, "the walkthrough shrinks to about a quarter of the budget")
	assert.LessOrEqual(t, review.EstimateTokens(strings.Repeat("x", prompt)), 120000*11/10, "the token budget holds")

	summaries, _ := f.comments()
	require.Len(t, summaries, 1)
	body := summaries[0].Raw
	assert.Contains(t, body, "### Not reviewed")
	assert.Contains(t, body, "over MAX_INPUT_TOKENS (120000)")
	assert.NotContains(t, body, "no issues", "a partly reviewed PR is never reported as clean")
	reports := f.bb.Reports(ws, slug, srcSHA)
	require.Len(t, reports, 1)
	assert.Contains(t, reports[0].Details, "file(s) were not reviewed")
}

// A diff Bitbucket cannot compute (555) is said on the pull request; the
// step follows FAIL_ON_ERROR.
func TestPipeDiffTooLargeSaysSo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.bb.Fault(bbtest.Fault{Method: http.MethodGet, PathContains: "/diff", Status: 555, Times: -1})
	out, code := execPipe(t, f.env("FAIL_ON_ERROR=true"))
	assert.Equal(t, exitRemote, code, out)
	assert.Empty(t, f.llm.Calls())
	summaries, _ := f.comments()
	require.Len(t, summaries, 1)
	assert.Contains(t, summaries[0].Raw, "too large), so nothing was reviewed")
}
