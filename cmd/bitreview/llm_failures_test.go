package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/review"
)

// TestPipeLLMAnswers runs the binary against a stub LLM that misbehaves in
// each way the threats list names, and checks what the PR's summary says
// and the exit code.
func TestPipeLLMAnswers(t *testing.T) {
	many := func(n int) string {
		var parts []string
		for i := range n {
			parts = append(parts, fmt.Sprintf(`{"path":"app/math.go","line":3,"severity":"low","title":"note %d","body":"b"}`, i))
		}
		return `{"findings":[` + strings.Join(parts, ",") + `]}`
	}
	tests := []struct {
		name         string
		replies      []llmtest.Reply // the review call's, in order
		env          []string
		wantCode     int
		wantSummary  []string
		avoidSummary []string
		wantInline   int
	}{
		{
			name:         "truncated JSON twice",
			replies:      []llmtest.Reply{{Text: reviewReply[:200]}, {Text: reviewReply[:200]}},
			wantSummary:  []string{"Review incomplete", "not reviewed"},
			avoidSummary: []string{"No issues found"},
		},
		{
			name:        "fenced JSON with prose",
			replies:     []llmtest.Reply{{Text: "Here is my review.\n```json\n" + reviewReply + "\n```\nHope it helps!"}},
			wantSummary: []string{"5 finding(s)"},
			wantInline:  3,
		},
		{
			name:        "wrong types and unknown fields",
			replies:     []llmtest.Reply{{JSON: `{"findings":[{"path":"app/math.go","line":"three","severity":"high","title":"x","body":"y"},{"path":"app/math.go","line":3,"severity":"high","title":"Add subtracts","body":"y","confidence":0.9,"extra":{"a":1}}]}`}},
			wantSummary: []string{"did not match the schema", "1 finding(s)"},
			wantInline:  1,
		},
		{
			name:        "5,000 findings",
			replies:     []llmtest.Reply{{JSON: many(5000)}},
			env:         []string{"MAX_COMMENTS=5"},
			wantSummary: []string{"did not match the schema", "over the limit of 5 inline comments"},
			wantInline:  5,
		},
		{
			name:         "refusal",
			replies:      []llmtest.Reply{{Text: "I'm sorry, but I can't help with that."}, {Text: "I'm sorry, but I can't help with that."}},
			env:          []string{"FAIL_ON_ERROR=true"},
			wantCode:     exitRemote,
			wantSummary:  []string{"Review incomplete"},
			avoidSummary: []string{"No issues found"},
		},
		{
			name:        "429 then success",
			replies:     []llmtest.Reply{{Status: 429, RetryAfter: "1"}, {JSON: reviewReply}},
			wantSummary: []string{"5 finding(s)"},
			wantInline:  3,
		},
		{
			name:        "hung call then success",
			replies:     []llmtest.Reply{{Hang: true}, {JSON: reviewReply}},
			env:         []string{"LLM_TIMEOUT=1s"},
			wantSummary: []string{"5 finding(s)"},
			wantInline:  3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.llm.Script(tt.replies...)
			f.llm.SetDefault(func(llmtest.Call) llmtest.Reply { return llmtest.Reply{Status: 500} })
			start := time.Now()
			out, code := execPipe(t, f.env(tt.env...))
			assert.Equal(t, tt.wantCode, code, out)
			summaries, inline := f.comments()
			require.Len(t, summaries, 1, out)
			for _, s := range tt.wantSummary {
				assert.Contains(t, summaries[0].Raw, s)
			}
			for _, s := range tt.avoidSummary {
				assert.NotContains(t, summaries[0].Raw, s)
			}
			assert.Len(t, inline, tt.wantInline)
			assert.Empty(t, f.bb.RejectedAnchors())
			t.Logf("%s in %s", tt.name, time.Since(start).Round(time.Millisecond))
		})
	}
}

// TestPipeCostIsStable pins the calls and prompt tokens a fixed PR costs,
// so a change that doubles the cost of a review fails loudly.
func TestPipeCostIsStable(t *testing.T) {
	f := newFixture(t)
	out, code := execPipe(t, f.env())
	require.Equal(t, 0, code, out)
	calls := f.llm.Calls()
	require.Len(t, calls, 1, "one call: the review answers the walkthrough too")
	prompt := 0
	for _, c := range calls {
		prompt += review.EstimateTokens(c.System + c.Prompt)
	}
	// 1,371 estimated tokens when this test was written; allow growth of
	// about a third before someone has to look.
	assert.Less(t, prompt, 1800, "prompt tokens for the sample PR grew")
	t.Logf("calls %d, estimated prompt tokens %d", len(calls), prompt)
}
