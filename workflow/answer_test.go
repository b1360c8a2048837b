package workflow

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/command"
	"github.com/bitreview/bitreview/review"
)

func (f *fixture) answer(t *testing.T, id int64, cmd command.Command) (Outcome, int) {
	t.Helper()
	out := Answer(t.Context(), f.p, f.s, f.deps, id, cmd)
	return out, ExitCode(out, f.deps.Log)
}

func TestEveryCommandIsActedOnOnce(t *testing.T) {
	tests := []struct {
		cmd     command.Command
		body    string
		replies int // replies posted by the first run
		reviews int // Publish calls of the first run
	}{
		{command.Help, "@bitreview help", 1, 0},
		{command.Pause, "@bitreview pause", 1, 0},
		{command.Resume, "@bitreview resume", 0, 1},
		{command.Review, "@bitreview review", 0, 1},
		{command.FullReview, "@bitreview full review", 0, 1},
		{command.Summary, "@bitreview summary", 0, 1},
		{command.Ask, "@bitreview why is this query unsafe?", 1, 0},
	}
	for _, tt := range tests {
		t.Run(string(tt.cmd), func(t *testing.T) {
			f := newFixture(t)
			f.model.text = `{"answer":"Because the name is concatenated."}`
			if tt.reviews > 0 {
				f.model.text = findingAnswer
			}
			f.p.messages[41] = &review.Message{ID: 41, Author: "alice", Body: tt.body}
			out, code := f.answer(t, 41, tt.cmd)
			require.NoError(t, out.Err, f.log.String())
			assert.Equal(t, ExitOK, code)
			assert.Len(t, f.p.replies, tt.replies)
			assert.Equal(t, tt.reviews, f.p.count("Publish"))
			calls, state := f.model.calls, f.p.state

			// The same trigger again (a relay restart, a re-run job).
			out, _ = f.answer(t, 41, tt.cmd)
			require.NoError(t, out.Err)
			assert.Len(t, f.p.replies, tt.replies, "no second reply")
			assert.Equal(t, tt.reviews, f.p.count("Publish"), "no second review")
			assert.Equal(t, calls, f.model.calls, "no second model call")
			assert.Equal(t, state.Paused, f.p.state.Paused, "a replayed pause or resume changes nothing")
			assert.Contains(t, f.log.String(), "comment 41 was already handled")
		})
	}
}

func TestPauseThenResume(t *testing.T) {
	f := newFixture(t)
	f.p.messages[1] = &review.Message{ID: 1, Body: "@bitreview pause"}
	f.p.messages[2] = &review.Message{ID: 2, Body: "@bitreview resume"}
	_, _ = f.answer(t, 1, command.Pause)
	assert.True(t, f.p.state.Paused)
	out, _ := f.run(t)
	require.NoError(t, out.Err)
	assert.Zero(t, f.model.calls, "an automatic run while paused calls no model")

	_, _ = f.answer(t, 2, command.Resume)
	assert.False(t, f.p.state.Paused)
	assert.Equal(t, 1, f.p.count("Publish"), "resume reviews at once")
}

func TestOwnAndDeletedCommentsAreNotAnswered(t *testing.T) {
	f := newFixture(t)
	f.p.messages[5] = &review.Message{ID: 5, Body: "@bitreview help", Mine: true}
	f.p.messages[6] = &review.Message{ID: 6, Body: "@bitreview help", Deleted: true}
	for _, id := range []int64{5, 6} {
		out, _ := f.answer(t, id, command.Help)
		require.NoError(t, out.Err)
	}
	assert.Empty(t, f.p.replies)
}

func TestQuestionWithASecretNeverReachesTheModelRaw(t *testing.T) {
	f := newFixture(t)
	f.model.text = `{"answer":"Rotate it."}`
	secret := "postgres://admin:S3cretPassw0rd@db.internal/app"
	f.p.messages[9] = &review.Message{ID: 9, Body: "@bitreview is " + secret + " safe here?",
		Thread: []review.ThreadComment{{Author: "bob", Text: "the key is " + secret}},
		Inline: &review.Anchor{Path: "app/users.go", Line: 3}, Hunk: "+dsn := \"" + secret + "\""}
	out, _ := f.answer(t, 9, command.Ask)
	require.NoError(t, out.Err)
	require.Len(t, f.model.reqs, 1)
	assert.NotContains(t, f.model.reqs[0].Prompt, "S3cretPassw0rd")
	assert.Contains(t, f.model.reqs[0].Prompt, "app/users.go")
	require.Len(t, f.p.replies, 1)
	assert.Contains(t, f.p.replies[0], "Rotate it.")
}

func TestChatModelFailurePostsNothing(t *testing.T) {
	f := newFixture(t, "FAIL_ON_ERROR=true")
	f.model.err = assert.AnError
	f.p.messages[3] = &review.Message{ID: 3, Body: "@bitreview what does this do?"}
	out, code := f.answer(t, 3, command.Ask)
	require.Error(t, out.Err)
	assert.Equal(t, ExitRemote, code)
	assert.Empty(t, f.p.replies)
}
