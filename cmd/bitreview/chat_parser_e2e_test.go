package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/review"
)

// The GitHub action reads comments with the same parser as the relay:
// "@bitreview pause" is a command (not a question), "@bitreview review the
// tests" a question (not a review), and a mention in code is no mention.
func TestGitHubActionUsesTheSharedParser(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body string
		check      func(t *testing.T, f *ghFixture, out string)
	}{
		{"pause is a command, as on Bitbucket", "@bitreview pause", func(t *testing.T, f *ghFixture, out string) {
			assert.Empty(t, f.llm.Calls(), "no question is asked: %s", out)
			var paused bool
			for _, c := range f.gh.IssueComments() {
				if st, ok := review.ParseState(c.Body); ok && st.Paused {
					paused = true
				}
			}
			assert.True(t, paused, "recorded in the summary's state: %s", out)
		}},
		{"review the tests is a question", "@bitreview review the tests", func(t *testing.T, f *ghFixture, out string) {
			calls := f.llm.Calls()
			require.Len(t, calls, 1, out)
			assert.Equal(t, review.QuestionSchemaName, calls[0].SchemaName, "a question, not a review")
			assert.Contains(t, calls[0].Prompt, "<untrusted kind=\"question\">\nreview the tests\n</untrusted>")
		}},
		{"a mention in code is no mention", "To re-run, write:\n\n```\n@bitreview review\n```", func(t *testing.T, f *ghFixture, out string) {
			assert.Contains(t, out, "does not ask bitreview for anything")
			assert.Empty(t, f.llm.Calls())
			assert.Len(t, f.gh.IssueComments(), 1, "only the comment itself")
		}},
		{"a quoted mention in a list is no mention", "- > @bitreview full review\n- done", func(t *testing.T, f *ghFixture, out string) {
			assert.Contains(t, out, "does not ask bitreview for anything")
			assert.Empty(t, f.llm.Calls())
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newGHFixture(t)
			f.llm.SetDefault(func(c llmtest.Call) llmtest.Reply {
				if c.SchemaName == review.QuestionSchemaName {
					return llmtest.Reply{JSON: `{"answer":"The tests cover the query."}`}
				}
				return llmtest.Reply{JSON: reviewReply}
			})
			f.conversationEvent(t, tc.body)
			out, code := execAction(t, f.env("GITHUB_EVENT_NAME=issue_comment", "INPUT_CHECK_RUN=false"))
			require.Equal(t, 0, code, out)
			tc.check(t, f, out)
		})
	}
}

// "@bitreview ignore" in the description skips the pull request only where
// it is a mention: shown as code, quoted or hidden in HTML it is not.
func TestPipeDescriptionIgnoreUsesTheSharedParser(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		description string
		skipped     bool
	}{
		{"WIP\n\n@bitreview IGNORE.", true},
		{"Write `@bitreview ignore` in a description to skip a review.", false},
		{"Template:\n\n    @bitreview ignore", false},
		{"<!-- @bitreview ignore -->\nAdds a query.", false},
		{"> @bitreview ignore\n\nNot any more.", false},
	} {
		t.Run(tc.description, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			bb := bbtest.New(t)
			f.bb = bb
			f.bot = bb.AddUser(bbtest.NewUser("bitreview-bot"))
			bb.AddPullRequest(ws, slug, bbtest.PullRequest{ID: 7, Description: tc.description,
				Source: bbtest.Endpoint{Commit: srcSHA}, Destination: bbtest.Endpoint{Commit: dstSHA}}, prDiff2)
			out, code := execPipe(t, f.env())
			require.Equal(t, 0, code, out)
			summaries, _ := f.comments()
			require.Len(t, summaries, 1, out)
			if tc.skipped {
				assert.Contains(t, out, "Not reviewed:")
				assert.Empty(t, f.llm.Calls())
				return
			}
			assert.NotContains(t, summaries[0].Raw, "bitreview ignore", out)
			assert.NotEmpty(t, f.llm.Calls(), "reviewed")
			assert.True(t, review.IsSummary(summaries[0].Raw))
		})
	}
}
