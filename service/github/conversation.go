package github

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/bitreview/bitreview/review"
)

// Message reads comment id, of the kind PlatformOptions.CommentKind names,
// with what an answer needs: a conversation comment's thread is the
// conversation; a review comment's is its review thread, with the anchor
// and GitHub's diff_hunk (the hunk up to the commented line). The thread
// leaves the comment itself out and is bounded (review.TrimThread). Mine
// is true for the bot's own comments and for any other bot account (no
// loops between bots); Replied when a comment of the bot carries the
// reply marker for id. A comment that is gone (404) comes back Deleted.
// Root is a review reply's thread's first comment, in full.
func (p *Platform) Message(ctx context.Context, id int64) (*review.Message, error) {
	me, err := p.identity(ctx)
	if err != nil {
		return nil, err
	}
	read := p.conversation
	if p.opts.CommentKind == ReviewComment {
		read = p.reviewThreads
	}
	c, all, err := read(ctx, id)
	switch {
	case err != nil:
		return nil, err
	case c == nil:
		return &review.Message{ID: id, Deleted: true}, nil
	}
	p.roots[id] = c.root
	m := &review.Message{ID: id, Author: c.user.GetLogin(), Body: c.body, Mine: isBot(c.user, me), Inline: c.inline, Hunk: c.hunk}
	var thread []review.ThreadComment
	for _, o := range all {
		if o.id == id {
			continue
		}
		m.Replied = m.Replied || o.answers(me, id)
		if o.root == c.root {
			thread = append(thread, o.threadComment(me))
		}
		if c.root != 0 && o.id == c.root && c.root != id {
			m.Root = &review.RootComment{ID: o.id, Body: o.body, Bot: o.user.GetLogin() == me, URL: o.url}
		}
	}
	m.Thread = review.TrimThread(thread)
	return m, nil
}

// note is a comment of either kind as Message uses it. root is the first
// comment of its review thread; 0 for the conversation.
type note struct {
	id, root int64
	user     *gh.User
	body     string
	inline   *review.Anchor
	hunk     string
	url      string // the comment's web page
}

// conversation reads conversation comment id and the whole conversation,
// oldest first; c is nil when id is gone.
func (p *Platform) conversation(ctx context.Context, id int64) (c *note, all []note, err error) {
	ic, _, err := p.api.Issues.GetComment(ctx, p.pr.Owner, p.pr.Repo, id)
	if err != nil {
		return nil, nil, gone(err, id)
	}
	list, err := listIssueComments(ctx, p.api.Issues, p.pr)
	for _, o := range list {
		all = append(all, note{id: o.GetID(), user: o.GetUser(), body: o.GetBody()})
	}
	return &note{id: id, user: ic.GetUser(), body: ic.GetBody()}, all, err
}

// reviewThreads reads review comment id, with its anchor, and every
// review comment, oldest first; c is nil when id is gone.
func (p *Platform) reviewThreads(ctx context.Context, id int64) (c *note, all []note, err error) {
	rc, _, err := p.api.Pulls.GetComment(ctx, p.pr.Owner, p.pr.Repo, id)
	if err != nil {
		return nil, nil, gone(err, id)
	}
	list, err := listReviewComments(ctx, p.api.Pulls, p.pr)
	for _, o := range list {
		all = append(all, reviewNote(o))
	}
	n := reviewNote(rc)
	line := rc.GetLine()
	if line == 0 {
		line = rc.GetOriginalLine() // an outdated comment
	}
	n.inline, n.hunk = &review.Anchor{Path: rc.GetPath(), Side: sideOf(rc), Line: line}, rc.GetDiffHunk()
	return &n, all, err
}

func reviewNote(c *gh.PullRequestComment) note {
	root := c.GetInReplyTo()
	if root == 0 {
		root = c.GetID()
	}
	return note{id: c.GetID(), root: root, user: c.GetUser(), body: c.GetBody(), url: c.GetHTMLURL()}
}

// gone is nil for a comment that is not there (404), so that Message
// answers Deleted, and the wrapped error otherwise.
func gone(err error, id int64) error {
	if statusOf(err) == http.StatusNotFound {
		return nil
	}
	return fmt.Errorf("read comment %d: %w", id, err)
}

// Reply posts body, rendered by the caller (review.RenderReply or
// RenderFixedReply, whose marker names m.ID), in the review thread of a
// review comment (as a reply to the thread's first comment: GitHub takes
// no replies to replies) or in the conversation. A comment already
// answered (m.Replied) gets nothing more.
func (p *Platform) Reply(ctx context.Context, m *review.Message, body string) error {
	if m.Replied {
		return nil
	}
	if p.opts.DryRun != nil {
		fmt.Fprintf(p.opts.DryRun, "--- would reply to comment %d ---\n%s\n", m.ID, body)
		return nil
	}
	var err error
	if p.opts.CommentKind == ReviewComment {
		root := p.roots[m.ID]
		if root == 0 {
			root = m.ID // a Message this Platform did not read
		}
		_, _, err = p.api.Pulls.CreateCommentInReplyTo(ctx, p.pr.Owner, p.pr.Repo, p.pr.Number, body, root)
	} else {
		_, _, err = p.api.Issues.CreateComment(ctx, p.pr.Owner, p.pr.Repo, p.pr.Number, ghComment(body))
	}
	if err != nil {
		return fmt.Errorf("reply to comment %d: %w", m.ID, err)
	}
	return nil
}

// identity is the bot's login, asked once a run.
func (p *Platform) identity(ctx context.Context) (string, error) {
	me, err := p.pub.identity(ctx)
	if err == nil {
		p.pub.opts.Login = me
	}
	return me, err
}

// isBot reports a comment by the bot, or by any GitHub App or other bot
// account.
func isBot(u *gh.User, me string) bool {
	return u.GetLogin() == me || u.GetType() == "Bot" || strings.HasSuffix(u.GetLogin(), "[bot]")
}

// answers reports a comment of the bot's that replies to comment id.
func (n note) answers(me string, id int64) bool {
	to, ok := review.RepliesTo(n.body)
	return ok && int64(to) == id && n.user.GetLogin() == me
}

func (n note) threadComment(me string) review.ThreadComment {
	author := n.user.GetLogin()
	if author == "" {
		author = "unknown"
	}
	return review.ThreadComment{Author: author, Text: n.body, Bot: n.user.GetLogin() == me}
}
