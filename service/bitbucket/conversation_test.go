package bitbucket

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

var alice = bbtest.NewUser("alice")

// byAlice is a conversation comment of a person.
func byAlice(raw string) bbtest.Comment { return bbtest.Comment{Raw: raw, User: alice} }

// reply seeds a reply by who to parent.
func (e *env) reply(who string, parent int, raw string) bbtest.Comment {
	return e.bb.AddComment(ws, slug, 1, bbtest.Comment{Raw: raw, User: bbtest.NewUser(who), ParentID: parent})
}

// Message reads a comment with its thread (the thread's first comment and
// its replies, never the question itself, the newest kept and each cut),
// and for an inline thread its anchor and the hunk around it; the diff is
// read only then.
func TestPlatformMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.bb.AddComment(ws, slug, 1, bbtest.Comment{Raw: "Is this safe?", User: bbtest.NewUser("carol")})
	e.bb.AddComment(ws, slug, 1, bbtest.Comment{Raw: "another thread", User: bbtest.NewUser("frank")})
	for i := range review.MaxThreadComments + 4 {
		e.reply("bob", root.ID, fmt.Sprint("chatter ", i, " ", strings.Repeat("x", 10*i*i)))
	}
	e.bb.AddComment(ws, slug, 1, bbtest.Comment{Raw: "deleted", User: bbtest.NewUser("bob"), ParentID: root.ID, Deleted: true})
	ours := e.bb.AddComment(ws, slug, 1, bbtest.Comment{Raw: "an earlier answer", User: e.bot, ParentID: root.ID})
	question := e.bb.AddComment(ws, slug, 1, bbtest.Comment{Raw: "@bitreview why?", User: alice, ParentID: ours.ID})
	deleted := e.bb.AddComment(ws, slug, 1, bbtest.Comment{Raw: "@bitreview what?", User: alice, Deleted: true})

	p := NewPlatform(e.client, e.pr, noTasks)
	m, err := p.Message(t.Context(), int64(question.ID))
	require.NoError(t, err)
	assert.Equal(t, int64(question.ID), m.ID)
	assert.Equal(t, "alice", m.Author)
	assert.Equal(t, "@bitreview why?", m.Body)
	assert.False(t, m.Mine || m.Deleted || m.Replied)
	assert.Nil(t, m.Inline)
	assert.Empty(t, m.Hunk)
	require.Len(t, m.Thread, review.MaxThreadComments, "the newest comments")
	assert.Equal(t, review.ThreadComment{Author: "bot", Text: "an earlier answer", Bot: true}, m.Thread[len(m.Thread)-1])
	for _, c := range m.Thread {
		assert.NotEqual(t, m.Body, c.Text, "the question is not part of its thread")
		assert.NotEqual(t, "deleted", c.Text)
		assert.NotEqual(t, "another thread", c.Text)
		assert.LessOrEqual(t, len([]rune(c.Text)), review.MaxThreadChars+len(" [cut]"))
	}
	assert.Zero(t, e.bb.Count("GET", "/diff"), "no diff for a conversation comment")

	m, err = p.Message(t.Context(), int64(ours.ID))
	require.NoError(t, err)
	assert.True(t, m.Mine, "the bot's own comment")
	for _, id := range []int{deleted.ID, 99999} {
		m, err = p.Message(t.Context(), int64(id))
		require.NoError(t, err)
		assert.Equal(t, &review.Message{ID: int64(id), Deleted: true}, m)
	}
}

func TestPlatformMessageInline(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		inline bbtest.Inline
		anchor review.Anchor
		hunk   string
		fault  bool
	}{
		{name: "new side", inline: bbtest.Inline{Path: "a.go", To: 3}, anchor: review.Anchor{Path: "a.go", Side: diffparse.New, Line: 3},
			hunk: "@@ -0,0 +1,4 @@\n"},
		{name: "old side", inline: bbtest.Inline{Path: "a.go", From: 2}, anchor: review.Anchor{Path: "a.go", Side: diffparse.Old, Line: 2}},
		{name: "the diff cannot be read", inline: bbtest.Inline{Path: "a.go", To: 3}, anchor: review.Anchor{Path: "a.go", Side: diffparse.New, Line: 3}, fault: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			in := tc.inline
			root := e.bb.AddComment(ws, slug, 1, bbtest.Comment{Raw: "this returns 1", User: bbtest.NewUser("carol"), Inline: &in})
			e.reply("dave", root.ID, "agreed")
			q := e.reply("erin", root.ID, "@bitreview is it a bug?")
			if tc.fault {
				e.bb.Fault(bbtest.Fault{PathContains: "/diff", Status: 555, Times: -1})
			}
			m, err := NewPlatform(e.client, e.pr, noTasks).Message(t.Context(), int64(q.ID))
			require.NoError(t, err, "a hunk that cannot be read is left out")
			assert.Equal(t, &tc.anchor, m.Inline)
			assert.Equal(t, []review.ThreadComment{{Author: "carol", Text: "this returns 1"}, {Author: "dave", Text: "agreed"}}, m.Thread)
			if tc.hunk == "" {
				assert.Empty(t, m.Hunk)
				return
			}
			assert.True(t, strings.HasPrefix(m.Hunk, tc.hunk), m.Hunk)
			assert.Contains(t, m.Hunk, "func A() int { return 1 }")
		})
	}
}

// Reply answers in the comment's thread; the reply's marker makes Message
// report the comment as answered, so a re-run never answers twice.
func TestPlatformReplyOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.bb.AddComment(ws, slug, 1, bbtest.Comment{Raw: "hm", User: bbtest.NewUser("carol"), Inline: &bbtest.Inline{Path: "a.go", To: 3}})
	for _, q := range []bbtest.Comment{e.bb.AddComment(ws, slug, 1, byAlice("@bitreview why?")), e.reply("erin", root.ID, "@bitreview why?")} {
		for run := range 2 {
			p := NewPlatform(e.client, e.pr, noTasks)
			m, err := p.Message(t.Context(), int64(q.ID))
			require.NoError(t, err)
			assert.Equal(t, run > 0, m.Replied, "comment %d, run %d", q.ID, run)
			require.NoError(t, p.Reply(t.Context(), m, review.RenderReply("because", q.ID)))
		}
		var parents []int
		for _, c := range e.bb.Comments(ws, slug, 1) {
			if to, ok := review.RepliesTo(c.Raw); ok && to == q.ID {
				assert.Equal(t, e.bot.UUID, c.User.UUID)
				parents = append(parents, c.ParentID)
			}
		}
		assert.Equal(t, []int{q.ID}, parents, "one reply, to the comment")
	}
}

// A reply marker only counts in the bot's own live comments: a human who
// copies it, or a reply of the bot's that was deleted, does not stop the
// answer.
func TestPlatformRepliedIgnoresCopiedMarkers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := e.bb.AddComment(ws, slug, 1, byAlice("@bitreview why?"))
	e.reply("mallory", q.ID, review.RenderReply("fake answer", q.ID))
	e.bb.AddComment(ws, slug, 1, bbtest.Comment{Raw: review.RenderReply("withdrawn", q.ID), User: e.bot, ParentID: q.ID, Deleted: true})
	m, err := NewPlatform(e.client, e.pr, noTasks).Message(t.Context(), int64(q.ID))
	require.NoError(t, err)
	assert.False(t, m.Replied)
}
