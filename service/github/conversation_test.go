package github

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// Message reads the comment that started the run, by kind: a conversation
// comment with the conversation as its thread, or a review comment with
// its anchor, GitHub's diff_hunk and its review thread; the thread is
// bounded and never holds the question itself.
func TestPlatformMessage(t *testing.T) {
	t.Parallel()
	s, api, _ := newFake(t)
	for i := range review.MaxThreadComments + 4 {
		s.AddIssueComment("bob", fmt.Sprint("chatter ", i, " ", strings.Repeat("x", 10*i*i)))
	}
	question := s.AddIssueComment("alice", "@bitreview why is this here?")
	ours := s.AddIssueComment(actionsBot, "an earlier answer")
	dependabot := s.AddIssueComment("dependabot[bot]", "@bitreview rebase")
	root, err := s.AddReviewComment("carol", "app/math.go", "RIGHT", 3, "this subtracts")
	require.NoError(t, err)
	other, err := s.AddReviewComment("frank", "app/math.go", "RIGHT", 1, "another thread")
	require.NoError(t, err)
	s.AddReply("dave", root.ID, "agreed")
	s.AddReply("grace", other.ID, "not this one either")
	s.AddReply("erin", root.ID, "@bitreview is it a bug?")
	var inThread int64
	for _, c := range s.ReviewComments() {
		if c.User.Login == "erin" {
			inThread = c.ID
		}
	}

	conv := NewPlatform(api, testPR, PlatformOptions{})
	m, err := conv.Message(t.Context(), question.ID)
	require.NoError(t, err)
	assert.Equal(t, question.ID, m.ID)
	assert.Equal(t, "alice", m.Author)
	assert.Equal(t, "@bitreview why is this here?", m.Body)
	assert.False(t, m.Mine || m.Deleted || m.Replied)
	assert.Nil(t, m.Inline)
	require.Len(t, m.Thread, review.MaxThreadComments, "the newest comments")
	last := m.Thread[len(m.Thread)-1]
	assert.Equal(t, review.ThreadComment{Author: actionsBot, Text: "an earlier answer", Bot: true}, m.Thread[len(m.Thread)-2])
	assert.Equal(t, "dependabot[bot]", last.Author)
	assert.False(t, last.Bot, "another bot is not bitreview")
	for _, c := range m.Thread {
		assert.NotEqual(t, m.Body, c.Text, "the question is not part of its thread")
		assert.LessOrEqual(t, len([]rune(c.Text)), review.MaxThreadChars+len(" [cut]"))
	}

	for id, mine := range map[int64]bool{ours.ID: true, dependabot.ID: true} {
		m, err := conv.Message(t.Context(), id)
		require.NoError(t, err)
		assert.Equal(t, mine, m.Mine, "bots are never answered")
	}
	gone, err := conv.Message(t.Context(), 99999)
	require.NoError(t, err)
	assert.Equal(t, &review.Message{ID: 99999, Deleted: true}, gone)

	thread := NewPlatform(api, testPR, PlatformOptions{CommentKind: ReviewComment})
	m, err = thread.Message(t.Context(), inThread)
	require.NoError(t, err)
	assert.Equal(t, &review.Anchor{Path: "app/math.go", Side: diffparse.New, Line: 3}, m.Inline)
	assert.Equal(t, "@@ -0,0 +1,3 @@\n+package app\n+\n+func Add(a, b int) int { return a - b }", m.Hunk)
	assert.Equal(t, []review.ThreadComment{{Author: "carol", Text: "this subtracts"}, {Author: "dave", Text: "agreed"}}, m.Thread)
	require.NotNil(t, m.Root, "a reply knows its thread's first comment")
	assert.Equal(t, root.ID, m.Root.ID)
	assert.Equal(t, "this subtracts", m.Root.Body)
	assert.False(t, m.Root.Bot)
	m, err = thread.Message(t.Context(), root.ID)
	require.NoError(t, err)
	assert.Nil(t, m.Root, "the first comment has no other")
	m, err = thread.Message(t.Context(), question.ID)
	require.NoError(t, err)
	assert.True(t, m.Deleted, "an issue comment's id names no review comment")
}

// Reply answers in the conversation or in the review thread (replying to
// the thread's first comment, as GitHub requires); the reply's marker
// makes Message report the comment as answered, so a re-run of the job
// never answers twice.
func TestPlatformReplyOnce(t *testing.T) {
	t.Parallel()
	for _, kind := range []CommentKind{IssueComment, ReviewComment} {
		s, api, _ := newFake(t)
		root, err := s.AddReviewComment("carol", "app/math.go", "RIGHT", 3, "this subtracts")
		require.NoError(t, err)
		id := s.AddIssueComment("alice", "@bitreview why?").ID
		if kind == ReviewComment {
			s.AddReply("erin", root.ID, "@bitreview why?")
			comments := s.ReviewComments()
			id = comments[len(comments)-1].ID
		}
		for run := range 2 {
			p := NewPlatform(api, testPR, PlatformOptions{CommentKind: kind})
			m, err := p.Message(t.Context(), id)
			require.NoError(t, err)
			assert.Equal(t, run > 0, m.Replied, "kind %d, run %d", kind, run)
			require.NoError(t, p.Reply(t.Context(), m, review.RenderReply("because", int(id))))
		}
		var replies []int64
		for _, c := range append(s.IssueComments(), s.ReviewComments()...) {
			if to, ok := review.RepliesTo(c.Body); ok && int64(to) == id {
				assert.Equal(t, actionsBot, c.User.Login)
				replies = append(replies, c.InReplyTo)
			}
		}
		want := []int64{0}
		if kind == ReviewComment {
			want = []int64{root.ID}
		}
		assert.Equal(t, want, replies, "one reply, in the thread for a review comment")
	}
}

// A reply marker only counts in the bot's own comments: a human who
// copies it does not stop the answer.
func TestPlatformRepliedIgnoresCopiedMarkers(t *testing.T) {
	t.Parallel()
	s, api, _ := newFake(t)
	q := s.AddIssueComment("alice", "@bitreview why?")
	s.AddIssueComment("mallory", review.RenderReply("fake answer", int(q.ID)))
	m, err := NewPlatform(api, testPR, PlatformOptions{}).Message(t.Context(), q.ID)
	require.NoError(t, err)
	assert.False(t, m.Replied)
}
